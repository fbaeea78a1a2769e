/**
 * The store routes answer with `JSON.stringify` instead of fast-json-stringify (issue 7; see
 * src/http/plugins/presenter-serializer.ts). These real answers must therefore be exactly what the
 * schema-driven serializer would have written: valid against the route's documented schema, and
 * unchanged by fast-json-stringify (nothing the schema does not name, nothing it would coerce).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import fastJsonStringify from 'fast-json-stringify';
import { dialectsToTest } from '../helpers/databases.js';
import { startTestServer, type TestResponse, type TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId, createProject, createStore } from '../helpers/stores.js';

function responseSchema(spec: any, path: string, method: string): object {
  const schema = spec.paths[path]?.[method]?.responses?.['200']?.content?.['application/json']?.schema;
  assert.ok(schema, `no 200 schema for ${method.toUpperCase()} ${path}`);
  return schema;
}

function assertSerializedAsSchemaWould(schema: object, answer: TestResponse, what: string): void {
  assert.equal(answer.status, 200, `${what}: ${answer.text}`);
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);
  assert.ok(validate(answer.body), `${what} does not match its schema: ${ajv.errorsText(validate.errors)}`);
  assert.deepEqual(JSON.parse(fastJsonStringify(schema as never)(answer.body)), answer.body, `${what} differs from the schema's serialization`);
}

for (const dialect of dialectsToTest()) {
  describe(`store answers serialized as their schemas would (${dialect})`, () => {
    it('create, get and list, with a paid plan, metadata and a project connection', async (t) => {
      const server: TestServer = await startTestServer(t, dialect);
      const spec = (await server.request('GET', '/openapi.json')).body;
      const icfg = await bootstrapInstallationId(server);
      const created = await server.request('POST', '/v1/storage/stores/integration/direct', {
        body: { name: 'shaped', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' }, billingPlanId: 'pro', paymentMethodId: 'pm_card_visa' },
      });
      assertSerializedAsSchemaWould(responseSchema(spec, '/v1/storage/stores/integration/direct', 'post'), created, 'the create answer');
      await createStore(server, icfg, 'plain');
      const project = await createProject(server, 'web');
      const connected = await server.request('POST', `/v1/storage/stores/${created.body.store.id}/connections`, { body: { projectId: project.id, envVarEnvironments: ['production'] } });
      assert.ok(connected.status < 300, connected.text);

      const one = await server.request('GET', `/v1/storage/stores/${created.body.store.id}`);
      assertSerializedAsSchemaWould(responseSchema(spec, '/v1/storage/stores/{id}', 'get'), one, 'the store read');
      assert.equal(one.body.store.projectsMetadata.length, 1);
      assert.equal(one.body.store.billingPlan.id, 'pro');

      const list = await server.request('GET', '/v1/storage/stores?limit=5');
      assertSerializedAsSchemaWould(responseSchema(spec, '/v1/storage/stores', 'get'), list, 'the store list');
      assert.deepEqual(list.body.stores.map((s: { name: string }) => s.name).sort(), ['plain', 'shaped']);

      // What was stored is what was answered.
      const row = await server.stockroom.ctx.db.selectFrom('stores').select(['name', 'billing_plan_id']).where('id', '=', created.body.store.id).executeTakeFirstOrThrow();
      assert.deepEqual(row, { name: 'shaped', billing_plan_id: 'pro' });
    });
  });
}
