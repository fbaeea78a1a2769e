import { createHmac } from 'node:crypto';

/**
 * A built-in provider's client secret when the catalog gives none: derived from the encryption key,
 * so every replica and restart agrees on it and nothing more is stored or configured.
 */
export function deriveBuiltinClientSecret(encryptionKey: string, integrationId: string): string {
  return createHmac('sha256', encryptionKey).update(`stockroom builtin client secret:${integrationId}`).digest('base64url');
}
