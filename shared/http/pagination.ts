/** The query and answer of a paginated list: `limit` (1–50, 20 by default) and an opaque `cursor`. */
import * as z from 'zod';

export const pageQueryFields = {
  limit: z.coerce.number().int().min(1).max(50).default(20),
  cursor: z.string().max(1024).optional(),
};

/** A page of `item`: the items, and the cursor of the next page while there is one. */
export const pageOf = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() }).meta({ id });
