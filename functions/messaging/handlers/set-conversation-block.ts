import { httpHandler } from '#shared/http/handler.ts';
import { messagingDeps } from '../composition.ts';
import { setConversationBlock as operation } from '../contract.ts';
import { setConversationBlock } from '../use-cases.ts';

const deps = messagingDeps();

export const handler = httpHandler(operation, async ({ pathParameters, body, caller }) => ({
  status: 200,
  body: await setConversationBlock(deps, caller!.userId, pathParameters.conversationId, body.blocked),
}));
