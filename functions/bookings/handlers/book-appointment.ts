import { httpHandler } from '#shared/http/handler.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { bookingDeps } from '../composition.ts';
import { bookAppointment as operation } from '../contract.ts';
import { book } from '../use-cases.ts';

const deps = bookingDeps();

/** Idempotency-Key: 8 to 128 characters, letters, digits and - _ . : (a UUID fits). */
function idempotencyKey(headers: Readonly<Record<string, string | undefined>>): string {
  const value = Object.entries(headers).find(([name]) => name.toLowerCase() === 'idempotency-key')?.[1];
  if (value === undefined || !/^[A-Za-z0-9_.:-]{8,128}$/.test(value))
    throw new HttpProblem(400, 'Invalid request', 'Invalid header: Idempotency-Key', {
      errors: [{ field: 'header.Idempotency-Key', message: 'required: 8 to 128 letters, digits, - _ . :' }],
    });
  return value;
}

// The route is for the client role only, so the shared handler has set the caller.
export const handler = httpHandler(operation, async ({ body, headers, caller }) => {
  const result = await book(deps, caller!.userId, idempotencyKey(headers), body);
  return { status: result.status, body: result.body, headers: { Location: `/bookings/${result.body.id}` } };
});
