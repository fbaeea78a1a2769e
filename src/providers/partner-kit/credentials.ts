import type { Credential } from './backend.js';
import type { StoredCredential } from './credential-store.js';
import type { KitContext } from './options.js';

/** Opens a stored credential for the backend. A revoked one has no password any more. */
export function openCredential(ctx: KitContext, stored: StoredCredential): Credential {
  return {
    generation: stored.generation,
    login: stored.login,
    password: stored.passwordSealed === null ? '' : ctx.secretBox.open(stored.passwordSealed, credentialContext(stored.resourceId, stored.generation)),
  };
}

/** What a sealed password is bound to (the secret box's additional data): its resource and generation, unique per row. */
export function credentialContext(resourceId: string, generation: number): string {
  return `credentials.password_sealed:${resourceId}:${generation}`;
}
