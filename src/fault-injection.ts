import type { CreateStorePorts, StoreProduct } from './domain/create-store.js';

/**
 * Pause points: a fault-injection switch for testers, never set in production.
 *
 * With `STOCKROOM_PAUSE_AT=<point>`, every store creation (or, for the `invoice-…` points, every
 * invoice being issued or refunded; for `top-up-…`, every threshold purchase; for `plan-change-…`,
 * every installation plan change) that reaches that point announces it
 * (`stockroom: paused at <point>`) and then waits forever, so that a test can kill the process
 * (SIGKILL) at exactly that step and check that a restart repairs what it left (issue 5 §4).
 * Waiting is a promise that never settles, not a blocked thread: the rest of the process (other
 * requests, the reference partner mounted in it) keeps running until the kill, as it would in a
 * real crash that strikes one request.
 *
 * The points are placed on the create's ports from outside (`withPausePoints`), so the use case
 * itself (`domain/create-store.ts`) knows nothing of them. Unarmed (the default), every wrapped
 * port calls straight through and changes nothing.
 */

/** The steps of a create, in order (`payAndProvision` in `domain/create-store.ts`). */
export const CREATE_PAUSE_POINTS = [
  /** The row is written `provisioning`; nothing is authorized or charged yet. */
  'before-charge',
  /** The authorization or the prepayment is taken; the provider has not been called. */
  'after-charge',
  /** Provision Resource is sent; its answer is never read. */
  'during-provision',
  /** The provider answered; its resource id is not recorded yet. */
  'after-provision',
  /** The initial charge is taken (or the prepayment credited); the row is not live yet. */
  'before-live',
] as const;

/** The steps of issuing and refunding a partner's invoice (docs/invoices.md, "Crashes"). */
export const INVOICE_PAUSE_POINTS = [
  /** The invoice's charge went through at the processor; its outcome is not recorded yet. */
  'invoice-after-charge',
  /** The invoice's refund went through at the processor; its outcome is not recorded yet. */
  'invoice-after-refund',
] as const;

/** The step of a threshold's automatic credit purchase (docs/balances-and-thresholds.md) a crash hurts most. */
export const TOP_UP_PAUSE_POINTS = [
  /** The card is charged; neither the invoice nor Provision Purchase nor the credit has happened. */
  'top-up-after-charge',
] as const;

/** The steps of an installation plan change (docs/installation-updates.md). */
export const PLAN_CHANGE_PAUSE_POINTS = [
  /** The plan change is charged; Update Installation is not sent. */
  'plan-change-after-charge',
  /** The provider took the plan change; it is not recorded yet. */
  'plan-change-after-provider',
] as const;

export const PAUSE_POINTS = [...CREATE_PAUSE_POINTS, ...INVOICE_PAUSE_POINTS, ...TOP_UP_PAUSE_POINTS, ...PLAN_CHANGE_PAUSE_POINTS] as const;

export type PausePoint = (typeof PAUSE_POINTS)[number];
export type CreatePausePoint = (typeof CREATE_PAUSE_POINTS)[number];

let armed: { readonly point: PausePoint; readonly announce: (line: string) => void } | undefined;

/**
 * Arms one pause point for this process (or disarms with `undefined`). `announce` receives the
 * line to write where the test reads it (stderr in `main.ts`'s process).
 */
export function armPausePoint(point: PausePoint | undefined, announce: (line: string) => void): void {
  armed = point === undefined ? undefined : { point, announce };
}

/**
 * The create's ports with the pause points on them. Each point sits on the port call that
 * `payAndProvision` makes right after it, with nothing in between, so pausing there is pausing at
 * the point:
 * - `before-charge`: before `authorize` or the prepayment `charge`; a create that pays nothing up
 *   front has no such call, and its next step is `provision`, so there;
 * - `after-charge`: before `provision`;
 * - `during-provision`: `provision` is called, and its answer never read;
 * - `after-provision`: before `recordExternalId` (the provider answered; a failed answer never
 *   gets there, as before);
 * - `before-live`: before `markLive`.
 * Whether a point is armed is asked when the call is made, not when the ports are built.
 */
export function withPausePoints<P extends StoreProduct>(ports: CreateStorePorts<P>): CreateStorePorts<P> {
  return {
    ...ports,
    async authorize(store, methodId, amountCents) {
      await pauseAt('before-charge');
      return ports.authorize(store, methodId, amountCents);
    },
    async charge(store, methodId, amountCents, step) {
      if (step === 'prepayment') await pauseAt('before-charge');
      return ports.charge(store, methodId, amountCents, step);
    },
    async provision(store, installation, product) {
      // Reached armed at `before-charge` only when nothing was paid up front (see above).
      await pauseAt('before-charge');
      await pauseAt('after-charge');
      return pauseDuring('during-provision', ports.provision(store, installation, product));
    },
    async recordExternalId(storeId, externalResourceId) {
      await pauseAt('after-provision');
      return ports.recordExternalId(storeId, externalResourceId);
    },
    async markLive(store, resource) {
      await pauseAt('before-live');
      return ports.markLive(store, resource);
    },
  };
}

/** Waits forever when `point` is armed; otherwise resolves at once. */
export async function pauseAt(point: PausePoint): Promise<void> {
  if (armed?.point !== point) return;
  await hold(point);
}

/**
 * Returns `work` unchanged unless `point` is armed; armed, it lets `work` run on (its outcome is
 * ignored, so a late failure is no unhandled rejection) and never answers: the step that started
 * `work` never learns how it ended, as when the process dies mid-call.
 */
function pauseDuring<T>(point: PausePoint, work: Promise<T>): Promise<T> {
  if (armed?.point !== point) return work;
  work.catch(() => undefined);
  return hold(point);
}

function hold(point: PausePoint): Promise<never> {
  armed?.announce(`stockroom: paused at ${point}\n`);
  return new Promise<never>(() => undefined);
}
