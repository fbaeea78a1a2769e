import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../app-context.js';
import type { InvoiceSubmission } from '../../domain/invoices.js';
import { getInvoice, refundInvoice, submitInvoice } from '../../use-cases/invoices.js';
import { errorResponses } from '../error-schema.js';
import { installationOf, requireInstallationToken } from '../plugins/installation-token.js';
import { PartnerInvoiceWire, presentPartnerInvoice } from '../presenters/invoice.js';

/**
 * Submit Invoice, Get Invoice and Invoice Actions (partner-api.md §1.5; docs/invoices.md): what a
 * partner calls with the installation's access token to bill a team. Mounted at the root and under
 * `/api`, like the other partner callbacks (partner-callbacks.ts).
 */
export const partnerInvoiceRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  for (const prefix of ['', '/api']) registerRoutes(app, ctx, prefix);
};

const IcfgParam = Type.String({ minLength: 1, maxLength: 128 });
const InvoiceIdParam = Type.String({ minLength: 1, maxLength: 128 });
const Text = (max: number) => Type.String({ maxLength: max });
const Amount = Type.String({ minLength: 1, maxLength: 32 });
const DateText = Type.String({ minLength: 1, maxLength: 64 });

const Line = {
  resourceId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  billingPlanId: Type.String({ minLength: 1, maxLength: 256 }),
  start: Type.Optional(DateText),
  end: Type.Optional(DateText),
  name: Text(512),
  details: Type.Optional(Text(2048)),
};
const Item = Type.Object({ ...Line, price: Amount, quantity: Type.Number({ minimum: 0 }), units: Text(128), total: Amount });
const Discount = Type.Object({ ...Line, amount: Amount });

const SubmitBody = Type.Object({
  externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  invoiceDate: DateText,
  memo: Type.Optional(Text(4096)),
  period: Type.Object({ start: DateText, end: DateText }),
  items: Type.Array(Item, { minItems: 1, maxItems: 1000 }),
  discounts: Type.Optional(Type.Array(Discount, { maxItems: 1000 })),
  final: Type.Optional(Type.Boolean()),
  test: Type.Optional(Type.Object({ validate: Type.Optional(Type.Boolean()), result: Type.Optional(Type.Enum(['paid', 'notpaid', 'overdue'])) })),
});

const SubmitAnswer = Type.Object({
  invoiceId: Type.Optional(Type.String()),
  test: Type.Optional(Type.Boolean()),
  validationErrors: Type.Optional(Type.Array(Type.String())),
});

const ActionBody = Type.Object({
  action: Type.Literal('refund'),
  reason: Type.String({ minLength: 1, maxLength: 1024 }),
  total: Amount,
});

function registerRoutes(app: Parameters<FastifyPluginAsyncTypebox>[0], ctx: AppContext, prefix: string): void {
  const common = {
    config: { auth: 'none' as const },
    // Final invoices: also while an uninstalled installation waits for them (docs/partner-billing-and-sso.md).
    onRequest: requireInstallationToken(ctx, { duringFinalization: true }),
  };
  const schemaBase = { tags: ['marketplace'], hide: prefix !== '', security: [{ bearerToken: [] }] };

  app.post(
    `${prefix}/v1/installations/:icfg/billing/invoices`,
    {
      ...common,
      schema: {
        ...schemaBase,
        summary: 'Submit Invoice: a partner bills the team; the invoice is charged to its default payment method (test mode moves no money)',
        params: Type.Object({ icfg: IcfgParam }),
        body: SubmitBody,
        response: { 200: SubmitAnswer, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      return submitInvoice(ctx, installationOf(request), request.body as InvoiceSubmission);
    },
  );

  app.get(
    `${prefix}/v1/installations/:icfg/billing/invoices/:invoiceId`,
    {
      ...common,
      schema: {
        ...schemaBase,
        summary: 'Get Invoice: an invoice of the installation, with its state',
        params: Type.Object({ icfg: IcfgParam, invoiceId: InvoiceIdParam }),
        response: { 200: PartnerInvoiceWire, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const invoice = await getInvoice(ctx, request.params.icfg, request.params.invoiceId);
      return presentPartnerInvoice(invoice);
    },
  );

  app.post(
    `${prefix}/v1/installations/:icfg/billing/invoices/:invoiceId/actions`,
    {
      ...common,
      schema: {
        ...schemaBase,
        summary: 'Invoice Actions: refund (part of) a paid invoice; 204',
        params: Type.Object({ icfg: IcfgParam, invoiceId: InvoiceIdParam }),
        body: ActionBody,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const invoice = await getInvoice(ctx, request.params.icfg, request.params.invoiceId);
      await refundInvoice(ctx, invoice, { reason: request.body.reason, total: request.body.total });
      return reply.code(204).send(null);
    },
  );
}
