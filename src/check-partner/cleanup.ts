import { randomUUID } from 'node:crypto';
import type { Life } from './life.js';
import { paths } from './life.js';
import type { PartnerHttp } from './partner-http.js';
import { isAddressableId, isObject } from './wire-rules.js';

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
  // A request stopped by Ctrl-C (or answered badly) may have created a resource whose id never
  // reached the checker; the partner's List Resources, where served, finds it by its name.
  for (const found of await unknownResourcesOfRun(life, http)) {
    life.resources.push({ role: 'stray', id: found.id, name: found.name, status: 'unknown', planId: '', secrets: [], provision: { body: {}, idempotencyKey: '' }, deleted: false });
  }
  for (const resource of life.resources.filter((r) => !r.deleted)) {
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

/** Resources named by this run (`<prefix>-<run>-…`) that the checker does not know of. */
async function unknownResourcesOfRun(life: Life, http: PartnerHttp): Promise<Array<{ id: string; name: string }>> {
  const known = new Set(life.resources.map((r) => r.id));
  const namePrefix = `${life.settings.prefix}-${life.runId}-`;
  const found: Array<{ id: string; name: string }> = [];
  // Every resource of the run is provisioned in the first installation.
  if (!life.liveInstallations.has(life.installationId)) return found;
  const answer = await http.send({ method: 'GET', path: paths.resources(life.installationId), token: await life.mint.system(life.installationId) });
  const resources = isObject(answer.json) && Array.isArray(answer.json.resources) ? answer.json.resources : [];
  for (const r of resources) {
    if (isObject(r) && isAddressableId(r.id) && typeof r.name === 'string' && r.name.startsWith(namePrefix) && !known.has(r.id) && r.status !== 'uninstalled') found.push({ id: r.id, name: r.name });
  }
  return found;
}
