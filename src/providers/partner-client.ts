import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Type, type Static, type TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import { Value } from 'typebox/value';
import { createHttpTransport, type HttpAnswer, type HttpTransport } from './http-transport.js';
import { announceInvalidation, onInvalidation } from '../worker-invalidations.js';
import { createPlanCache } from './plan-cache.js';
import { ProviderError, type ProviderErrorField, type ProviderErrorKind } from './provider-error.js';
import type { Signer, SystemTokenClaims, UserTokenClaims } from './signing-keys.js';

// ── Wire shapes the partner answers with (partner-api.md §1.2). Extra properties are allowed,
// because partners add their own; a missing or mistyped documented one makes the answer malformed.

const Money = Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?$' });
const DetailItem = Type.Object({ label: Type.String(), value: Type.Optional(Type.String()) });

export const BillingPlanSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  type: Type.Enum(['prepayment', 'subscription']),
  name: Type.String(),
  description: Type.Optional(Type.String()),
  /** Absent means `resource`. */
  scope: Type.Optional(Type.Enum(['installation', 'resource'])),
  /** Absent means `true`: only an explicit `false` makes a plan free (docs/rules.md §2). */
  paymentMethodRequired: Type.Optional(Type.Boolean()),
  preauthorizationAmount: Type.Optional(Type.Number({ minimum: 0 })),
  initialCharge: Type.Optional(Money),
  minimumAmount: Type.Optional(Money),
  maximumAmount: Type.Optional(Money),
  maximumAmountAutoPurchasePerPeriod: Type.Optional(Money),
  cost: Type.Optional(Type.String()),
  details: Type.Optional(Type.Array(DetailItem)),
  highlightedDetails: Type.Optional(Type.Array(DetailItem)),
  quote: Type.Optional(Type.Array(Type.Object({ line: Type.String(), amount: Type.String() }))),
  effectiveDate: Type.Optional(Type.String()),
  disabled: Type.Optional(Type.Boolean()),
  requiredPolicies: Type.Optional(Type.Array(Type.Object({ id: Type.String(), name: Type.String(), url: Type.String() }))),
});
/** A billing plan as the provider describes it, in the provider's own order. */
export type BillingPlan = Static<typeof BillingPlanSchema>;

const NotificationSchema = Type.Object({
  level: Type.Enum(['info', 'warn', 'error']),
  title: Type.String(),
  message: Type.Optional(Type.String()),
  href: Type.Optional(Type.String()),
});

export const ResourceSchema = Type.Object({
  /** The provider's id; Vercel calls it `externalResourceId`. */
  id: Type.String({ minLength: 1 }),
  productId: Type.String(),
  name: Type.String(),
  // Required by the reference page, but the example partner's answers are all we need to read,
  // and a missing metadata object loses nothing: it is what we sent.
  metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  status: Type.Enum(['ready', 'pending', 'onboarding', 'suspended', 'resumed', 'uninstalled', 'error']),
  billingPlan: Type.Optional(BillingPlanSchema),
  notification: Type.Optional(Type.Union([NotificationSchema, Type.Null()])),
  protocolSettings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
/** A resource as the provider reports it (never with secrets). */
export type Resource = Static<typeof ResourceSchema>;

const SecretSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  value: Type.String(),
  prefix: Type.Optional(Type.String()),
  environmentOverrides: Type.Optional(
    Type.Object({ development: Type.Optional(Type.String()), preview: Type.Optional(Type.String()), production: Type.Optional(Type.String()) }),
  ),
});
/** A secret value, returned once; store it sealed and never log it. */
export type Secret = Static<typeof SecretSchema>;

