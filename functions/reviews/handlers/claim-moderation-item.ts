import { httpHandler } from '#shared/http/handler.ts';
import { queueDeps } from '../composition-moderation.ts';
import { claimModerationItem as operation } from '../contracts/moderation.ts';
import { claimModerationItem } from '../queue.ts';

const deps = queueDeps();

// Moderators only (the route's access).
export const handler = httpHandler(operation, async ({ pathParameters, caller }) => ({
  status: 200,
  body: await claimModerationItem(deps, caller!, pathParameters.kind, pathParameters.id),
}));
