/**
 * The errors a partner server built on the kit answers with, in the partner API's shape
 * `{"error":{"code","message","fields"?}}` (partner-api.md §1). A partner is a separate service
 * from Stockroom's point of view, so it keeps its own small catalogue instead of Stockroom's; the
 * status always comes from here.
 */
export const PARTNER_ERRORS = {
  validation_error: 400,
  free_quota_exceeded: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  internal_server_error: 500,
} as const satisfies Record<string, number>;

export type PartnerErrorCode = keyof typeof PARTNER_ERRORS;

/** One field that failed validation; `fields` is only sent with 400 answers. */
export interface FieldError {
  readonly key: string;
  readonly message?: string;
}

export class PartnerError extends Error {
  readonly code: PartnerErrorCode;
  readonly status: number;
  readonly fields: readonly FieldError[] | undefined;

  constructor(code: PartnerErrorCode, message: string, fields?: readonly FieldError[]) {
    super(message);
    this.name = 'PartnerError';
    this.code = code;
    this.status = PARTNER_ERRORS[code];
    this.fields = fields;
  }

  toBody(): { error: { code: PartnerErrorCode; message: string; fields?: FieldError[] } } {
    const error: { code: PartnerErrorCode; message: string; fields?: FieldError[] } = { code: this.code, message: this.message };
    if (this.fields && this.fields.length > 0) error.fields = [...this.fields];
    return { error };
  }
}

/** A 400 naming the fields at fault. */
export function validationError(fields: readonly FieldError[], message?: string): PartnerError {
  const text = message ?? fields.map((f) => (f.message ? `${f.key}: ${f.message}` : f.key)).join('; ');
  return new PartnerError('validation_error', text, fields);
}
