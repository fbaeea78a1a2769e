/** A secret as the partner API sends it (partner-api.md §1.2). */
export interface Secret {
  readonly name: string;
  readonly value: string;
}
