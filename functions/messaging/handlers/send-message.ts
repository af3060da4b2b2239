import { httpHandler } from '#shared/http/handler.ts';
import { messagingDeps } from '../composition.ts';
import { sendMessage as operation } from '../contract.ts';
import { sendMessage } from '../use-cases.ts';

const deps = messagingDeps();

export const handler = httpHandler(operation, async ({ pathParameters, body, caller }) => ({
  status: 201,
  body: await sendMessage(deps, caller!.userId, pathParameters.conversationId, body.text),
}));
