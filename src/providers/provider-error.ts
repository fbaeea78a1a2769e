import { ApiError } from '../errors.js';

/**
 * What went wrong in a call to a provider:
 * `validation` (400/422), `conflict` (409), `not_found` (404/410), `forbidden` (401/403, usually
 * our token or configuration), `server` (5xx or any other unexpected status), `timeout` (no full
 * answer in time), `network` (no connection), `malformed` (a 2xx whose body breaks the partner API).
 */
export type ProviderErrorKind = 'validation' | 'conflict' | 'not_found' | 'forbidden' | 'server' | 'timeout' | 'network' | 'malformed';

/** A field the provider rejected, from its 400 body (partner-api.md §1, error body). */
export interface ProviderErrorField {
  readonly key: string;
  readonly message?: string;
}

export interface ProviderErrorDetails {
  /** The partner-API operation, e.g. `provisionResource`; safe to log. */
  readonly operation: string;
  /** The provider's HTTP status; absent for timeouts and network failures. */
  readonly status?: number;
  /** The provider's `error.code`. */
  readonly code?: string;
  /** The provider's `error.message`, written for the end user. */
  readonly providerMessage?: string;
  readonly fields?: readonly ProviderErrorField[];
  /** How long the provider asked us to wait (its `Retry-After`), in ms. */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

/** Longest provider text we pass on to our caller; a provider's message is untrusted input. */
const MAX_PROVIDER_MESSAGE = 500;

/**
 * A failed call to a provider. Its message names the operation and the outcome only, never the
 * token or any secret, so it is safe to log.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly kind: ProviderErrorKind;
  readonly operation: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly providerMessage: string | undefined;
  readonly fields: readonly ProviderErrorField[] | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(kind: ProviderErrorKind, details: ProviderErrorDetails) {
    const code = details.code?.slice(0, 100);
    super(`provider ${details.operation} failed: ${describe(kind, { status: details.status, code })}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.operation = details.operation;
    this.status = details.status;
    this.code = code;
    this.providerMessage = details.providerMessage?.slice(0, MAX_PROVIDER_MESSAGE);
    this.fields = details.fields;
    this.retryAfterMs = details.retryAfterMs;
  }

  /**
   * Vercel's shape for this failure (docs/rules.md §1.10, partner-api.md §2.8): a provider's 400
   * (or 422) passes through as `provider_validation_error` with the provider's message and, when it
   * named them, its `fields`; a 409 as `conflict`; everything else is our `provisioning_failed` 500.
   */
  toApiError(): ApiError {
    if (this.kind === 'validation') {
      const extras = this.fields && this.fields.length > 0 ? { fields: this.fields.map((f) => ({ ...f })) } : {};
      return new ApiError('provider_validation_error', this.providerMessage, extras);
    }
    if (this.kind === 'conflict') return new ApiError('conflict', this.providerMessage);
    return new ApiError('provisioning_failed', `The provider failed to handle ${this.operation}: ${describe(this.kind, this)}.`);
  }
}

export function isProviderError(value: unknown): value is ProviderError {
  return value instanceof ProviderError;
}

function describe(kind: ProviderErrorKind, d: Pick<ProviderErrorDetails, 'status' | 'code'>): string {
  switch (kind) {
    case 'timeout':
      return 'it did not answer in time';
    case 'network':
      return 'it could not be reached';
    case 'malformed':
      return `it answered HTTP ${d.status ?? '2xx'} with a body that does not match the partner API`;
    default:
      return `it answered HTTP ${d.status ?? '?'}${d.code ? ` (${d.code})` : ''}`;
  }
}
