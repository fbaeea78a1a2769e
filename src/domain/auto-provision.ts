import { ApiError } from '../errors.js';
import type { Installation } from './installations.js';
import type { Metadata, MetadataSchema } from './metadata.js';

/**
 * Why an auto-provision request cannot finish in the caller's terminal and must continue in a
 * browser (partner-api.md §3.2 step 5: Vercel's 422 "finish in the browser" answers). The vercel
 * CLI prints each of them its own way: it lists the installations for `multiple_installations`,
 * names the missing keys for `metadata_required`, and opens the URL otherwise.
 */
export type BrowserReason = 'multiple_installations' | 'integration_terms_acceptance_required' | 'metadata_required';

/** Which installation an auto-provision request creates its store in. */
export type InstallationChoice =
  | { readonly kind: 'use'; readonly installation: Installation }
  /** The team has none and accepted the integration's terms: install it, then provision. */
  | { readonly kind: 'install' }
  | { readonly kind: 'browser'; readonly reason: BrowserReason; readonly message: string; readonly installations?: readonly Installation[] };

/** The terms an integration asks a team to accept before its first installation. */
export interface IntegrationTerms {
  readonly slug: string;
  readonly eulaDocUri?: string;
  readonly privacyDocUri?: string;
}

/**
 * The policies the vercel CLI sends once a person accepted them in a terminal: `toc` (Vercel's
 * Marketplace end-user addendum) always, `eula` and `privacy` when the integration has those
 * documents, each the ISO time of acceptance.
 */
export type AcceptedPolicies = Readonly<Record<string, string>>;

/**
 * Chooses the installation of `installations` (the team's live ones of this integration) that a
 * store is created in. An explicit `installationId` must be one of them (404 otherwise, like the
 * direct endpoint's unknown configuration). Without one, the only installation is used; several
 * need the person to choose, and none needs the terms accepted first.
 */
export function chooseInstallation(
  installations: readonly Installation[],
  request: { readonly installationId?: string; readonly acceptedPolicies: AcceptedPolicies },
  terms: IntegrationTerms,
): InstallationChoice {
  const ready = installations.filter((i) => i.status === 'ready');
  if (request.installationId !== undefined) {
    const chosen = ready.find((i) => i.id === request.installationId);
    if (!chosen) throw new ApiError('not_found', `The installation ${request.installationId} of ${terms.slug} was not found for this team.`, { param: 'installationId' });
    return { kind: 'use', installation: chosen };
  }
  const [only, ...others] = ready;
  if (only && others.length === 0) return { kind: 'use', installation: only };
  if (only) {
    return { kind: 'browser', reason: 'multiple_installations', message: `The team has ${ready.length} installations of ${terms.slug}; choose one with installationId.`, installations: ready };
  }
  const missing = missingPolicies(terms, request.acceptedPolicies);
  if (missing.length === 0) return { kind: 'install' };
  return {
    kind: 'browser',
    reason: 'integration_terms_acceptance_required',
    message: `Installing ${terms.slug} requires accepting ${missing.join(', ')} first.`,
  };
}

/** The policy keys the integration needs that `accepted` lacks (an empty or unparsable time counts as missing). */
export function missingPolicies(terms: IntegrationTerms, accepted: AcceptedPolicies): string[] {
  const needed = ['toc', ...(terms.eulaDocUri ? ['eula'] : []), ...(terms.privacyDocUri ? ['privacy'] : [])];
  return needed.filter((key) => {
    const at = accepted[key];
    return at === undefined || Number.isNaN(Date.parse(at));
  });
}

/**
 * The required metadata keys a request leaves out and the schema gives no default for: a form
 * must ask for them, so the request goes to the browser instead of failing. Hidden properties are
 * skipped, as the CLI skips them (a person could not fill them in either).
 */
export function missingRequiredMetadata(schema: MetadataSchema, metadata: Metadata): string[] {
  return (schema.required ?? []).filter((key) => {
    const property = schema.properties[key];
    if (metadata[key] !== undefined) return false;
    if (property === undefined) return true;
    return property.default === undefined && property['ui:hidden'] !== true && property['ui:hidden'] !== 'create';
  });
}
