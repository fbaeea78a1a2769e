import { ProvisionFailure } from '../domain/create-store.js';
import type { ProviderError } from '../providers/provider-error.js';

/** A provider's error as a create's failure: a 4xx means the provider made nothing (`rejected`); anything else may have left something behind (`unknown`). */
export function provisionFailureOf(error: ProviderError): ProvisionFailure {
  const rejected = error.kind === 'validation' || error.kind === 'conflict' || error.kind === 'forbidden' || error.kind === 'not_found';
  return new ProvisionFailure(rejected ? 'rejected' : 'unknown', error.toApiError());
}
