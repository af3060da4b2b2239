import { httpHandler } from '#shared/http/handler.ts';
import { bookingDeps } from '../composition.ts';
import { listMyAppointments as operation } from '../contract.ts';
import { listMyAppointments } from '../use-cases.ts';

const deps = bookingDeps();

export const handler = httpHandler(operation, async ({ query, caller }) => ({
  status: 200,
  body: await listMyAppointments(deps, caller!.userId, query),
}));
