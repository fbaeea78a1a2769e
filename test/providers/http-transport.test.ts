import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { describe, it, type TestContext } from 'node:test';
import { createHttpTransport } from '../../src/providers/http-transport.js';

async function serve(t: TestContext, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const server = createServer(handler);
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  t.after(() => server.closeAllConnections());
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, connections: () => connections };
}

describe('provider HTTP transport', () => {
  it('sends the method, headers and body, and answers the status and the text', async (t) => {
    const { url } = await serve(t, (req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, key: req.headers['idempotency-key'], body })));
    });
    const answer = await createHttpTransport()({ method: 'POST', url: `${url}/x`, headers: { 'idempotency-key': 'k1' }, body: '{"a":"é"}', timeoutMs: 5000 });
    assert.equal(answer.status, 201);
    assert.deepEqual(JSON.parse(answer.text), { method: 'POST', key: 'k1', body: '{"a":"é"}' });
  });

  it('keeps the connection for the next request', async (t) => {
    const { url, connections } = await serve(t, (_req, res) => res.end('ok'));
    const transport = createHttpTransport();
    for (let i = 0; i < 3; i += 1) assert.equal((await transport({ method: 'GET', url, headers: {}, timeoutMs: 5000 })).text, 'ok');
    assert.equal(connections(), 1);
  });

  it('does not follow a redirect, which would replay the token elsewhere', async (t) => {
    const { url } = await serve(t, (_req, res) => res.writeHead(302, { location: 'http://example.invalid/' }).end());
    assert.equal((await createHttpTransport()({ method: 'GET', url, headers: {}, timeoutMs: 5000 })).status, 302);
  });

  it('gives up with a TimeoutError when the body does not finish in time', async (t) => {
    const { url } = await serve(t, (_req, res) => res.writeHead(200).write('{"partial":'));
    await assert.rejects(createHttpTransport()({ method: 'GET', url, headers: {}, timeoutMs: 100 }), { name: 'TimeoutError' });
  });
});