const ResourceListSchema = Type.Object({ resources: Type.Array(ResourceSchema) });
const ProvisionedSchema = Type.Object({ ...ResourceSchema.properties, secrets: Type.Array(SecretSchema) });
const PlansSchema = Type.Object({ plans: Type.Array(BillingPlanSchema) });
const RotationSchema = Type.Union([
  Type.Object({ sync: Type.Literal(true), secrets: Type.Array(SecretSchema), partial: Type.Optional(Type.Boolean()) }),
  Type.Object({ sync: Type.Literal(false) }),
]);
/** `sync:false`: the provider will push the new secrets later (partner-api.md §1.1 #10). */
export type SecretsRotation = Static<typeof RotationSchema>;
const PurchaseBalanceSchema = Type.Object({
  currencyValueInCents: Type.Integer(),
  credit: Type.Optional(Type.String()),
  nameLabel: Type.Optional(Type.String()),
  resourceId: Type.Optional(Type.String()),
});
const PurchaseSchema = Type.Object({ timestamp: Type.Optional(Type.String()), balances: Type.Array(PurchaseBalanceSchema) });
/** Update Installation's 200 body (partner-api.md §1.1 #3): the plan it now bills on and a notification, both optional. */
const InstallationUpdatedSchema = Type.Object({
  billingPlan: Type.Optional(BillingPlanSchema),
  notification: Type.Optional(Type.Union([NotificationSchema, Type.Null()])),
});
/** What a partner answers to Update Installation; `{}` when it answered 204. */
export type InstallationUpdated = Static<typeof InstallationUpdatedSchema>;
/**
 * What a partner answers to Get Installation (partner-api.md §1.1 #2): the same shape as Update
 * Installation's answer; no `billingPlan` means the installation is billed per resource.
 */
export type InstallationState = InstallationUpdated;
/** What a partner answers to Provision Purchase (partner-api.md §1.1 #15): its balances after the credit. */
export type ProvisionedPurchase = Static<typeof PurchaseSchema>;
const ErrorFieldSchema = Type.Object({ key: Type.String(), message: Type.Optional(Type.String()) });

// ── The client.

/** Who a user-auth call acts for; the installation comes from the call itself. */
export interface UserCaller {
  /** Stockroom's team id. */
  readonly accountId: string;
  readonly userId: string;
  readonly userRole: 'ADMIN' | 'USER';
  readonly userEmail?: string;
  readonly userName?: string;
}
/** A system-auth call acts for the team only. */
export interface SystemCaller {
  readonly accountId: string;
}
/** Endpoints that accept either auth style use user auth when a user is given. */
export type Caller = UserCaller | SystemCaller;

export interface MutationOptions {
  /** Sent as `Idempotency-Key`; pass the same key when the whole operation is retried. */
  readonly idempotencyKey: string;
}

export interface UpsertInstallationBody {
  readonly scopes: readonly string[];
  /** Policy id → ISO acceptance time, e.g. `{toc: "2024-02-28T10:00:00Z"}`. */
  readonly acceptedPolicies: Readonly<Record<string, string>>;
  /** The installation's non-expiring token for calling Stockroom back; a secret. */
  readonly credentials: { readonly access_token: string; readonly token_type: 'Bearer' };
  readonly account: { readonly name?: string; readonly url: string; readonly contact: { readonly email: string; readonly name?: string } };
}

export interface ProvisionResourceBody {
  /** The provider's product slug. */
  readonly productId: string;
  readonly name: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly billingPlanId: string;
  readonly externalId?: string;
  readonly protocolSettings?: Readonly<Record<string, unknown>>;
}

/** The partner API of one provider (partner-api.md §1.1), with Stockroom's tokens. */
export interface PartnerClient {
  upsertInstallation(installationId: string, body: UpsertInstallationBody, caller: UserCaller, options?: MutationOptions): Promise<void>;
  /**
   * `finalized: false` when the partner asks for time to send final invoices (partner-api.md §1.1
   * #4): a 2xx JSON object without `finalized: true`. No body, or `{finalized: true}`, is final.
   */
  deleteInstallation(installationId: string, body: { readonly cascadeResourceDeletion: boolean; readonly reason?: string }, caller: Caller, options?: MutationOptions): Promise<{ finalized: boolean }>;
  /**
   * Update Installation (partner-api.md §1.1 #3): moves the installation to the installation-level
   * plan `billingPlanId`. The partner's 204 reads as `{}`.
   */
  updateInstallation(installationId: string, body: { readonly billingPlanId: string }, caller: UserCaller, options: MutationOptions): Promise<InstallationUpdated>;
  /**
   * Get Installation (partner-api.md §1.1 #2, system auth): the installation-level plan the partner
   * bills the installation on, if any; read back when an Update Installation's outcome is unknown.
   */
  getInstallation(installationId: string, caller: SystemCaller): Promise<InstallationState>;
  /**
   * List Billing Plans For Installation (partner-api.md §1.1 #13), in the provider's order: it
   * may mix installation- and resource-scope plans. Cached like the product lists.
   */
  listInstallationPlans(installationId: string, caller: SystemCaller): Promise<BillingPlan[]>;
  /** Plans in the provider's order; `installationId` is null before the team installs. */
  listProductPlans(productSlug: string, query: { readonly installationId: string | null; readonly metadata?: Readonly<Record<string, unknown>> }, caller: SystemCaller): Promise<BillingPlan[]>;
  provisionResource(installationId: string, body: ProvisionResourceBody, caller: UserCaller, options: MutationOptions): Promise<{ resource: Resource; secrets: Secret[] }>;
  getResource(installationId: string, resourceId: string, caller: SystemCaller): Promise<Resource>;
  /**
   * List Resources (partner-api.md §1.1 #9): deprecated for Vercel, but the only way to find a
   * resource whose id never reached Stockroom (a timed-out or malformed provision answer).
   */
  listResources(installationId: string, caller: SystemCaller): Promise<Resource[]>;
  deleteResource(installationId: string, resourceId: string, caller: Caller, options: MutationOptions): Promise<void>;
  rotateSecrets(installationId: string, resourceId: string, body: { readonly reason?: string; readonly delayOldSecretsExpirationHours?: number }, caller: Caller, options: MutationOptions): Promise<SecretsRotation>;
  /**
   * Provision Purchase (partner-api.md §1.1 #15): tells the partner that the paid invoice
   * `invoiceId` bought prepaid credits; it answers the balances it now holds.
   */
  provisionPurchase(installationId: string, body: { readonly invoiceId: string }, caller: Caller, options: MutationOptions): Promise<ProvisionedPurchase>;
}

