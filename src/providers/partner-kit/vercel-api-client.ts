/**
 * A partner's client for the API partners call back on Vercel (partner-api.md §1.5) — here,
 * Stockroom playing Vercel. Plain `fetch` with the exact paths and bodies `@vercel/sdk` 1.28.35
 * sends (`esm/funcs/marketplace*.js`): the SDK is a development dependency of Stockroom only, and
 * a partner built on the kit needs no more than these few calls. Dates go out as ISO 8601 strings,
 * as the SDK encodes them. Generic: any provider on the kit can use it.
 */

/** A line of Submit Billing Data's `billing.items` or Submit Invoice's `items`. Money is a USD decimal string. */
export interface BillingItem {
  readonly billingPlanId: string;
  readonly resourceId?: string;
  readonly start?: string;
  readonly end?: string;
  readonly name: string;
  readonly details?: string;
  readonly price: string;
  readonly quantity: number;
  readonly units: string;
  readonly total: string;
}

export interface UsageItem {
  readonly resourceId?: string;
  readonly name: string;
  readonly type: 'total' | 'interval' | 'rate';
  readonly units: string;
  readonly dayValue: number;
  readonly periodValue: number;
  readonly planValue?: number;
}

export interface Period {
  readonly start: string;
  readonly end: string;
}

/** `POST /v1/installations/{icfg}/billing`. */
export interface BillingData {
  readonly timestamp: string;
  readonly eod: string;
  readonly period: Period;
  readonly billing: { readonly items: readonly BillingItem[] };
  readonly usage: readonly UsageItem[];
}

/** `POST /v1/installations/{icfg}/billing/invoices`. */
export interface InvoiceSubmission {
  readonly externalId?: string;
  readonly invoiceDate: string;
  readonly memo?: string;
  readonly period: Period;
  readonly items: readonly BillingItem[];
  readonly final?: boolean;
  readonly test?: { readonly validate?: boolean; readonly result?: 'paid' | 'notpaid' };
}

export interface InvoiceSubmitted {
  readonly invoiceId?: string;
  readonly test?: boolean;
  readonly validationErrors?: readonly string[];
}

/** What Get Invoice answers that a partner reads; the rest is passed through. */
export interface InvoiceView {
  readonly invoiceId: string;
  readonly state: string;
  readonly total: string;
  readonly [key: string]: unknown;
}

export interface PrepaymentBalance {
  readonly resourceId?: string;
  readonly credit?: string;
  readonly nameLabel?: string;
  readonly currencyValueInCents: number;
}

/** The answer of `POST /v1/integrations/sso/token`, read as the SDK reads it (snake_case on the wire). */
export interface SsoTokens {
  readonly idToken: string;
  readonly accessToken: string | null;
  readonly tokenType: string | null;
}

/** Stockroom (or Vercel) refused a call or answered something unreadable. */
export class VercelApiError extends Error {
  override readonly name = 'VercelApiError';
  constructor(
    readonly operation: string,
    /** 0 when no answer came (network failure, timeout). */
    readonly status: number,
    /** `error.code` of the answer, when it had Vercel's error shape. */
    readonly code: string | undefined,
    message: string,
  ) {
    super(`${operation}: ${message}`);
  }
}

export interface VercelApiClientOptions {
  /** Where the API lives: `https://api.vercel.com`, or Stockroom's public URL. A function when it is known late. */
  readonly baseUrl: string | (() => string);
  /** Sent as `user-agent`, e.g. `Acme Data/oac_…`. */
  readonly userAgent: string;
  /** Per call, ms; default 10000. */
  readonly timeoutMs?: number;
}

/** The calls one installation makes with its access token. */
export interface InstallationApiClient {
  submitBillingData(data: BillingData): Promise<void>;
  submitInvoice(invoice: InvoiceSubmission): Promise<InvoiceSubmitted>;
  getInvoice(invoiceId: string): Promise<InvoiceView>;
  /** Invoice Actions: `{action:"refund", reason, total}`. */
  refundInvoice(invoiceId: string, reason: string, total: string): Promise<void>;
  submitPrepaymentBalances(timestamp: string, balances: readonly PrepaymentBalance[]): Promise<void>;
  finalizeInstallation(): Promise<void>;
  /** Update Resource (`updateResource`): e.g. `{ownership: "owned"}` once a person claimed a sandbox resource. */
  updateResource(resourceId: string, fields: { readonly ownership?: 'owned' | 'linked' | 'sandbox'; readonly name?: string }): Promise<void>;
  /** Update Resource Secrets (`updateResourceSecretsById`): the resource's secrets, all of them unless `partial`. */
  updateResourceSecrets(resourceId: string, secrets: readonly { readonly name: string; readonly value: string }[], partial: boolean): Promise<void>;
}

