import { httpHandler } from '#shared/http/handler.ts';
import { supportDeps } from '../composition.ts';
import { answerMySupportTicket as operation } from '../contract.ts';
import { answerMyTicket } from '../use-cases.ts';

const deps = supportDeps();

export const handler = httpHandler(operation, async ({ pathParameters, body, caller }) => ({
  status: 201,
  body: await answerMyTicket(deps, caller!.userId, pathParameters.ticketId, body.text),
}));
