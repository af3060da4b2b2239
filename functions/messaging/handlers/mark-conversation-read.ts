import { httpHandler } from '#shared/http/handler.ts';
import { messagingDeps } from '../composition.ts';
import { markConversationRead as operation } from '../contract.ts';
import { markConversationRead } from '../use-cases.ts';

const deps = messagingDeps();

export const handler = httpHandler(operation, async ({ pathParameters, caller }) => ({
  status: 200,
  body: await markConversationRead(deps, caller!.userId, pathParameters.conversationId),
}));
