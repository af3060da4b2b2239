/**
 * Opaque pagination cursors: a query's LastEvaluatedKey in base64url JSON, and back. A cursor the
 * API did not give for this query (forged, from another list or another person's) is a 400 naming
 * `query.cursor`, before DynamoDB is asked anything.
 */
import { HttpProblem } from './problem.ts';

export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export const invalidCursor = () =>
  new HttpProblem(400, 'Invalid request', 'Invalid field: query.cursor', {
    errors: [{ field: 'query.cursor', message: 'not a cursor returned by this API' }],
  });

/**
 * The key a cursor encodes: exactly `fields`, each a string, and each of `fixed` equal to its
 * value (the partition of the list it belongs to). Anything else throws `invalidCursor()`.
 */
export function decodeCursor(
  cursor: string,
  fields: readonly string[],
  fixed: Readonly<Record<string, string>> = {},
): Record<string, string> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalidCursor();
  const record = key as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length !== fields.length || !fields.every((f) => typeof record[f] === 'string')) throw invalidCursor();
  if (!Object.entries(fixed).every(([f, v]) => record[f] === v)) throw invalidCursor();
  return record as Record<string, string>;
}
