import type { MetadataProperty } from './metadata.js';
import { isResourceStatus, RESOURCE_STATUSES, type ResourceStatus } from '../partner-kit/resource-status.js';

/** One test hook, as the README lists it. */
export interface HookDescription {
  readonly name: string;
  /** What a caller sends to set it off. */
  readonly trigger: string;
  /** What the partner then does. */
  readonly effect: string;
}

/**
 * The reference partner's test hooks, in the spirit of Stripe's test cards: a resource name or a
 * metadata key chooses a failure, so every path of a caller can be driven on purpose. A name hook
 * matches the name itself or the name followed by `-` and anything (`fail-500-2`), so one
 * installation can hold several resources that use the same hook.
 */
export const HOOKS: readonly HookDescription[] = [
  {
    name: 'fail-validation',
    trigger: 'Provision with name `fail-validation`',
    effect: '400 `{error:{code:"validation_error", message, fields:[{key:"region", message}]}}`; nothing is stored.',
  },
  {
    name: 'fail-conflict',
    trigger: 'Provision with name `fail-conflict`',
    effect: '409 `{error:{code:"conflict", message}}`; nothing is stored.',
  },
  {
    name: 'fail-500',
    trigger: 'Provision with name `fail-500`',
    effect: '500 `{error:{code:"internal_server_error", message}}`; nothing is stored.',
  },
  {
    name: 'fail-malformed',
    trigger: 'Provision with name `fail-malformed`',
    effect: '200 `{"ok":true}`, which is not a Resource; the resource IS stored (List Resources shows it), like a partner that created it and then answered badly.',
  },
  {
    name: 'fail-slow',
    trigger: 'Provision with name `fail-slow`, or metadata `testing_delay_ms: <ms>` (0–120000)',
    effect: 'The resource is stored at once; the answer (a refusal too) comes after the delay (default 5000 ms, plugin option `slowAnswerDelayMs`), so callers time out. A retry with the same Idempotency-Key is answered at once.',
  },
  {
    name: 'pending',
    trigger: 'Provision with a name starting `pending-`, or metadata `testing_initial_status: "pending"` (any resource status is accepted)',
    effect: 'The resource starts `pending` (its secrets are returned at once) and reads as `ready` once `testing_ready_after_ms` (default 2000 ms, plugin option `pendingReadyAfterMs`) have passed since its creation; computed from the stored creation time, so it holds across replicas and restarts.',
  },
  {
    name: 'fail-delete',
    trigger: 'Delete Resource on a resource named `fail-delete`',
    effect: '500 `{error:{code:"internal_server_error", message}}`; the resource stays.',
  },
  {
    name: 'fail-purchase',
    trigger: 'Provision Purchase (a prepaid credit purchase) for a resource named `fail-purchase`',
    effect: '409 `{error:{code:"conflict", message}}`; nothing is credited, so Stockroom refunds the purchase and deletes the resource.',
  },
  {
    name: 'free-quota',
    trigger: 'Off unless armed: plugin option `freeResourceQuota` set to a number N (Stockroom `STOCKROOM_REFERENCE_FREE_QUOTA=N`, standalone `REFERENCE_PARTNER_FREE_QUOTA=N`), then an installation holding N or more live resources on the `free` plan',
    effect: 'The `free` plan is left out of every plan list of that installation, and Provision or Update Resource to `free` answers 400 `{error:{code:"free_quota_exceeded", message}}`.',
  },
  {
    name: 'finalize-later',
    trigger: 'Delete Installation of an installation holding a live resource whose name is `finalize-later` or starts `finalize-later-`',
    effect: 'Answers 200 `{finalized:false}` instead of `{finalized:true}`: the partner still has final invoices to send, so Stockroom keeps accepting its billing calls until it calls Finalize Installation or the wait ends. The partner sends Finalize Installation (`POST /v1/installations/{icfg}/billing/finalize`) on its next jobs pass; `unfinalized` never does.',
  },
  {
    name: 'unknown-plan',
    trigger: 'Provision or Update Resource with a `billingPlanId` the product does not offer',
    effect: '400 `validation_error` with `fields:[{key:"billingPlanId", message}]` (Vercel\'s example partner answers 500).',
  },
  {
    name: 'invoice-notpaid',
    trigger: 'A resource on the `pro` plan named `invoice-notpaid` when its monthly invoice is submitted',
    effect: 'The invoice is submitted in test mode with `test:{result:"notpaid"}`, so Stockroom settles it `notpaid`; the partner follows it to that state.',
  },
  {
    name: 'invoice-refund',
    trigger: 'A resource on the `pro` plan named `invoice-refund` whose monthly invoice is paid',
    effect: 'On its next jobs pass after learning the invoice is `paid` (Get Invoice or the `marketplace.invoice.paid` webhook), the partner asks for a full refund (Invoice Actions `refund`) and follows the invoice to `refunded`.',
  },
  {
    name: 'unfinalized',
    trigger: 'Delete Installation of an installation holding a live resource whose name is `unfinalized` or starts `unfinalized-`',
    effect: 'Answers `{finalized:false}` and never sends Finalize Installation, so Stockroom\'s finalization timeout is what completes the uninstall.',
  },
  {
    name: 'webhook-fail-first',
    trigger: 'Webhook URL with the query `?fail_first=N` (e.g. catalog `webhookUrl: "builtin:reference/webhooks?fail_first=2"`), N 1–100',
    effect: 'The first N deliveries of each event id are answered 500 `internal_server_error` (after the signature check), the next ones 200; the event is acted on once.',
  },
];

