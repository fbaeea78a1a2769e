import { randomUUID } from 'node:crypto';
import type { Life } from './life.js';
import { paths } from './life.js';
import type { PartnerHttp } from './partner-http.js';

/** What the cleanup did; the report shows it so that nothing is left behind unknowingly. */
export interface CleanupReport {
  /** `--keep`: nothing was deleted on purpose. */
  readonly kept: boolean;
  readonly deleted: readonly string[];
  readonly failed: ReadonlyArray<{ readonly what: string; readonly message: string }>;
  /** What is left at the partner (kept, or not deletable). */
  readonly left: readonly string[];
}

/**
 * Deletes what the run created and did not delete: every resource, then every installation
 * (cascading). Runs after the last check, after a failure and after Ctrl-C, with its own HTTP
 * client, because the run's requests were aborted. Failures are reported, never thrown.
 */
export async function cleanUp(life: Life, http: PartnerHttp): Promise<CleanupReport> {
  const leftResources = life.resources.filter((r) => !r.deleted);
  if (life.settings.keep) {
    const left = [...leftResources.map((r) => `resource ${r.id} (${r.name})`), ...[...life.liveInstallations].map((i) => `installation ${i}`)];
    return { kept: true, deleted: [], failed: [], left };
  }
  const deleted: string[] = [];
  const failed: Array<{ what: string; message: string }> = [];
  for (const resource of leftResources) {
    const what = `resource ${resource.id} (${resource.name})`;
    const answer = await http.send({ method: 'DELETE', path: paths.resource(life.installationId, resource.id), token: await life.mint.user(life.installationId), idempotencyKey: randomUUID() });
    if (answer.status !== undefined && ((answer.status >= 200 && answer.status < 300) || answer.status === 404 || answer.status === 410)) {
      resource.deleted = true;
      deleted.push(what);
    } else failed.push({ what, message: answer.error ?? `answered ${answer.status}` });
  }
  for (const installationId of [...life.liveInstallations]) {
    const what = `installation ${installationId}`;
    const answer = await http.send({
      method: 'DELETE',
      path: paths.installation(installationId),
      token: await life.mint.user(installationId),
      body: { cascadeResourceDeletion: true, reason: 'stockroom check-partner: cleanup' },
      idempotencyKey: randomUUID(),
    });
    if (answer.status !== undefined && ((answer.status >= 200 && answer.status < 300) || answer.status === 404)) {
      life.liveInstallations.delete(installationId);
      deleted.push(what);
    } else failed.push({ what, message: answer.error ?? `answered ${answer.status}` });
  }
  return { kept: false, deleted, failed, left: failed.map((f) => f.what) };
}
