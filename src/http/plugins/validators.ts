import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { AnyFastify } from '../app-type.js';

/**
 * Two validators: query strings, params and headers arrive as text, so they are coerced
 * (`?limit=5` → 5); JSON bodies are not, so `42` is never accepted where a string is required
 * (the SDK may send `integrationProductIdOrSlug: 42`, vercel-contract.md §10.3) and `"5000"` is not a
 * number of cents.
 */
export function registerValidators(app: AnyFastify): void {
  const common: Options = { allErrors: false, useDefaults: true, removeAdditional: true, strict: false };
  const forText = addFormats.default(new Ajv({ ...common, coerceTypes: 'array' }));
  const forBody = addFormats.default(new Ajv({ ...common, coerceTypes: false }));
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? forBody : forText).compile(schema));
}