/** `invoice-notpaid`: the `test.result` a resource's invoices are submitted with, or null for a real invoice. */
export function invoiceTestResult(name: string): 'notpaid' | null {
  return nameMatches(name, 'invoice-notpaid') ? 'notpaid' : null;
}

/** `invoice-refund`: whether the partner refunds the resource's invoices once paid. */
export function refundsWhenPaid(name: string): boolean {
  return nameMatches(name, 'invoice-refund');
}

/**
 * What Delete Installation answers for an installation holding these live resources: `held`
 * (`unfinalized`) and `pending` (`finalize-later`) answer `{finalized:false}`; null is final.
 */
export function finalizationHook(resourceNames: readonly string[]): 'held' | 'pending' | null {
  if (resourceNames.some((n) => nameMatches(n, 'unfinalized'))) return 'held';
  if (resourceNames.some(asksToFinalizeLater)) return 'pending';
  return null;
}

/** Deliveries of each webhook event to refuse (`webhook-fail-first`), from the query's `fail_first`. */
export function webhookFailFirst(value: unknown): number {
  const n = typeof value === 'string' && /^[0-9]{1,3}$/.test(value) ? Number(value) : 0;
  return Math.min(n, 100);
}

/** Longest answer delay a caller may ask for: long enough to outlast any client timeout. */
const MAX_DELAY_MS = 120_000;
/** Longest a resource may be asked to stay pending. */
const MAX_READY_AFTER_MS = 600_000;

/**
 * The metadata keys behind the hooks, as hidden schema properties. Declaring them in every
 * product's schema lets a caller that validates metadata against the schema pass them through.
 */
export const TESTING_METADATA_PROPERTIES: Readonly<Record<string, MetadataProperty>> = {
  testing_initial_status: {
    type: 'string',
    'ui:control': 'select',
    'ui:hidden': true,
    'ui:label': 'Test hook: initial status',
    description: 'The status the resource starts with; `pending` turns `ready` after testing_ready_after_ms.',
    'ui:options': RESOURCE_STATUSES.map((status) => ({ value: status, label: status })),
  },
  testing_ready_after_ms: {
    type: 'number',
    'ui:control': 'input',
    'ui:hidden': true,
    'ui:label': 'Test hook: milliseconds until a pending resource is ready',
    minimum: 0,
    maximum: MAX_READY_AFTER_MS,
  },
  testing_delay_ms: {
    type: 'number',
    'ui:control': 'input',
    'ui:hidden': true,
    'ui:label': 'Test hook: milliseconds before the provision answer',
    minimum: 0,
    maximum: MAX_DELAY_MS,
  },
};

/** Defaults of the timed hooks, from the plugin's options. */
export interface HookDefaults {
  /** Delay of a `fail-slow` answer without `testing_delay_ms`, ms. */
  readonly slowAnswerDelayMs: number;
  /** Time a pending resource takes to become ready without `testing_ready_after_ms`, ms. */
  readonly pendingReadyAfterMs: number;
}

/** What the hooks ask of one provision. */
export interface ProvisionHooks {
  /** Answer with this failure before anything is stored. */
  readonly failure: 'validation' | 'conflict' | 'server' | null;
  /** Store the resource, then answer 200 with a body that is not a Resource. */
  readonly malformedAnswer: boolean;
  /** Wait this long before answering, ms; 0 answers at once. */
  readonly answerDelayMs: number;
  readonly initialStatus: ResourceStatus;
  /** Milliseconds after creation when a pending resource turns ready; null when not pending. */
  readonly readyAfterMs: number | null;
}

export function readProvisionHooks(name: string, metadata: Readonly<Record<string, unknown>>, defaults: HookDefaults): ProvisionHooks {
  const failure = nameMatches(name, 'fail-validation')
    ? 'validation'
    : nameMatches(name, 'fail-conflict')
      ? 'conflict'
      : nameMatches(name, 'fail-500')
        ? 'server'
        : null;
  const askedDelay = boundedNumber(metadata.testing_delay_ms, MAX_DELAY_MS);
  const answerDelayMs = askedDelay ?? (nameMatches(name, 'fail-slow') ? defaults.slowAnswerDelayMs : 0);
  const askedStatus = metadata.testing_initial_status;
  const initialStatus: ResourceStatus = isResourceStatus(askedStatus) ? askedStatus : name.startsWith('pending-') ? 'pending' : 'ready';
  const readyAfterMs = initialStatus === 'pending'
    ? (boundedNumber(metadata.testing_ready_after_ms, MAX_READY_AFTER_MS) ?? defaults.pendingReadyAfterMs)
    : null;
  return { failure, malformedAnswer: nameMatches(name, 'fail-malformed'), answerDelayMs, initialStatus, readyAfterMs };
}

/** Whether deleting a resource of this name must fail (`fail-delete`). */
export function failsOnDelete(name: string): boolean {
  return nameMatches(name, 'fail-delete');
}

/** The `fail-purchase` hook: Provision Purchase for this resource is refused. */
export function failsOnPurchase(name: string): boolean {
  return nameMatches(name, 'fail-purchase');
}

/** Whether deleting an installation holding a resource of this name answers `{finalized:false}` (`finalize-later`). */
export function asksToFinalizeLater(name: string): boolean {
  return nameMatches(name, 'finalize-later');
}

function nameMatches(name: string, hook: string): boolean {
  return name === hook || name.startsWith(`${hook}-`);
}

// Out-of-range values are ignored here; metadata validation reports them to the caller.
function boundedNumber(value: unknown, max: number): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max ? value : null;
}
