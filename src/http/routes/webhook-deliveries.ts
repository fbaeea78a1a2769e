import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { findWebhookEventOfTeam, listWebhookEventsOfTeam, redeliverWebhookEvent, type WebhookEventRow } from '../../db/webhook-outbox.js';
import { canWrite } from '../../domain/roles.js';
import type { WebhookState } from '../../domain/webhook-events.js';
import { ApiError } from '../../errors.js';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../error-schema.js';
import { KeysetQuery, keysetPage, keysetPageQuery } from '../keyset-pagination.js';
import { TeamQuery } from '../pagination.js';
import { IdParams } from '../path-params.js';
import { teamOf } from '../plugins/auth.js';
import { WebhookDelivery, WebhookDeliveryDetail, WebhookDeliveryList } from '../schemas/webhook-delivery.js';

const ListQuery = Type.Object({
  ...TeamQuery.properties,
  ...KeysetQuery.properties,
  installationId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Only the deliveries of this installation' })),
});

/**
 * The delivery log of the webhooks Stockroom sends to partners for the team's installations
 * (issue 15 §4; Stockroom's own API, hence `/stockroom/`): list, one with its payload, redeliver.
 * OWNER and MEMBER only, like installing and uninstalling: the log shows what partners were told
 * of the team and a redeliver sends it again.
 */
export const webhookDeliveryRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  // Route-level onRequest hooks run after the auth plugin's, so 403 still comes before body errors.
  async function requireWriter(request: FastifyRequest): Promise<void> {
    const { team, membership } = teamOf(request);
    if (!canWrite(membership.role)) {
      throw new ApiError('forbidden', `Your role ${membership.role} on team ${team.slug} may not see or redeliver webhooks; OWNER and MEMBER may.`);
    }
  }

  app.get(
    '/stockroom/v1/webhook-deliveries',
    {
      onRequest: requireWriter,
      schema: {
        tags: ['stockroom'],
        summary: "The webhooks sent (or to send) to partners for the team's installations, newest first",
        querystring: ListQuery,
        response: { 200: WebhookDeliveryList, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { team } = teamOf(request);
      const page = keysetPageQuery(request.query);
      const { installationId } = request.query;
      const rows = await listWebhookEventsOfTeam(ctx.db, team.id, { ...page, ...(installationId !== undefined ? { installationId } : {}) });
      const { items, pagination } = keysetPage(rows, page.limit, (row) => ({ createdAt: row.created_at, id: row.id }));
      return { deliveries: items.map(presentDelivery), pagination };
    },
  );

  app.get(
    '/stockroom/v1/webhook-deliveries/:id',
    {
      onRequest: requireWriter,
      schema: {
        tags: ['stockroom'],
        summary: 'One webhook of the team: its state, attempts, last status and answer, and the payload it sends',
        params: IdParams,
        querystring: TeamQuery,
        response: { 200: WebhookDeliveryDetail, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => presentDetail(await loadDelivery(ctx, teamOf(request).team.id, request.params.id)),
  );

  app.post(
    '/stockroom/v1/webhook-deliveries/:id/redeliver',
    {
      onRequest: requireWriter,
      config: { write: true },
      schema: {
        tags: ['stockroom'],
        summary: 'Send a delivered, failed or undeliverable webhook again (same id); 409 while it is still pending',
        params: IdParams,
        querystring: TeamQuery,
        response: { 200: WebhookDeliveryDetail, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const teamId = teamOf(request).team.id;
      const row = await loadDelivery(ctx, teamId, request.params.id);
      if (!(await redeliverWebhookEvent(ctx.db, row.id, ctx.now()))) {
        throw new ApiError('conflict', `The webhook ${row.id} is still pending: it is delivered or retried already.`);
      }
      return presentDetail(await loadDelivery(ctx, teamId, row.id));
    },
  );
};

async function loadDelivery(ctx: AppContext, teamId: string, id: string): Promise<WebhookEventRow> {
  const row = await findWebhookEventOfTeam(ctx.db, teamId, id);
  if (!row) throw new ApiError('not_found', `The webhook delivery ${id} was not found.`);
  return row;
}

function presentDelivery(row: WebhookEventRow): WebhookDelivery {
  return {
    id: row.id,
    type: row.type,
    installationId: row.installation_id,
    integrationId: row.integration_id,
    sequence: Number(row.sequence),
    state: row.state as WebhookState,
    attempts: row.attempts,
    nextAttemptAt: row.state === 'pending' ? Number(row.next_attempt_at) : null,
    lastAttemptAt: row.last_attempt_at === null ? null : Number(row.last_attempt_at),
    lastStatus: row.last_status,
    lastResponse: row.last_response,
    deliveredAt: row.delivered_at === null ? null : Number(row.delivered_at),
    createdAt: Number(row.created_at),
  };
}

function presentDetail(row: WebhookEventRow): WebhookDeliveryDetail {
  return { ...presentDelivery(row), payload: JSON.parse(row.payload) as Record<string, unknown> };
}
