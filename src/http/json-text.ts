import type { FastifyReply } from 'fastify';

/**
 * Sends `json`, a body already serialized, as it is: with the content type Fastify gives a
 * serialized answer, which also tells Fastify not to serialize the string again (a string with a
 * JSON content type goes straight to `onSend`). For answers built from parts serialized once and
 * kept (issue 17); the route's response schema still documents them. A handler returns what this
 * returns, the reply, as Fastify asks of async handlers that send.
 */
export function sendJsonText(reply: FastifyReply, json: string): FastifyReply {
  return reply.header('content-type', 'application/json; charset=utf-8').send(json);
}
