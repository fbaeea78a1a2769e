import { createServer } from 'node:http';

/**
 * The baseline: a bare `node:http` server that answers every POST with a canned store JSON (after
 * reading the request body, as a real handler must) and every GET with a canned JSON. It does no
 * work at all, so its requests/s is the ceiling of this machine, this Node and this load generator,
 * and every Stockroom number is reported as a ratio to it, measured in the same run.
 */
const store = {
  id: 'store_8Yd7QmXk2LpR4sT9vWz1aB3c',
  name: 'bench-baseline',
  status: 'available',
  product: { id: 'iap_acme_db', slug: 'acme-db', name: 'Acme DB', integrationConfigurationId: 'icfg_4fJ9dK2mN7pQ1rS6tU8vW3xY' },
  billingPlan: { id: 'free', type: 'subscription', name: 'Free', scope: 'resource', paymentMethodRequired: false, cost: '$0.00' },
  metadata: { region: 'iad1', storageGb: 1 },
  externalResourceId: 'res_1a2b3c4d5e6f7g8h9i0j',
  secrets: [
    { name: 'ACME_DB_URL', length: 96 },
    { name: 'ACME_DB_PASSWORD', length: 32 },
  ],
  projectsMetadata: [],
  createdAt: 1767225600000,
  updatedAt: 1767225600000,
};
const postBody = JSON.stringify({ store });
const getBody = JSON.stringify({ store: { ...store, type: 'integration' } });

const server = createServer((request, response) => {
  const body = request.method === 'POST' ? postBody : getBody;
  // Drain the request before answering, as any server that reads JSON bodies does.
  request.on('data', () => {});
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  });
});
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.send?.({ port: address.port });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
