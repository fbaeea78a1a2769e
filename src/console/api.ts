import { readSession } from './session.js';

/** One failing field of a 400 (`invalid_metadata`, or a provider's `validation_error`). */
export interface FieldError {
  readonly key: string;
  readonly message?: string;
}

/** An error answer of Stockroom's API: `{"error":{"code","message",…}}` (README, "Rules"). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: readonly FieldError[] = [],
    /** The request field a schema failure names (`bad_request`, `invalid_payment_method`…). */
    readonly param?: string,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly body?: unknown;
  readonly query?: Record<string, string | number | undefined>;
  /** Send this token instead of the session's (signing in checks a token before keeping it). */
  readonly token?: string;
  /** Leave out the session's `teamId` (user-level calls). */
  readonly noTeam?: boolean;
}

/**
 * Calls Stockroom's public API as the signed-in person, for the chosen team. Every call carries
 * the token as a Bearer header; the console has no privileges of its own.
 */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const session = readSession();
  const token = options.token ?? session?.token;
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  // A query that names its team (by id or by slug) keeps it; otherwise the tab's team.
  if (!options.noTeam && session?.teamId && !url.searchParams.has('teamId') && !url.searchParams.has('slug')) url.searchParams.set('teamId', session.teamId);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  const body: unknown = text === '' ? undefined : safeJson(text);
  if (!response.ok) throw toApiError(response.status, body);
  return body as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toApiError(status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; fields?: unknown; param?: unknown } } | undefined)?.error;
  const fields = Array.isArray(error?.fields) ? (error.fields as FieldError[]).filter((f) => typeof f?.key === 'string') : [];
  return new ApiError(
    status,
    typeof error?.code === 'string' ? error.code : 'unknown',
    typeof error?.message === 'string' ? error.message : `The request failed with status ${status}.`,
    fields,
    typeof error?.param === 'string' ? error.param : undefined,
  );
}
