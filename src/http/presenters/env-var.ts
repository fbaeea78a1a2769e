import { isStandardTarget, type ProjectEnvVar, type StandardTarget } from '../../domain/env-vars.js';
import type { ProjectEnv } from '../schemas/env-var.js';

/**
 * One env var on the wire. The value goes out only when the caller asked to decrypt (and may read
 * values) and the variable is not sensitive; otherwise it is `""`, as Vercel answers.
 */
export function presentProjectEnv(v: ProjectEnvVar, decrypt: boolean): ProjectEnv {
  const readable = decrypt && !v.sensitive;
  return {
    id: v.id,
    key: v.key,
    value: readable ? v.value : '',
    decrypted: readable,
    target: v.environments.filter((e): e is StandardTarget => isStandardTarget(e)),
    customEnvironmentIds: v.environments.filter((e) => !isStandardTarget(e)),
    type: v.sensitive ? 'sensitive' : 'encrypted',
    configurationId: v.installationId,
    system: false,
    securityIssues: [],
    contentHint: {
      type: 'integration-store-secret',
      storeId: v.storeId,
      integrationId: v.integrationId,
      integrationProductId: v.productId,
      integrationConfigurationId: v.installationId,
    },
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
  };
}
