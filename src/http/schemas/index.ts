/**
 * TypeBox shapes of Stockroom's wire, shared by routes (style.md, "Layout"). Every schema is a plain,
 * `$ref`-free JSON Schema, usable by Fastify's validator (Ajv) and serializer (fast-json-stringify),
 * exported next to a same-named `Static` type. The source for each field is `spec/vercel-contract.md`;
 * `test/contract/wire-schemas.test.ts` checks them against `@vercel/sdk`'s own parser. The closed
 * value lists, the metadata schema and the product shapes live in `src/schemas/` because the
 * catalog validates its file against them too, and nothing outside `http/` imports `http/`.
 */
export * from '../../schemas/enums.js';
export * from './error.js';
export * from './pagination.js';
export * from './billing-plan.js';
export * from '../../schemas/metadata-schema.js';
export * from '../../schemas/product.js';
export * from './store.js';
export * from './integration-configuration.js';
export * from './account.js';
export * from './partner.js';
