/**
 * TypeBox shapes of Stockroom's wire, shared by routes (style.md, "Layout"). Every schema is a plain,
 * `$ref`-free JSON Schema, usable by Fastify's validator (Ajv) and serializer (fast-json-stringify),
 * exported next to a same-named `Static` type. The source for each field is `spec/vercel-contract.md`;
 * `test/contract/wire-schemas.test.ts` checks them against `@vercel/sdk`'s own parser.
 */
export * from './enums.js';
export * from './error.js';
export * from './pagination.js';
export * from './billing-plan.js';
export * from './metadata-schema.js';
export * from './product.js';
export * from './store.js';
export * from './integration-configuration.js';
export * from './account.js';
