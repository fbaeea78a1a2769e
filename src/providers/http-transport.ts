import http from 'node:http';
import https from 'node:https';

/** One request to a provider: what the partner client sends. */
export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** For the whole exchange, reading the body included. */
  readonly timeoutMs: number;
  /**
   * The longest body read, in bytes: past it the transport stops reading (closing the connection)
   * and answers `bodyTooLarge` with an empty `text`, so a provider cannot fill our memory.
   */
  readonly maxBodyBytes?: number;
}

/** The answer: its status and its body as text. Redirects are not followed. */
export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
  /** The body was longer than `maxBodyBytes`; `text` is then empty. */
  readonly bodyTooLarge?: boolean;
  /** The `Retry-After` header, as sent. */
  readonly retryAfter?: string;
}

/** Sends a request; rejects with a `TimeoutError` when `timeoutMs` passes, or the socket's error. */
export type HttpTransport = (request: HttpRequest) => Promise<HttpAnswer>;

/** The request took longer than its `timeoutMs`. */
export class HttpTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * Idle keep-alive sockets are closed after this long, well before a server would close them
 * (Node's default is 5 s, Fastify's 72 s), so a request is rarely sent on a socket being closed.
 */
const IDLE_SOCKET_MS = 4000;

/**
 * Provider calls over `node:http`/`node:https` with keep-alive connections. The global `fetch`
 * (undici) costs several times more CPU per call, measured at about 330 µs against 80 µs on a
 * loopback call, and every create makes provider calls (issue 7).
 */
export function createHttpTransport(): HttpTransport {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' }),
    'https:': new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' }),
  };
  const send = (request: HttpRequest, url: URL, retryOnStaleSocket: boolean): Promise<HttpAnswer> =>
    new Promise((resolve, reject) => {
      const secure = url.protocol === 'https:';
      const headers: Record<string, string | number> = { ...request.headers };
      if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);
      const outgoing = (secure ? https : http).request(url, { method: request.method, headers, agent: agents[secure ? 'https:' : 'http:'] });
      const timer = setTimeout(() => outgoing.destroy(new HttpTimeoutError(`no answer within ${request.timeoutMs} ms`)), request.timeoutMs);
      outgoing.on('response', (incoming) => {
        const status = incoming.statusCode ?? 0;
        const retryAfter = incoming.headers['retry-after'];
        const head = retryAfter === undefined ? { status } : { status, retryAfter };
        const max = request.maxBodyBytes ?? Infinity;
        const chunks: Buffer[] = [];
        let length = 0;
        const tooLarge = () => {
          clearTimeout(timer);
          // Destroying the response closes the socket: nothing more is read or buffered.
          incoming.destroy();
          resolve({ ...head, text: '', bodyTooLarge: true });
        };
        if (Number(incoming.headers['content-length']) > max) return tooLarge();
        incoming.on('data', (chunk: Buffer) => {
          length += chunk.length;
          if (length > max) return tooLarge();
          chunks.push(chunk);
        });
        incoming.on('end', () => {
          clearTimeout(timer);
          resolve({ ...head, text: Buffer.concat(chunks, length).toString('utf8') });
        });
        incoming.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        // A kept-alive socket the server closed just as we reused it: the request never reached
        // the server, so sending it once more on a new socket is safe (Node's documented remedy).
        if (retryOnStaleSocket && outgoing.reusedSocket && error.code === 'ECONNRESET') {
          send(request, url, false).then(resolve, reject);
          return;
        }
        reject(error);
      });
      outgoing.end(request.body);
    });
  return (request) => send(request, new URL(request.url), true);
}
