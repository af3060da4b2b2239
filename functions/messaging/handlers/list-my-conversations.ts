import { httpHandler } from '#shared/http/handler.ts';
import { messagingDeps } from '../composition.ts';
import { listMyConversations as operation } from '../contract.ts';
import { listMyConversations } from '../use-cases.ts';

const deps = messagingDeps();

export const handler = httpHandler(operation, async ({ query, caller }) => ({
  status: 200,
  body: await listMyConversations(deps, caller!.userId, caller!.roles, query),
}));
