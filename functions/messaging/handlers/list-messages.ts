import { httpHandler } from '#shared/http/handler.ts';
import { messagingDeps } from '../composition.ts';
import { listMessages as operation } from '../contract.ts';
import { listMessages } from '../use-cases.ts';

const deps = messagingDeps();

export const handler = httpHandler(operation, async ({ pathParameters, query, caller }) => ({
  status: 200,
  body: await listMessages(deps, caller!.userId, pathParameters.conversationId, query),
}));
