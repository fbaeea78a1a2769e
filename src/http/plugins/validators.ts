import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { AnyFastify } from '../../any-fastify.js';

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
  // Compiled on first use, not at start-up: most routes are never called in a given run, and
  // compiling them all took a good part of a cold start (issue 7). Fastify reads `errors` from the
  // function it called, so the wrapper passes them on.
  app.setValidatorCompiler(({ schema, httpPart }) => {
    let compiled: ValidateFunction | undefined;
    const validate = Object.assign(
      (data: unknown): boolean => {
        compiled ??= (httpPart === 'body' ? forBody : forText).compile(schema);
        const valid = compiled(data);
        validate.errors = compiled.errors;
        return valid;
      },
      { errors: undefined as ValidateFunction['errors'] },
    );
    return validate;
  });
}
