import { errorBodies } from './checks/error-body-check.js';
import { deleteInstallation, getInstallation, updateInstallationPlan, upsertInstallation } from './checks/installation-checks.js';
import { plansBeforeInstall, plansForInstallation, plansForProduct, plansWithMetadata } from './checks/plan-checks.js';
import { provisionFree, provisionIdempotent, provisionPaid, provisionUnknownPlan } from './checks/provision-checks.js';
import {
  refuseBadSignature,
  refuseExpiredToken,
  refuseMalformedToken,
  refuseNoToken,
  refuseOtherInstallation,
  refuseUnknownKey,
  refuseUserRoleWrite,
  refuseWrongAudience,
  refuseWrongIssuer,
} from './checks/refusal-checks.js';
import { deleteResource, getResource, getResourceUnknown, readyWithinDeadline, updateResource } from './checks/resource-checks.js';
import { rotateSecrets, rotateSecretsAsync } from './checks/rotation-checks.js';
import type { Check } from './life.js';

/**
 * The scripted life, in the order Vercel lives it: plans are shown before the team installs,
 * the team installs, creates a free and a paid resource (a retry among them), reads, waits for,
 * renames and rotates them, and finally deletes them and uninstalls. The refusals run while a
 * resource exists, so that they are tried on something real. `error-bodies` comes last: it judges
 * every 4xx answer of the whole run.
 */
export const CHECK_ORDER: readonly Check[] = [
  plansBeforeInstall,
  upsertInstallation,
  getInstallation,
  plansForProduct,
  plansWithMetadata,
  plansForInstallation,
  updateInstallationPlan,
  provisionFree,
  provisionPaid,
  provisionIdempotent,
  provisionUnknownPlan,
  getResource,
  getResourceUnknown,
  readyWithinDeadline,
  updateResource,
  rotateSecrets,
  rotateSecretsAsync,
  refuseNoToken,
  refuseMalformedToken,
  refuseExpiredToken,
  refuseWrongAudience,
  refuseWrongIssuer,
  refuseUnknownKey,
  refuseBadSignature,
  refuseOtherInstallation,
  refuseUserRoleWrite,
  deleteResource,
  deleteInstallation,
  errorBodies,
];

/** What `--keep` leaves: the checks that would delete what the person wants to inspect. */
export const DELETING_CHECKS = new Set(['delete-resource', 'delete-installation']);