/** The pino methods we use; a Fastify or pino logger fits. */
export interface PartnerClientLogger {
  warn(details: object, message: string): void;
}

export interface PartnerClientOptions {
  readonly signer: Pick<Signer, 'signUserToken' | 'signSystemToken'>;
  /** How requests are sent; defaults to keep-alive `node:http`/`node:https` (`http-transport.ts`). */
  readonly transport?: HttpTransport;
  /** Per attempt, including reading the body; default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Extra attempts after a retryable failure; default 2. */
  readonly retries?: number;
  /** First backoff step; later ones double, with jitter. Default 200 ms. */
  readonly retryDelayMs?: number;
  /**
   * A 429's `Retry-After` is waited for (within `retries`) only when the retry would start within
   * this long of the call's start; a longer wait makes the 429 the answer. Default 10 000 ms.
   */
  readonly deadlineMs?: number;
  /** The longest answer body read; a longer one is malformed. Default 1 MiB. */
  readonly maxAnswerBytes?: number;
  /**
   * How long a plan list is reused, in ms; default 0 (ask every time). Any change this client
   * makes to an installation forgets that installation's lists at once (`plan-cache.ts`).
   */
  readonly planCacheMs?: number;
  readonly logger?: PartnerClientLogger;
}

export interface PartnerClientFactory {
  forProvider(provider: { readonly baseUrl: string; readonly clientId: string }): PartnerClient;
}

type Auth = { readonly style: 'user'; readonly claims: UserTokenClaims } | { readonly style: 'system'; readonly claims: SystemTokenClaims };

interface Call {
  readonly operation: string;
  readonly method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE';
  readonly path: string;
  readonly auth: Auth;
  readonly body?: unknown;
  readonly idempotencyKey?: string;
}

interface Answer {
  readonly status: number;
  readonly text: string;
}

const MAX_BACKOFF_MS = 5_000;
/** Partner answers are a resource, a plan list or an error: a few KiB. 1 MiB leaves a wide margin. */
const MAX_ANSWER_BYTES = 1024 * 1024;

