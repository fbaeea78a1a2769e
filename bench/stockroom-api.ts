import { createBody } from './scenarios.js';

/** The few calls the bench makes itself, before the load starts. */
export interface StockroomApi {
  /** The bootstrap team's installation of the built-in reference integration. */
  referenceInstallation(): Promise<string>;
  /** Creates one free-plan store through the API and returns its id. */
  createStore(): Promise<string>;
}

export function stockroomApi(url: string, token: string): StockroomApi {
  const call = async (method: string, path: string, body?: string): Promise<unknown> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body } : {}),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as unknown;
  };
  return {
    async referenceInstallation() {
      // The bootstrap team's installation is made just after the server starts listening.
      const until = Date.now() + 30_000;
      while (Date.now() < until) {
        const installations = (await call('GET', '/v1/integrations/configurations')) as Array<{ id: string; status?: string }>;
        const id = installations.find((i) => i.status === 'ready')?.id;
        if (id) return id;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('the bootstrap installation of the reference integration did not appear within 30 s');
    },
    async createStore() {
      const installationId = await this.referenceInstallation();
      const { store } = (await call('POST', '/v1/storage/stores/integration/direct', createBody({ installationId }, {}))) as { store: { id: string } };
      return store.id;
    },
  };
}
