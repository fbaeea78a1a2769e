/**
 * The error catalogue: every error Stockroom answers with, its HTTP status and default message.
 * The status always comes from here, never from the place that throws (style.md, "Errors").
 * This module imports nothing from the project.
 */
export const ERROR_CATALOGUE = {
  bad_request: { status: 400, message: 'One of the provided values in the request is invalid.' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  no_free_plan: { status: 400, message: 'No free billing plan is available for this product.' },
  invalid_billing_plan: { status: 400, message: 'The billing plan is not available for this product.' },
  invalid_metadata: { status: 400, message: 'The metadata does not match the product schema.' },
  invalid_payment_method: { status: 400, message: 'The payment method does not belong to this team.' },
  payment_method_required: { status: 400, message: 'A payment method is required for paid plans.' },
  invalid_prepayment_amount: { status: 400, message: 'The prepayment amount is out of range.' },
  provider_validation_error: { status: 400, message: 'The provider rejected the request.' },
  unauthorized: { status: 401, message: 'The request is not authorized.' },
  account_soft_blocked: { status: 402, message: 'The account was soft-blocked for an unpaid invoice.' },
  payment_declined: { status: 402, message: 'The payment method was declined.' },
  forbidden: { status: 403, message: 'Not authorized' },
  not_found: { status: 404, message: 'The requested resource was not found.' },
  method_unknown: { status: 405, message: 'This method is not allowed on this endpoint.' },
  request_timeout: { status: 408, message: 'The request was not received in time.' },
  conflict: { status: 409, message: 'The resource conflicts with an existing one.' },
  last_owner: { status: 409, message: 'A team keeps at least one OWNER.' },
  idempotency_key_in_use: { status: 409, message: 'A request with this idempotency key is still in progress.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'The request content type is not supported.' },

  unprocessable_entity: { status: 422, message: 'The request is well formed but cannot be applied.' },
  idempotency_key_reused: { status: 422, message: 'This idempotency key was used with a different request.' },
  rate_limited: { status: 429, message: 'Too many requests, slow down.' },
  request_header_fields_too_large: { status: 431, message: 'The request line and headers are larger than 16 KiB.' },
  internal_server_error: { status: 500, message: 'An unexpected internal error occurred.' },
  provisioning_failed: { status: 500, message: 'The provider failed to provision the resource.' },
  service_unavailable: { status: 503, message: 'The service is not ready.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Documented extra fields an error body may carry next to `code` and `message`. */
export interface ErrorExtras {
  /** The request field that failed validation (docs/rules.md §1.4). */
  param?: string;
  /** Every failing field, e.g. of `metadata` or of a provider's 400 (docs/rules.md §1.7). */
  fields?: Array<{ key: string; message?: string }>;
  /** The id of the store that conflicts (docs/rules.md §4). */
  storeId?: string;
  /** Rate limit state on 429 (docs/rules.md §7). */
  limit?: { remaining: number; reset: number; resetMs: number; total: number };
  [key: string]: unknown;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly extras: ErrorExtras;
  /** Headers to send with the error, e.g. `Retry-After`. */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message?: string, extras: ErrorExtras = {}, headers: Record<string, string> = {}) {
    super(message ?? ERROR_CATALOGUE[code].message);
    this.name = 'ApiError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.extras = extras;
    this.headers = headers;
  }

  /** The wire body, Vercel's shape: `{"error":{"code","message",...}}`. */
  toBody(): { error: { code: ErrorCode; message: string } & ErrorExtras } {
    return { error: { code: this.code, message: this.message, ...this.extras } };
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}
