import { httpHandler } from '#shared/http/handler.ts';
import { messagingDeps } from '../composition.ts';
import { closeConversation as operation } from '../contract.ts';
import { closeConversation } from '../use-cases.ts';

const deps = messagingDeps();

export const handler = httpHandler(operation, async ({ pathParameters, caller }) => ({
  status: 200,
  body: await closeConversation(deps, caller!.userId, pathParameters.conversationId),
}));
