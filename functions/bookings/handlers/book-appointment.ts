import { httpHandler } from '#shared/http/handler.ts';
import { bookDeps } from '../composition-payments.ts';
import { bookAppointment as operation } from '../contract.ts';
import { book } from '../use-cases.ts';

const deps = bookDeps();

// The route is for the client role only, so the shared handler has set the caller.
export const handler = httpHandler(operation, async ({ body, headers, caller }) => {
  const result = await book(deps, caller!.userId, headers['idempotency-key']!, body);
  return { status: result.status, body: result.body, headers: { Location: `/bookings/${result.body.id}` } };
});