export function createPartnerClient(options: PartnerClientOptions): PartnerClientFactory {
  const { signer, logger } = options;
  const transport = options.transport ?? createHttpTransport();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const deadlineMs = options.deadlineMs ?? 10_000;
  const maxAnswerBytes = options.maxAnswerBytes ?? MAX_ANSWER_BYTES;
  // Shared by every `forProvider` client: routes make a new one per request.
  const planLists = createPlanCache<BillingPlan[]>(options.planCacheMs ?? 0);
  // The other workers of this server forget the same installation's lists (worker-invalidations.ts).
  onInvalidation((invalidation) => {
    if (invalidation.kind === 'plans') planLists.forget(invalidation.scope);
  });

  function forProvider(provider: { readonly baseUrl: string; readonly clientId: string }): PartnerClient {
    // Appended rather than resolved with `new URL`, which would drop a path prefix in the base URL.
    const base = provider.baseUrl.replace(/\/+$/, '');
    const audience = provider.clientId;
    const seg = encodeURIComponent;

    const userAuth = (installationId: string, c: UserCaller): Auth => ({
      style: 'user',
      claims: { audience, installationId, accountId: c.accountId, userId: c.userId, userRole: c.userRole, userEmail: c.userEmail, userName: c.userName },
    });
    const systemAuth = (installationId: string | null, c: SystemCaller): Auth => ({
      style: 'system',
      claims: { audience, installationId, accountId: c.accountId },
    });
    const eitherAuth = (installationId: string, c: Caller): Auth => ('userId' in c ? userAuth(installationId, c) : systemAuth(installationId, c));

    async function attempt(call: Call): Promise<Answer> {
      const token = call.auth.style === 'user' ? await signer.signUserToken(call.auth.claims) : await signer.signSystemToken(call.auth.claims);
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        'x-vercel-auth': call.auth.style,
        accept: 'application/json',
      };
      if (call.idempotencyKey !== undefined) headers['idempotency-key'] = call.idempotencyKey;
      if (call.body !== undefined) headers['content-type'] = 'application/json';
      let answer: HttpAnswer;
      try {
        // Redirects are not followed: one would replay the token to wherever it points, and the
        // partner API has none.
        answer = await transport({
          method: call.method,
          url: base + call.path,
          headers,
          ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
          timeoutMs,
          maxBodyBytes: maxAnswerBytes,
        });
      } catch (error) {
        // Only the error's name and code are kept: socket errors never carry our headers.
        const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        throw new ProviderError(timedOut ? 'timeout' : 'network', { operation: call.operation, cause: summarize(error) });
      }
      const { status, text } = answer;
      if (status >= 200 && status < 300) {
        if (answer.bodyTooLarge) throw new ProviderError('malformed', { operation: call.operation, status, cause: new Error(`the body is larger than ${maxAnswerBytes} bytes`) });
        return { status, text };
      }
      // An error answer too large to read keeps its status, which is what decides what follows.
      throw errorFromAnswer(call.operation, status, text, retryAfterMs(answer.retryAfter));
    }

    async function send(call: Call): Promise<Answer> {
      if (call.method === 'GET') return sendWithRetries(call);
      try {
        return await sendWithRetries(call);
      } finally {
        // The installation may have changed (a free tier filled up): its plans are asked again.
        // Also after a failure, which may have changed it too.
        if (call.auth.claims.installationId !== null) {
          const scope = `${base}\n${call.auth.claims.installationId}`;
          planLists.forget(scope);
          announceInvalidation({ kind: 'plans', scope });
        }
      }
    }

    async function sendWithRetries(call: Call): Promise<Answer> {
      // Retrying is safe for a GET, and for a mutation only because it carries an Idempotency-Key.
      const retrySafe = call.method === 'GET' || call.idempotencyKey !== undefined;
      const deadline = Date.now() + deadlineMs;
      for (let attemptNo = 0; ; attemptNo += 1) {
        try {
          return await attempt(call);
        } catch (error) {
          if (!retrySafe || attemptNo >= retries || !isRetryable(error)) throw error;
          // A provider that says when to come back (429 or 503 with Retry-After) is believed, if
          // that is before the call's deadline; later, its answer stands.
          const asked = error.retryAfterMs;
          if (asked !== undefined && Date.now() + asked > deadline) throw error;
          const delay = asked ?? backoff(retryDelayMs, attemptNo);
          logger?.warn(
            { provider: base, operation: call.operation, attempt: attemptNo + 1, kind: error.kind, status: error.status, retryInMs: delay },
            'provider call failed, retrying',
          );
          await sleep(delay);
        }
      }
    }

    async function sendFor<S extends TSchema>(call: Call, schema: S): Promise<Static<S>> {
      const answer = await send(call);
      return parseBody(call.operation, answer, schema);
    }

    return {
      async upsertInstallation(installationId, body, caller, opts) {
        await send({
          operation: 'upsertInstallation',
          method: 'PUT',
          path: `/v1/installations/${seg(installationId)}`,
          auth: userAuth(installationId, caller),
          body,
          idempotencyKey: opts?.idempotencyKey ?? randomUUID(),
        });
      },
      async deleteInstallation(installationId, body, caller, opts) {
        const answer = await send({
          operation: 'deleteInstallation',
          method: 'DELETE',
          path: `/v1/installations/${seg(installationId)}`,
          auth: eitherAuth(installationId, caller),
          body,
          idempotencyKey: opts?.idempotencyKey ?? randomUUID(),
        });
        return { finalized: isFinalDeletion(answer.text) };
      },
      async updateInstallation(installationId, body, caller, opts) {
        const call: Call = {
          operation: 'updateInstallation',
          method: 'PATCH',
          path: `/v1/installations/${seg(installationId)}`,
          auth: userAuth(installationId, caller),
          body,
          idempotencyKey: opts.idempotencyKey,
        };
        const answer = await send(call);
        if (answer.status === 204 || answer.text.trim() === '') return {};
        return parseBody(call.operation, answer, InstallationUpdatedSchema);
      },
      async getInstallation(installationId, caller) {
        const call: Call = { operation: 'getInstallation', method: 'GET', path: `/v1/installations/${seg(installationId)}`, auth: systemAuth(installationId, caller) };
        const answer = await send(call);
        // An empty answer is an answer with no plan, read as Update Installation's 204 is.
        if (answer.status === 204 || answer.text.trim() === '') return {};
        return parseBody(call.operation, answer, InstallationUpdatedSchema);
      },
      listInstallationPlans(installationId, caller) {
        const path = `/v1/installations/${seg(installationId)}/plans`;
        const scope = `${base}\n${installationId}`;
        return planLists.get(`${scope}\n${audience}\n${caller.accountId}\n${path}`, scope, async () => {
          const { plans } = await sendFor({ operation: 'listInstallationPlans', method: 'GET', path, auth: systemAuth(installationId, caller) }, PlansSchema);
          return plans;
        });
      },
      listProductPlans(productSlug, query, caller) {
        const search = query.metadata === undefined ? '' : `?${new URLSearchParams({ metadata: JSON.stringify(query.metadata) })}`;
        const path = `/v1/products/${seg(productSlug)}/plans${search}`;
        const scope = `${base}\n${query.installationId ?? ''}`;
        return planLists.get(`${scope}\n${audience}\n${caller.accountId}\n${path}`, scope, async () => {
          const { plans } = await sendFor({ operation: 'listProductPlans', method: 'GET', path, auth: systemAuth(query.installationId, caller) }, PlansSchema);
          return plans;
        });
      },
      async provisionResource(installationId, body, caller, opts) {
        const { secrets, ...resource } = await sendFor(
          {
            operation: 'provisionResource',
            method: 'POST',
            path: `/v1/installations/${seg(installationId)}/resources`,
            auth: userAuth(installationId, caller),
            body,
            idempotencyKey: opts.idempotencyKey,
          },
          ProvisionedSchema,
        );
        return { resource, secrets };
      },
      getResource(installationId, resourceId, caller) {
        return sendFor(
          {
            operation: 'getResource',
            method: 'GET',
            path: `/v1/installations/${seg(installationId)}/resources/${seg(resourceId)}`,
            auth: systemAuth(installationId, caller),
          },
          ResourceSchema,
        );
      },
      async listResources(installationId, caller) {
        const { resources } = await sendFor(
          {
            operation: 'listResources',
            method: 'GET',
            path: `/v1/installations/${seg(installationId)}/resources`,
            auth: systemAuth(installationId, caller),
          },
          ResourceListSchema,
        );
        return resources;
      },
      async deleteResource(installationId, resourceId, caller, opts) {
        await send({
          operation: 'deleteResource',
          method: 'DELETE',
          path: `/v1/installations/${seg(installationId)}/resources/${seg(resourceId)}`,
          auth: eitherAuth(installationId, caller),
          idempotencyKey: opts.idempotencyKey,
        });
      },
      async rotateSecrets(installationId, resourceId, body, caller, opts) {
        const call: Call = {
          operation: 'rotateSecrets',
          method: 'POST',
          path: `/v1/installations/${seg(installationId)}/resources/${seg(resourceId)}/secrets/rotate`,
          auth: eitherAuth(installationId, caller),
          body,
          idempotencyKey: opts.idempotencyKey,
        };
        const answer = await send(call);
        // A 202 means "later" whatever its body says, and some partners send it empty.
        if (answer.status === 202 && answer.text.trim() === '') return { sync: false };
        return parseBody(call.operation, answer, RotationSchema);
      },
      provisionPurchase(installationId, body, caller, opts) {
        return sendFor(
          {
            operation: 'provisionPurchase',
            method: 'POST',
            path: `/v1/installations/${seg(installationId)}/billing/provision`,
            auth: eitherAuth(installationId, caller),
            body,
            idempotencyKey: opts.idempotencyKey,
          },
          PurchaseSchema,
        );
      },
    };
  }

  return { forProvider };
}

