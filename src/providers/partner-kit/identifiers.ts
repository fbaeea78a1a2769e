import { randomText } from './random-text.js';

/**
 * The name of a resource's objects on the real server: `sr_` and 20 lowercase letters and digits
 * (about 103 bits). Lowercase because PostgreSQL folds unquoted names and Redis patterns are
 * case-sensitive; letters and digits only, so the name is safe in identifiers, URLs and glob
 * patterns even before it is quoted. It says nothing about the store, which it would leak to
 * anyone who can list databases or ACL users.
 */
export function newHandle(): string {
  return `sr_${randomText(20, 'lower')}`;
}

/**
 * A generated password: 40 letters and digits (about 238 bits). Letters and digits only, so it
 * needs no escaping in a connection URL or a libpq keyword value.
 */
export function newPassword(): string {
  return randomText(40, 'mixed');
}

/** `res_` and 24 lowercase letters and digits: the id Stockroom stores as `externalResourceId`. */
export function newResourceId(): string {
  return `res_${randomText(24, 'lower')}`;
}

export function newCredentialId(): string {
  return `cred_${randomText(24, 'lower')}`;
}
