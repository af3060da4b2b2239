/** The `Idempotency-Key` header of the POSTs that create bookings or payments (DESIGN §7). */
import * as z from 'zod';

/** 8 to 128 characters: letters, digits and - _ . : (a UUID fits). Declared as an operation's `headers`. */
export const IdempotencyKeyHeader = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{8,128}$/, '8 to 128 letters, digits, - _ . :')
    .meta({ description: 'Names the request: a retry with the same key gets the first answer.' }),
});