function isRetryable(error: unknown): error is ProviderError {
  if (!(error instanceof ProviderError)) return false;
  if (error.kind === 'timeout' || error.kind === 'network') return true;
  return error.status === 429 || error.status === 502 || error.status === 503 || error.status === 504;
}

/** `Retry-After` (RFC 9110 §10.2.3): seconds, or an HTTP date; anything else is ignored. */
function retryAfterMs(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (/^[0-9]+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Exponential backoff with "equal jitter": half the step is fixed, half random, so replicas spread out. */
function backoff(baseMs: number, attemptNo: number): number {
  const step = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** attemptNo);
  return Math.round(step / 2 + Math.random() * (step / 2));
}

/**
 * Delete Installation's answer: 200 `{finalized?: boolean}` or 204. Vercel postpones the final
 * deletion unless the partner says `finalized: true`; an answer with no body (204) or one that is
 * not a JSON object says nothing to wait for, so it is final, as before partners could ask.
 */
function isFinalDeletion(text: string): boolean {
  if (text.trim() === '') return true;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return true;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return true;
  return (body as { finalized?: unknown }).finalized === true;
}

function parseBody<S extends TSchema>(operation: string, answer: Answer, schema: S): Static<S> {
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw new ProviderError('malformed', { operation, status: answer.status, cause: new Error('the body is not JSON') });
  }
  if (validatorOf(schema).Check(body)) return body as Static<S>;
  // Paths and rule messages only: the values may be secrets.
  const problems = [...Value.Errors(schema, body)].slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`);
  throw new ProviderError('malformed', { operation, status: answer.status, cause: new Error(problems.join('; ')) });
}

// Every provider answer is checked against its schema. `Value.Check` walks the schema on each
// call; a compiled validator (generated once per schema, on first use) checks the same rules
// several times faster, which counts on the create path (issue 7).
const validators = new WeakMap<TSchema, Validator>();

function validatorOf(schema: TSchema): Validator {
  let validator = validators.get(schema);
  if (!validator) {
    validator = Compile(schema);
    validators.set(schema, validator);
  }
  return validator;
}

function errorFromAnswer(operation: string, status: number, text: string, retryAfter: number | undefined): ProviderError {
  const { code, message, fields } = readErrorBody(text);
  return new ProviderError(kindOf(status), { operation, status, code, providerMessage: message, fields, ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }) });
}

function kindOf(status: number): ProviderErrorKind {
  if (status === 400 || status === 422) return 'validation';
  if (status === 401 || status === 403) return 'forbidden';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 409) return 'conflict';
  return 'server';
}

/**
 * The partner error body is `{error:{code, message, fields?}}` (partner-api.md §1), but partners
 * stray (the example answers `{"error":true,"code":"not_found"}`), so read it leniently.
 */
function readErrorBody(text: string): { code?: string; message?: string; fields?: ProviderErrorField[] } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {};
  }
  if (!isRecord(body)) return {};
  const error = isRecord(body.error) ? body.error : body;
  const fields = Array.isArray(error.fields)
    ? error.fields.filter((f): f is ProviderErrorField => Value.Check(ErrorFieldSchema, f)).map((f) => (f.message === undefined ? { key: f.key } : { key: f.key, message: f.message }))
    : undefined;
  return {
    code: typeof error.code === 'string' ? error.code : undefined,
    message: typeof error.message === 'string' ? error.message : undefined,
    fields,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function summarize(error: unknown): Error {
  if (!(error instanceof Error)) return new Error('unknown failure');
  // Socket errors carry their code themselves (ECONNREFUSED…); fetch's carried it in `cause`.
  const coded = error as { code?: unknown; cause?: { code?: unknown } };
  const raw = typeof coded.code === 'string' ? coded.code : coded.cause?.code;
  const code = typeof raw === 'string' ? ` (${raw})` : '';
  return new Error(`${error.name}: ${error.message}${code}`);
}
