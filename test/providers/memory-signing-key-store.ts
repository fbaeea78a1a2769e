import type { SigningKeyStore, StoredSigningKey } from '../../src/providers/signing-keys.js';

/**
 * An in-memory SigningKeyStore with the database's contract: newest first, and a unique `kid` that
 * refuses the second insert. `insertAttempts` lets a test prove a race really happened.
 */
export class MemorySigningKeyStore implements SigningKeyStore {
  readonly keys: StoredSigningKey[] = [];
  insertAttempts = 0;

  async listKeys(): Promise<StoredSigningKey[]> {
    return [...this.keys].sort((a, b) => b.createdAt - a.createdAt);
  }

  async insertKey(key: StoredSigningKey): Promise<boolean> {
    this.insertAttempts += 1;
    if (this.keys.some((k) => k.kid === key.kid)) return false;
    this.keys.push(key);
    return true;
  }
}