export interface VercelApiClient {
  forInstallation(installationId: string, accessToken: string): InstallationApiClient;
  /** SSO: trades the `code` Vercel sent to the Redirect Login URL for an `id_token`. */
  exchangeSsoToken(request: { readonly code: string; readonly state?: string; readonly clientId: string; readonly clientSecret: string; readonly redirectUri?: string }): Promise<SsoTokens>;
}

export function createVercelApiClient(options: VercelApiClientOptions): VercelApiClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const call = async (operation: string, method: string, path: string, token: string | null, body: unknown): Promise<unknown> => {
    const base = (typeof options.baseUrl === 'function' ? options.baseUrl() : options.baseUrl).replace(/\/+$/, '');
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': options.userAgent };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new VercelApiError(operation, 0, undefined, error instanceof Error ? error.message : String(error));
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (response.ok) throw new VercelApiError(operation, response.status, undefined, 'the answer is not JSON');
      }
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const code = typeof error?.code === 'string' ? error.code : undefined;
      const message = typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`;
      throw new VercelApiError(operation, response.status, code, `${response.status} ${message}`);
    }
    return parsed;
  };

  return {
    forInstallation(installationId, accessToken) {
      const at = `/v1/installations/${encodeURIComponent(installationId)}`;
      return {
        async submitBillingData(data) {
          await call('submitBillingData', 'POST', `${at}/billing`, accessToken, data);
        },
        async submitInvoice(invoice) {
          const answer = await call('submitInvoice', 'POST', `${at}/billing/invoices`, accessToken, invoice);
          return objectAnswer('submitInvoice', answer) as InvoiceSubmitted;
        },
        async getInvoice(invoiceId) {
          const answer = objectAnswer('getInvoice', await call('getInvoice', 'GET', `${at}/billing/invoices/${encodeURIComponent(invoiceId)}`, accessToken, undefined));
          if (typeof answer.state !== 'string' || typeof answer.invoiceId !== 'string') {
            throw new VercelApiError('getInvoice', 200, undefined, 'the answer has no invoiceId or state');
          }
          return answer as InvoiceView;
        },
        async refundInvoice(invoiceId, reason, total) {
          await call('updateInvoice', 'POST', `${at}/billing/invoices/${encodeURIComponent(invoiceId)}/actions`, accessToken, { action: 'refund', reason, total });
        },
        async submitPrepaymentBalances(timestamp, balances) {
          await call('submitPrepaymentBalances', 'POST', `${at}/billing/balance`, accessToken, { timestamp, balances });
        },
        async finalizeInstallation() {
          await call('finalizeInstallation', 'POST', `${at}/billing/finalize`, accessToken, undefined);
        },
        async updateResource(resourceId, fields) {
          await call('updateResource', 'PATCH', `${at}/resources/${encodeURIComponent(resourceId)}`, accessToken, fields);
        },
        async updateResourceSecrets(resourceId, secrets, partial) {
          await call('updateResourceSecretsById', 'PUT', `${at}/resources/${encodeURIComponent(resourceId)}/secrets`, accessToken, { secrets, partial });
        },
      };
    },

    async exchangeSsoToken(request) {
      const body = {
        code: request.code,
        ...(request.state === undefined ? {} : { state: request.state }),
        client_id: request.clientId,
        client_secret: request.clientSecret,
        ...(request.redirectUri === undefined ? {} : { redirect_uri: request.redirectUri }),
        grant_type: 'authorization_code',
      };
      const answer = objectAnswer('exchangeSsoToken', await call('exchangeSsoToken', 'POST', '/v1/integrations/sso/token', null, body));
      if (typeof answer.id_token !== 'string') throw new VercelApiError('exchangeSsoToken', 200, undefined, 'the answer has no id_token');
      return {
        idToken: answer.id_token,
        accessToken: typeof answer.access_token === 'string' ? answer.access_token : null,
        tokenType: typeof answer.token_type === 'string' ? answer.token_type : null,
      };
    },
  };
}

function objectAnswer(operation: string, answer: unknown): Record<string, unknown> {
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) {
    throw new VercelApiError(operation, 200, undefined, 'the answer is not a JSON object');
  }
  return answer as Record<string, unknown>;
}
