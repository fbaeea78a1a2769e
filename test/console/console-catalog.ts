import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The default catalog with Acme DB's form widened to every control family the console draws
 * (radio-button, multi-select, multi-vercel-region, vercel-region, toggle, text input with a
 * placeholder, a read-only select). The reference partner keeps metadata keys it does not know,
 * so stores of this product still provision against it.
 */
export const EXTRA_ACME_DB_PROPERTIES = {
  tier: {
    type: 'string',
    'ui:control': 'radio-button',
    'ui:label': 'Performance tier',
    'ui:options': [
      { value: 'standard', label: 'Standard' },
      { value: 'burst', label: 'Burst' },
      { value: 'legacy', label: 'Legacy', hidden: true },
    ],
    default: 'standard',
  },
  extensions: {
    type: 'array',
    'ui:control': 'multi-select',
    'ui:label': 'Extensions',
    items: { type: 'string' },
    'ui:options': [
      { value: 'pgvector', label: 'pgvector' },
      { value: 'postgis', label: 'PostGIS' },
    ],
  },
  readReplicas: {
    type: 'array',
    'ui:control': 'multi-vercel-region',
    'ui:label': 'Read replicas',
    items: { type: 'string' },
    'ui:options': ['sfo1', 'hnd1'],
  },
  backupRegion: {
    type: 'string',
    'ui:control': 'vercel-region',
    'ui:label': 'Backup region',
    'ui:placeholder': 'Same as primary',
    'ui:options': ['iad1', { value: 'sfo1', label: 'San Francisco (sfo1)' }],
  },
  pooling: { type: 'boolean', 'ui:control': 'toggle', 'ui:label': 'Connection pooling', default: true },
  ownerTag: { type: 'string', 'ui:control': 'input', 'ui:label': 'Owner tag', 'ui:placeholder': 'e.g. payments-team', maxLength: 32 },
  engine: {
    type: 'string',
    'ui:control': 'select',
    'ui:label': 'Engine',
    'ui:read-only': true,
    default: 'pg16',
    'ui:options': [
      { value: 'pg15', label: 'Postgres 15' },
      { value: 'pg16', label: 'Postgres 16' },
    ],
  },
} as const;

/** Writes the console test catalog into `dir` and returns its path, for STOCKROOM_CATALOG. */
export function writeConsoleCatalog(dir: string): string {
  const catalog = JSON.parse(readFileSync(new URL('../../catalog/default.json', import.meta.url), 'utf8'));
  const acmeDb = catalog.integrations[0].products.find((p: { slug: string }) => p.slug === 'acme-db');
  Object.assign(acmeDb.metadataSchema.properties, EXTRA_ACME_DB_PROPERTIES);
  acmeDb.metadataSchema['ui:order'] = ['region', 'tier', 'storageGb', 'extensions', 'readReplicas', 'backupRegion', 'pooling', 'ownerTag', 'engine'];
  const path = join(dir, 'console-catalog.json');
  writeFileSync(path, JSON.stringify(catalog, null, 2));
  return path;
}
