import type { FastifyInstance } from 'fastify';

/**
 * Any Fastify instance, whatever its logger and type provider: the app is built with pino's
 * Logger and the TypeBox provider, and the plugins that take it (http/plugins, the real providers'
 * mount) use neither.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFastify = FastifyInstance<any, any, any, any, any>;
