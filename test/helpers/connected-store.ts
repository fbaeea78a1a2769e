import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { TestDialect } from './databases.js';
import { startTestServer, type ApiServer, type TestResponse, type TestServer } from './stockroom.js';
import { bootstrapInstallationId, createProject, createStore, type CreatedStore } from './stores.js';

/** What the connections endpoint takes besides the project (the wire names). */
export interface ConnectionOptions {
  readonly envVarPrefix?: string;
  readonly envVarEnvironments?: string[];
  readonly makeEnvVarsSensitive?: boolean;
}

/**
 * Connects a store to a project through the real endpoint and asserts the 200, so a test's setup
 * cannot go on with a connection that was refused.
 */
export async function connectStore(server: ApiServer, storeId: string, projectId: string, options: ConnectionOptions = {}): Promise<TestResponse> {
  const res = await server.request('POST', `/v1/storage/stores/${storeId}/connections`, { body: { projectId, ...options } });
  assert.equal(res.status, 200, res.text);
  return res;
}

/** Created stores and projects, in the order their names were given. */
export interface StoresAndProjects<S extends readonly string[], P extends readonly string[]> {
  readonly server: TestServer;
  /** The bootstrap team's installation of the reference integration, which the stores are made on. */
  readonly icfg: string;
  readonly stores: { [K in keyof S]: CreatedStore };
  readonly projects: { [K in keyof P]: { id: string; name: string } };
}

/**
 * The start most store tests share: a fresh Stockroom, free Acme DB stores made through the real
 * create endpoint on the bootstrap installation, and projects of the bootstrap team, none connected.
 */
export async function startWithStoresAndProjects<const S extends readonly string[], const P extends readonly string[]>(
  t: TestContext,
  dialect: TestDialect,
  names: { stores: S; projects: P },
): Promise<StoresAndProjects<S, P>> {
  const server = await startTestServer(t, dialect);
  const icfg = await bootstrapInstallationId(server);
  const stores: CreatedStore[] = [];
  for (const name of names.stores) stores.push(await createStore(server, icfg, name));
  const projects: { id: string; name: string }[] = [];
  for (const name of names.projects) projects.push(await createProject(server, name));
  return { server, icfg, stores: stores as { [K in keyof S]: CreatedStore }, projects: projects as { [K in keyof P]: { id: string; name: string } } };
}
