import type { Migration } from 'kysely';
import * as m0001 from './0001-accounts.js';
import * as m0002 from './0002-marketplace.js';
import * as m0003 from './0003-stores.js';
import * as m0004 from './0004-provider-cleanups.js';
import * as m0005 from './0005-idempotency-keys.js';
import * as m0006 from './0006-rate-limit-counters.js';
import * as m0007 from './0007-store-recovery-lease.js';
import * as m0008 from './0008-store-status-index.js';
import * as m0009 from './0009-idempotency-credential.js';
import * as m0010 from './0010-projects-list-index.js';
import * as m0011 from './0011-repair-deleted-live-stores.js';
import * as m0012 from './0012-webhook-outbox.js';
import * as m0013 from './0013-partner-calls.js';
import * as m0014 from './0014-invoices.js';
import * as m0016 from './0016-partner-billing-and-sso.js';
import * as m0017 from './0017-webhook-pending-order-index.js';
import * as m0018 from './0018-spend-thresholds.js';
import * as m0019 from './0019-installation-plan-and-projects.js';
import * as m0020 from './0020-sandbox-claims.js';

/**
 * Every migration, in order. Listed by hand rather than read from the folder so that the set is
 * fixed at build time and works the same under tsx and compiled JavaScript.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-accounts': m0001,
  '0002-marketplace': m0002,
  '0003-stores': m0003,
  '0004-provider-cleanups': m0004,
  '0005-idempotency-keys': m0005,
  '0006-rate-limit-counters': m0006,
  '0007-store-recovery-lease': m0007,
  '0008-store-status-index': m0008,
  '0009-idempotency-credential': m0009,
  '0010-projects-list-index': m0010,
  '0011-repair-deleted-live-stores': m0011,
  '0012-webhook-outbox': m0012,
  '0013-partner-calls': m0013,
  '0014-invoices': m0014,
  '0016-partner-billing-and-sso': m0016,
  '0017-webhook-pending-order-index': m0017,
  '0018-spend-thresholds': m0018,
  '0019-installation-plan-and-projects': m0019,
  '0020-sandbox-claims': m0020,
};
