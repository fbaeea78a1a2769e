import { join } from 'node:path';
import type { AnyFastify } from './any-fastify.js';
import pino, { type Logger } from 'pino';
import { buildApp } from './app.js';
import { ensureBootstrap, type BootstrapResult } from './bootstrap.js';
import type { Config } from './config.js';
import { createSecretBox, isRawKey } from './crypto/secret-box.js';
import { loadOrCreateLocalKey } from './crypto/local-key.js';
import { openDatabase, type Database } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { ensureSecretBoxSalt } from './db/secret-box-salt.js';
import type { AppContext } from './app-context.js';
import { DEFAULT_CATALOG_PATH } from './catalog/load-catalog.js';
import type { Catalog } from './catalog/catalog.js';
import { createSigningKeyStore } from './db/signing-keys.js';
import { createTestPaymentProcessor } from './payments/test-processor.js';
import { createPartnerClient } from './providers/partner-client.js';
import { createSigner } from './providers/signing-keys.js';
import { migrateReferencePartner, referencePartnerPlugin, type ReferencePartnerControl } from './providers/reference-partner/index.js';
import { installBootstrapIntegrations } from './bootstrap-installations.js';
import { startStatusPoller } from './jobs/store-status-poller.js';
import { installRealProvidersForBootstrap, mountRealProviders, realProviderBaseUrl, realProviderCatalogPaths } from './real-providers.js';
import { loadCatalogWithBuiltins } from './catalog/builtin-catalogs.js';
import { storeSecretRotationRoutes } from './http/routes/store-secret-rotation.js';
import { startStoreRecovery } from './jobs/store-recovery.js';
import { startWebhookDelivery } from './jobs/webhook-delivery.js';
import { createWebhookSender } from './providers/webhook-sender.js';
import { findInvoice } from './db/invoices.js';
import { formatCents } from './domain/money.js';
import { startFinalizationJob } from './jobs/uninstall-finalization.js';
import { startThresholdPurchaseRecovery } from './jobs/threshold-purchase-recovery.js';
import { startPlanChangeReconciliation } from './jobs/plan-change-reconciliation.js';
import { deriveBuiltinClientSecret } from './catalog/builtin-client-secret.js';

export interface Stockroom {
  readonly app: AnyFastify;
  readonly database: Database;
  readonly ctx: AppContext;
  readonly bootstrap: BootstrapResult;
  /** The mounted reference partner's controls (run its jobs now, refund an invoice); absent when it is off. */
  readonly referencePartner: ReferencePartnerControl | undefined;
  /** Listens and returns the URL; the public URL defaults to it. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface StockroomOptions {
  readonly logger?: Logger;
  readonly now?: () => number;
  /**
   * The database stopped after a failed disk sync (docs/durability.md): every request touching it
   * now answers 503 and `/readyz` is not ready. `main.ts` exits so a supervisor restarts it.
   */
  readonly onStorageFailure?: (error: Error) => void;
}

/**
 * Opens the database, applies migrations, bootstraps the first owner and builds the app: every
 * start, in `main.ts` or in a test, goes through here so both run the same code.
 */
