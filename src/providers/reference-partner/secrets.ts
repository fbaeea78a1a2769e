import type { Secret } from '../partner-kit/secret.js';
import { randomText } from '../partner-kit/random-text.js';
import type { ReferenceProduct, SecretKind } from './products.js';

/**
 * Fresh secret values for a resource. They are virtual (hosts under the reserved `.invalid`
 * domain), but shaped like real ones so connection-string parsers and secret scanners behave.
 * Every call makes new passwords and tokens, which is what a rotation needs.
 */
export function generateSecrets(product: ReferenceProduct, resourceId: string, metadata: Readonly<Record<string, unknown>>): Secret[] {
  const region = typeof metadata.region === 'string' && /^[a-z0-9]+$/.test(metadata.region) ? metadata.region : 'iad1';
  const host = resourceId.replace(/_/g, '-');
  return product.secrets.map(({ name, kind }) => ({ name, value: secretValue(kind, host, region) }));
}

function secretValue(kind: SecretKind, host: string, region: string): string {
  switch (kind) {
    case 'postgres-url':
      return `postgres://${host}:${randomText(32)}@${host}.${region}.db.acme.invalid:5432/main?sslmode=require`;
    case 'https-url':
      return `https://${host}.${region}.kv.acme.invalid`;
    case 'token':
      return `acme_${randomText(40)}`;
  }
}
