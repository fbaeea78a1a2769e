import { TESTING_METADATA_PROPERTIES } from './hooks.js';
import type { PlanDetail } from '../partner-kit/billing-plan.js';
import type { MetadataOption, MetadataProperty, MetadataSchema } from './metadata.js';

/** How the reference partner makes up a secret's value (see secrets.ts). */
export type SecretKind = 'postgres-url' | 'https-url' | 'token';

/**
 * A product the reference partner offers. `id` and `slug` are also what Stockroom's default
 * catalog lists, so the two must not drift: the catalog reuses this data.
 */
export interface ReferenceProduct {
  /** Integration product id in Vercel's form (`iap_…`). */
  readonly id: string;
  /** The partner's product slug, sent as `productId` when provisioning; `^[a-z0-9-]+$`. */
  readonly slug: string;
  readonly name: string;
  readonly shortDescription: string;
  readonly primaryProtocol: 'storage';
  readonly tags: readonly string[];
  readonly metadataSchema: MetadataSchema;
  /** The secrets each resource gets, in order. */
  readonly secrets: readonly { readonly name: string; readonly kind: SecretKind }[];
  /** Product limits per plan id, shown as the plan's highlighted details. */
  readonly planHighlights: Readonly<Record<string, readonly PlanDetail[]>>;
}

const REGIONS: readonly MetadataOption[] = [
  { value: 'iad1', label: 'Washington, D.C., USA (iad1)' },
  { value: 'sfo1', label: 'San Francisco, USA (sfo1)' },
  { value: 'fra1', label: 'Frankfurt, Germany (fra1)' },
  { value: 'lhr1', label: 'London, United Kingdom (lhr1)' },
  { value: 'hnd1', label: 'Tokyo, Japan (hnd1)' },
  { value: 'syd1', label: 'Sydney, Australia (syd1)' },
];

/** The required `region` select every product asks for; plans name the chosen region (plans.ts). */
function regionSelect(description: string): MetadataProperty {
  return { type: 'string', 'ui:control': 'select', 'ui:label': 'Primary region', description, 'ui:options': REGIONS };
}

export const REFERENCE_PRODUCTS: readonly ReferenceProduct[] = [
  {
    id: 'iap_acme_db',
    slug: 'acme-db',
    name: 'Acme DB',
    shortDescription: 'A virtual Postgres-style database from the built-in reference partner.',
    primaryProtocol: 'storage',
    tags: ['storage', 'postgres', 'tag_databases', 'tag_storage'],
    metadataSchema: {
      type: 'object',
      properties: {
        region: regionSelect('Where the database lives.'),
        storageGb: {
          type: 'number',
          'ui:control': 'input',
          'ui:label': 'Storage (GB)',
          description: 'Disk size in gigabytes.',
          minimum: 1,
          maximum: 1024,
          default: 1,
        },
        ...TESTING_METADATA_PROPERTIES,
      },
      required: ['region'],
      'ui:order': ['region', 'storageGb'],
    },
    secrets: [
      { name: 'ACME_DB_URL', kind: 'postgres-url' },
      { name: 'ACME_DB_TOKEN', kind: 'token' },
    ],
    planHighlights: {
      free: [{ label: 'Storage', value: '256 MB' }, { label: 'Compute', value: 'Shared' }],
      pro: [{ label: 'Storage', value: '10 GB' }, { label: 'Compute', value: '1 dedicated vCPU' }],
      prepaid: [{ label: 'Storage', value: '$0.25 per GB-month' }, { label: 'Compute', value: '$0.10 per vCPU-hour' }],
    },
  },
  {
    id: 'iap_acme_kv',
    slug: 'acme-kv',
    name: 'Acme KV',
    shortDescription: 'A virtual Redis-style key-value store from the built-in reference partner.',
    primaryProtocol: 'storage',
    tags: ['storage', 'kv', 'redis', 'tag_databases', 'tag_storage'],
    metadataSchema: {
      type: 'object',
      properties: {
        region: regionSelect('Where the store lives.'),
        maxMemoryMb: {
          type: 'number',
          'ui:control': 'input',
          'ui:label': 'Memory limit (MB)',
          minimum: 32,
          maximum: 65536,
          default: 256,
        },
        eviction: {
          type: 'boolean',
          'ui:control': 'toggle',
          'ui:label': 'Evict keys when memory is full',
          default: false,
        },
        ...TESTING_METADATA_PROPERTIES,
      },
      required: ['region'],
      'ui:order': ['region', 'maxMemoryMb', 'eviction'],
    },
    secrets: [
      { name: 'ACME_KV_REST_API_URL', kind: 'https-url' },
      { name: 'ACME_KV_REST_API_TOKEN', kind: 'token' },
      { name: 'ACME_KV_REST_API_READ_ONLY_TOKEN', kind: 'token' },
    ],
    planHighlights: {
      free: [{ label: 'Commands', value: '10,000 per day' }, { label: 'Data', value: '256 MB' }],
      pro: [{ label: 'Commands', value: 'Unlimited' }, { label: 'Data', value: '5 GB' }],
      prepaid: [{ label: 'Commands', value: '$0.20 per 100,000' }, { label: 'Data', value: '$0.25 per GB-month' }],
    },
  },
];

/** The product with this slug, or (leniently) this `iap_` id. */
export function findProduct(slugOrId: string): ReferenceProduct | undefined {
  return REFERENCE_PRODUCTS.find((p) => p.slug === slugOrId || p.id === slugOrId);
}
