import fastJsonStringify, { type Schema } from 'fast-json-stringify';
import type { AnyFastify } from '../../any-fastify.js';

/**
 * Response serializers, compiled on first use instead of at start-up. Fastify compiles a
 * fast-json-stringify function for every status code of every route when the server becomes
 * ready: hundreds of them here (each route lists its error answers), about half a second of a
 * cold start that should take under one (issue 7). Each route now pays for its own schemas the
 * first time it answers with them, in a few milliseconds; the output is the same, since this is
 * the compiler Fastify uses (fast-json-stringify, a dependency of fastify pinned by
 * package-lock.json) with the options Fastify gives it: our schemas are `$ref`-free, so there
 * are no shared schemas to pass.
 */
export function registerSerializers(app: AnyFastify): void {
  app.setSerializerCompiler(({ schema }) => lazySchemaSerializer(schema));
}

/** fast-json-stringify for `schema`, compiled the first time it serializes. */
export function lazySchemaSerializer(schema: unknown): (data: unknown) => string {
  let serialize: ((data: unknown) => string) | undefined;
  return (data: unknown) => (serialize ??= fastJsonStringify(schema as Schema))(data);
}
