/** The `Idempotency-Key` header of the POSTs that create bookings or payments (DESIGN §7). */
import { HttpProblem } from './problem.ts';

/** 8 to 128 characters: letters, digits and - _ . : (a UUID fits). A missing or bad key is a 400. */
export function idempotencyKey(headers: Readonly<Record<string, string | undefined>>): string {
  const value = Object.entries(headers).find(([name]) => name.toLowerCase() === 'idempotency-key')?.[1];
  if (value === undefined || !/^[A-Za-z0-9_.:-]{8,128}$/.test(value))
    throw new HttpProblem(400, 'Invalid request', 'Invalid header: Idempotency-Key', {
      errors: [{ field: 'header.Idempotency-Key', message: 'required: 8 to 128 letters, digits, - _ . :' }],
    });
  return value;
}
