import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the provider saw it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON when the body is JSON, the raw text otherwise, `undefined` when empty. */
  readonly body: unknown;
}

/**
 * How the provider answers one request: a status with a JSON `body` or a `rawBody`, `hang`
 * (never answer, to provoke the client's timeout), or `endless`: a JSON-looking body streamed
 * without length or end, counted in `streamed` (bytes the client took before it closed).
 */
export type ScriptedAnswer =
  | { readonly status: number; readonly body?: unknown; readonly rawBody?: string; readonly headers?: Record<string, string> }
  | { readonly hang: true }
  | { readonly status: number; readonly endless: { streamed: number; closed: boolean } };

export interface ScriptedProvider {
  /** The base URL to give the partner client, e.g. `http://127.0.0.1:41234`. */
  readonly baseUrl: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /**
   * Scripts `METHOD path`: answers are used in order and the last one repeats. Unscripted requests
   * get 404 with a partner-style error body.
   */
  on(method: string, path: string, ...answers: ScriptedAnswer[]): void;
  /** Requests received for `METHOD path`. */
  requestsTo(method: string, path: string): RecordedRequest[];
  close(): Promise<void>;
}

/** A partner-API test double: a real HTTP server on port 0 whose answers each test scripts. */
export async function startScriptedProvider(): Promise<ScriptedProvider> {
  const scripts = new Map<string, ScriptedAnswer[]>();
  const requests: RecordedRequest[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://provider.test');
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: parseBody(text) });
      const queue = scripts.get(`${req.method} ${url.pathname}`);
      const answer = queue && queue.length > 1 ? queue.shift() : queue?.[0];
      respond(res, answer ?? { status: 404, body: { error: { code: 'not_found', message: `unscripted ${req.method} ${url.pathname}` } } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    on(method, path, ...answers) {
      scripts.set(`${method.toUpperCase()} ${path}`, answers);
    },
    requestsTo(method, path) {
      return requests.filter((r) => r.method === method.toUpperCase() && r.path === path);
    },
    close() {
      // Hanging answers keep sockets open; drop them so close() resolves.
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

/** A base URL nothing listens on: bind port 0, note the port, release it. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function respond(res: ServerResponse, answer: ScriptedAnswer): void {
  if ('hang' in answer) return;
  if ('endless' in answer) {
    const counter = answer.endless;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.write('{"padding":"');
    const pump = () => {
      // Stops when the client closes; 1 GiB at most, so a client that reads everything fails the test instead of hanging.
      while (!res.destroyed && counter.streamed < 1024 ** 3) {
        counter.streamed += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
    };
    res.on('close', () => (counter.closed = true));
    pump();
    return;
  }
  const text = answer.rawBody ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
  const headers: Record<string, string> = { ...answer.headers };
  if (answer.rawBody === undefined && answer.body !== undefined) headers['content-type'] = 'application/json';
  res.writeHead(answer.status, headers).end(text);
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
