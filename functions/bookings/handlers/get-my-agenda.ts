import { httpHandler } from '#shared/http/handler.ts';
import { bookingDeps } from '../composition.ts';
import { getMyAgenda as operation } from '../contract.ts';
import { practitionerAgenda } from '../use-cases.ts';

const deps = bookingDeps();

// The route is for the practitioner role: the agenda is always the caller's own.
export const handler = httpHandler(operation, async ({ query, caller }) => ({
  status: 200,
  body: await practitionerAgenda(deps, caller!.userId, query),
}));
