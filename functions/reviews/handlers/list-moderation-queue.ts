import { httpHandler } from '#shared/http/handler.ts';
import { queueDeps } from '../composition-moderation.ts';
import { listModerationQueue as operation } from '../contracts/moderation.ts';
import { listModerationQueue } from '../queue.ts';

const deps = queueDeps();

// Moderators only (the route's access).
export const handler = httpHandler(operation, async ({ query }) => ({
  status: 200,
  body: await listModerationQueue(deps, query),
}));
