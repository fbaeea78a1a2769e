import type { ExchangeRecord } from './check-result.js';

/** One request to the partner under test. */
export interface PartnerRequest {
  readonly method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the partner's base URL, starting with `/v1/`. */
  readonly path: string;
  /** `Authorization: Bearer <token>`; null sends no Authorization header at all. */
  readonly token: string | null;
  readonly body?: unknown;
  readonly idempotencyKey?: string;
}

/** A request and what came back; `status` is absent when nothing came back in time. */
export interface Exchange {
  readonly request: { readonly method: string; readonly url: string; readonly headers: Readonly<Record<string, string>>; readonly body?: string };
  readonly status?: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  readonly json: unknown;
  readonly isJson: boolean;
  readonly durationMs: number;
  /** Why there is no answer: a timeout, a refused connection, the run being stopped. */
  readonly error?: string;
}

export interface PartnerHttp {
  send(request: PartnerRequest): Promise<Exchange>;
  /** Every exchange of the run, oldest first (the error-body and secret-leak checks read them). */
  readonly exchanges: readonly Exchange[];
}

export interface PartnerHttpOptions {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  /** Aborted when the person stops the run (Ctrl-C): requests in flight end at once. */
  readonly signal: AbortSignal;
  readonly userAgent: string;
}

/** The longest answer read; the partner API's answers are small, and a report must stay readable. */
const MAX_ANSWER_CHARS = 256 * 1024;

/**
 * Sends the checker's requests with Node's fetch, only ever to the partner's base URL: the path is
 * appended to it, never resolved against it, so no answer can send the checker elsewhere.
 * Redirects are not followed.
 */
export function createPartnerHttp(options: PartnerHttpOptions): PartnerHttp {
  const base = options.baseUrl.replace(/\/+$/, '');
  const exchanges: Exchange[] = [];
  return {
    exchanges,
    async send(request) {
      const url = `${base}${request.path}`;
      const headers: Record<string, string> = { accept: 'application/json', 'user-agent': options.userAgent };
      if (request.token !== null) headers.authorization = `Bearer ${request.token}`;
      if (request.idempotencyKey !== undefined) headers['idempotency-key'] = request.idempotencyKey;
      const body = request.body === undefined ? undefined : JSON.stringify(request.body);
      if (body !== undefined) headers['content-type'] = 'application/json';
      const sent = { method: request.method, url, headers, ...(body === undefined ? {} : { body }) };
      const started = performance.now();
      let exchange: Exchange;
      try {
        const answer = await fetch(url, {
          method: request.method,
          headers,
          ...(body === undefined ? {} : { body }),
          redirect: 'manual',
          signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
        });
        const text = (await answer.text()).slice(0, MAX_ANSWER_CHARS);
        const parsed = parseJson(text);
        exchange = {
          request: sent,
          status: answer.status,
          headers: Object.fromEntries(answer.headers),
          text,
          json: parsed.value,
          isJson: parsed.ok,
          durationMs: Math.round(performance.now() - started),
        };
      } catch (error) {
        exchange = { request: sent, headers: {}, text: '', json: undefined, isJson: false, durationMs: Math.round(performance.now() - started), error: describeFailure(error, options.timeoutMs) };
      }
      exchanges.push(exchange);
      return exchange;
    },
  };
}

function parseJson(text: string): { ok: boolean; value: unknown } {
  if (text.trim() === '') return { ok: false, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, value: undefined };
  }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (error instanceof DOMException && error.name === 'AbortError') return 'the run was stopped';
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error instanceof Error ? error.message : String(error)}${cause}`;
}

/** An exchange as a report shows it (masking happens when the report is written). */
export function recordOf(exchange: Exchange): ExchangeRecord {
  const request = { method: exchange.request.method, url: exchange.request.url, headers: exchange.request.headers, ...(exchange.request.body === undefined ? {} : { body: parseJson(exchange.request.body).value }) };
  if (exchange.status === undefined) return { request, error: exchange.error ?? 'no answer' };
  return {
    request,
    response: { status: exchange.status, headers: exchange.headers, body: exchange.isJson ? exchange.json : exchange.text, durationMs: exchange.durationMs },
  };
}
