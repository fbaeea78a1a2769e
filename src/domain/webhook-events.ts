/**
 * The webhooks Stockroom sends to partners (issue 15 §4, docs/webhooks.md): the event types it has
 * a triggering action for, their payloads in the shape of Vercel's webhook reference, the states
 * of an event in the outbox and the retry schedule. Pure: the outbox (db/webhook-outbox.ts) stores
 * them, the delivery job (jobs/webhook-delivery.ts) sends them.
 */

/** Vercel's webhook types Stockroom sends. `marketplace.invoice.*` are enqueued by invoicing. */
export const WEBHOOK_TYPES = {
  configurationRemoved: 'integration-configuration.removed',
  projectConnected: 'integration-resource.project-connected',
  projectDisconnected: 'integration-resource.project-disconnected',
  memberChanged: 'marketplace.member.changed',
} as const;

/**
 * An outbox event's state. `pending` until delivered (a 2xx); `failed` once the last retry failed;
 * `undeliverable` when its integration has no webhook URL or no client secret to sign with (kept
 * for the log; a redeliver after the catalog gains one sends it). The three ends are terminal
 * until a redeliver makes the event `pending` again, with the same id.
 */
export const WEBHOOK_STATES = ['pending', 'delivered', 'failed', 'undeliverable'] as const;
export type WebhookState = (typeof WEBHOOK_STATES)[number];

/** States a redeliver may restart: every end, never an event still pending (it may be in flight). */
export function canRedeliver(state: string): boolean {
  return state === 'delivered' || state === 'failed' || state === 'undeliverable';
}

/** The event's type and payload, before the outbox gives it an id and a place in its installation's order. */
export interface WebhookEventDraft {
  readonly type: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** A partner's resource, as Vercel's payloads name it. */
export interface WebhookResourceRef {
  /** Stockroom's store id (Vercel's resource id, `store_…`). */
  readonly storeId: string;
  /** The partner's own id of the resource; absent while it never answered one. */
  readonly externalResourceId: string | null;
}

/**
 * The fields every marketplace event carries (Vercel's webhook reference): the team and the user
 * who acted, the installation in the deprecated `installationIds` and in `integrations`, with the
 * partner's ids of the resources the event is about.
 */
function commonPayload(input: { teamId: string; userId: string | null; installationId: string; resources: readonly WebhookResourceRef[] }): Record<string, unknown> {
  const externalIds = input.resources.flatMap((r) => (r.externalResourceId ? [{ externalResourceId: r.externalResourceId }] : []));
  return {
    team: { id: input.teamId },
    user: { id: input.userId },
    installationIds: [input.installationId],
    integrations: [{ installationId: input.installationId, resources: externalIds }],
  };
}

/**
 * `integration-configuration.removed`: the installation was uninstalled. `configuration.id` is
 * the installation; its resources are the stores it still had (deleted with it by a cascade).
 * Stockroom's installations see every project of the team, hence `projectSelection: "all"`.
 */
export function configurationRemovedEvent(input: {
  installationId: string;
  teamId: string;
  userId: string | null;
  resources: readonly WebhookResourceRef[];
}): WebhookEventDraft {
  return {
    type: WEBHOOK_TYPES.configurationRemoved,
    payload: {
      ...commonPayload(input),
      configuration: { id: input.installationId, projectSelection: 'all' },
    },
  };
}

/**
 * `integration-resource.project-connected` / `-disconnected`: a store was connected to a project
 * of the team, or disconnected from it. Carries Vercel's documented objects (`configuration`,
 * `resource`, `project`) and the flat ids real deliveries carry (`installationId`, `resourceId`,
 * `projectId`, `targets`: the environments the store's env vars go to).
 */
export function projectConnectionEvent(
  connected: boolean,
  input: { installationId: string; teamId: string; userId: string | null; resource: WebhookResourceRef; projectId: string; targets: readonly string[] },
): WebhookEventDraft {
  return {
    type: connected ? WEBHOOK_TYPES.projectConnected : WEBHOOK_TYPES.projectDisconnected,
    payload: {
      ...commonPayload({ ...input, resources: [input.resource] }),
      configuration: { id: input.installationId },
      resource: { id: input.resource.storeId, ...(input.resource.externalResourceId ? { externalResourceId: input.resource.externalResourceId } : {}) },
      project: { id: input.projectId },
      installationId: input.installationId,
      resourceId: input.resource.storeId,
      projectId: input.projectId,
      targets: [...input.targets],
    },
  };
}

/** A team member's role as an integration sees it (Get Member Information): `ADMIN` or `USER`. */
export type MarketplaceRole = 'ADMIN' | 'USER';

/**
 * `marketplace.member.changed`: a member of the installation's team was added, removed, or their
 * marketplace role changed (ADMIN ↔ USER; a team role change that keeps it sends nothing).
 * Vercel lists the type without documenting its payload; Stockroom sends the member as Get Member
 * Information names them (`member: {id, role}`, `role: null` once removed), the role before, and
 * the flat `installationId`, `memberId`, `role` (docs/webhooks.md).
 */
export function memberChangedEvent(input: {
  installationId: string;
  teamId: string;
  userId: string | null;
  memberId: string;
  role: MarketplaceRole | null;
  previousRole: MarketplaceRole | null;
}): WebhookEventDraft {
  return {
    type: WEBHOOK_TYPES.memberChanged,
    payload: {
      ...commonPayload({ ...input, resources: [] }),
      configuration: { id: input.installationId },
      member: { id: input.memberId, role: input.role, previousRole: input.previousRole },
      installationId: input.installationId,
      memberId: input.memberId,
      role: input.role,
    },
  };
}

/** When and how often a failing delivery is retried (docs/webhooks.md, "Retries"). */
export interface RetrySchedule {
  /** The wait after the first failed attempt; it doubles with each further one. */
  readonly baseMs: number;
  /** The longest wait between two attempts. */
  readonly maxMs: number;
  /** Attempts before the event is given up (`failed`). */
  readonly maxAttempts: number;
}

/** 10 s doubling to 1 h, 12 attempts: about 5 h 10 min from the first attempt to the last. */
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { baseMs: 10_000, maxMs: 3_600_000, maxAttempts: 12 };

/**
 * What follows attempt number `attempts` (1 for the first) that failed: the next try's delay,
 * `min(baseMs · 2^(attempts−1), maxMs)`, or `give-up` once `maxAttempts` attempts were made.
 */
export function afterFailedAttempt(attempts: number, schedule: RetrySchedule): { readonly retryInMs: number } | 'give-up' {
  if (attempts >= schedule.maxAttempts) return 'give-up';
  return { retryInMs: Math.min(schedule.maxMs, schedule.baseMs * 2 ** Math.max(0, attempts - 1)) };
}

/** Longest part of a partner's answer (or of the error) kept in the delivery log. */
export const LAST_RESPONSE_MAX_CHARS = 1000;

/** The start of an answer for the log, cut at `LAST_RESPONSE_MAX_CHARS` with a marker. */
export function truncateAnswer(text: string): string {
  return text.length <= LAST_RESPONSE_MAX_CHARS ? text : `${text.slice(0, LAST_RESPONSE_MAX_CHARS)}… (${text.length} characters)`;
}