export async function createStockroom(config: Config, options: StockroomOptions = {}): Promise<Stockroom> {
  const logger =
    options.logger ??
    pino(
      {
        level: config.logLevel,
        redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.token', '*.bearerToken', '*.secrets', '*.password'], censor: '[redacted]' },
      },
      bufferedStdout(),
    );
  const database = openDatabase(config.database, {
    onStorageFailure: (error) => {
      logger.fatal({ err: error }, 'the database stopped after a failed disk sync: refusing every request until a restart');
      options.onStorageFailure?.(error);
    },
  });
  try {
    await migrateToLatest(database.db);
    const now = options.now ?? Date.now;
    const bootstrap = await ensureBootstrap(database.db, { ...config.bootstrap, now: now() });
    let listeningUrl: string | undefined;
    const publicUrl = () => config.publicUrl ?? listeningUrl ?? `http://${config.host}:${config.port}`;
    const key = config.encryptionKey ?? loadOrCreateLocalKey(join(config.dataDir, 'encryption.key'));
    const secretBox = createSecretBox(key, isRawKey(key) ? {} : { salt: await ensureSecretBoxSalt(database.db, now()) });
    const catalog: Catalog = loadCatalogWithBuiltins(config.catalogPath ?? DEFAULT_CATALOG_PATH, realProviderCatalogPaths(config), {
      builtinClientSecret: (integrationId) => deriveBuiltinClientSecret(key, integrationId),
    });
    const signer = createSigner({ store: createSigningKeyStore(database.db), secretBox, issuer: publicUrl, now });
    await signer.ensureKey();
    const ctx: AppContext = {
      db: database.db,
      dialect: database.dialect,
      secretBox,
      logger,
      now,
      publicUrl,
      catalog,
      signer,
      // Plan lists are reused for 2 s (issue 7; README, "Integrations, plans, payment and stores").
      partners: createPartnerClient({ signer, timeoutMs: config.providerTimeoutMs, logger, planCacheMs: 2000 }),
      providerBaseUrl: (configured) => resolveProviderBaseUrl(configured, publicUrl),
      payments: createTestPaymentProcessor(),
      provisioningLimitPerTeam: config.rateLimit.provisioningPerTeam,
      installationTokenOverlapMs: config.installationTokenOverlapMs,
      finalizationWaitMs: config.finalization.waitMs,
      // As long as a create is given before recovery takes it: an invoice's charge is one processor call.
      invoiceHoldMs: config.recovery.graceMs,
      // The same for a threshold's purchase: a charge, Provision Purchase and a few writes.
      topUpHoldMs: config.recovery.graceMs,
    };
    const app = await buildApp(ctx, logger, { rateLimit: config.rateLimit });
    let referencePartner: ReferencePartnerControl | undefined;
    if (config.referencePartner) {
      await migrateReferencePartner(database.db);
      const reference = catalog.integrations.find((i) => i.providerBaseUrl === 'builtin:reference');
      await app.register(referencePartnerPlugin, {
        prefix: REFERENCE_PARTNER_PREFIX,
        db: database.db,
        dialect: database.dialect,
        secretBox,
        clientId: reference?.clientId ?? 'oac_stockroomReference',
        issuer: publicUrl,
        jwksUrl: () => `${publicUrl()}/.well-known/jwks`,
        now,
        freeResourceQuota: config.referenceFreeQuota,
        // It calls Stockroom back like any partner: through the public URL, with the client secret
        // of its catalog entry (webhook signatures, SSO code exchange).
        stockroomUrl: publicUrl,
        ...(reference?.clientSecret ? { clientSecret: reference.clientSecret } : {}),
        jobIntervalMs: config.referenceJobIntervalMs,
        rotation: config.referenceRotation,
        onControl: (control) => (referencePartner = control),
      });
    }
    await app.register(storeSecretRotationRoutes, { ctx });
    await mountRealProviders(app, ctx, config);
    let stopPoller: (() => Promise<void>) | undefined;
    let stopRecovery: (() => Promise<void>) | undefined;
    let stopWebhooks: (() => Promise<void>) | undefined;
    let stopFinalization: (() => Promise<void>) | undefined;
    let stopTopUpRecovery: (() => Promise<void>) | undefined;
    let stopPlanChanges: (() => Promise<void>) | undefined;
    return {
      app,
      database,
      ctx,
      bootstrap,
      referencePartner,
      async listen() {
        const address = await app.listen({ port: config.port, host: config.host });
        const port = (app.server.address() as { port: number }).port;
        listeningUrl = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
        // The bootstrap team gets the built-in integration once; it needs the server up, since
        // even the built-in provider is reached over HTTP.
        await installBootstrapIntegrations(ctx, bootstrap);
        await installRealProvidersForBootstrap(ctx, bootstrap, config);
        // Polling calls providers over HTTP, so it starts once the server (and its built-in
        // provider) answers.
        stopPoller ??= startStatusPoller(ctx, config.pollIntervalMs);
        // Crash recovery runs at start and periodically; like polling, it calls providers.
        stopRecovery ??= startStoreRecovery(ctx, config.recovery);
        // Webhooks to partners, from the outbox; built-in partners' URLs need the server up too.
        stopWebhooks ??= startWebhookDelivery(ctx, { ...config.webhooks, send: createWebhookSender({ timeoutMs: config.webhooks.timeoutMs }) });
        // Uninstalls waiting for final invoices end when their time is up.
        stopFinalization ??= startFinalizationJob(ctx, config.finalization.intervalMs);
        // Threshold purchases a crash left charging are finished (or refunded) without a new report.
        stopTopUpRecovery ??= startThresholdPurchaseRecovery(ctx, config.recovery.intervalMs);
        // Plan changes a dead process left, or whose outcome the provider has not confirmed yet.
        // Their lease is recovery's grace period: like a create, a change spends at most a few
        // provider attempts, and the config holds the grace period above that.
        stopPlanChanges ??= startPlanChangeReconciliation(ctx, { intervalMs: config.recovery.intervalMs, leaseMs: config.recovery.graceMs, deadlineMs: config.recovery.deadlineMs });
        return address.startsWith('http') ? listeningUrl : address;
      },
      async close() {
        await stopPoller?.();
        await stopRecovery?.();
        await stopWebhooks?.();
        await stopFinalization?.();
        await stopTopUpRecovery?.();
        await stopPlanChanges?.();
        await app.close();
        await database.destroy();
      },
    };
  } catch (error) {
    await database.destroy();
    throw error;
  }
}

/**
 * Standard output, written in blocks of 4 KiB or every second rather than one write per line: a
 * request's log line cost a system call, a measurable share of a small request (issue 7). Lines
 * still buffered are written when the process exits, also on an uncaught error; only a killed
 * process (SIGKILL) loses up to a second of them.
 */
function bufferedStdout(): pino.DestinationStream {
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => destination.flush(), 1000).unref();
  return destination;
}

/** Where the reference partner is mounted in Stockroom's own server. */
export const REFERENCE_PARTNER_PREFIX = '/partners/reference';

/** `builtin:<name>` names a provider mounted in this server; anything else is used as is. */
function resolveProviderBaseUrl(configured: string, publicUrl: () => string): string {
  if (configured === 'builtin:reference') return `${publicUrl()}${REFERENCE_PARTNER_PREFIX}`;
  const real = realProviderBaseUrl(configured, publicUrl);
  if (real) return real;
  if (configured.startsWith('builtin:')) throw new Error(`unknown built-in provider ${configured}`);
  return configured.replace(/\/+$/, '');
}
