/**
 * Public reads that browsers and CDNs may keep (`Operation.publicCache`): their 200 carries
 * `Cache-Control: public, max-age=N` and a strong ETag, a hash of the body, so a client revalidates
 * with If-None-Match and gets a 304 without a body while the answer is unchanged (./handler.ts).
 * The contracts of those operations document both with what is here.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { ResponseContract, ResponseHeader } from './contract.ts';

/** A strong entity tag of an answer's body: a hash of its UTF-8 bytes. */
export function entityTag(body: string): string {
  return `"${createHash('sha256').update(body, 'utf8').digest('base64url').slice(0, 32)}"`;
}

/** Whether an If-None-Match value holds `etag` (RFC 9110 13.1.2: weak comparison; `*` matches any). */
export function ifNoneMatchHolds(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

/** The ETag header of a public read's 200. */
export const ETagHeader: ResponseHeader = {
  description:
    'The entity tag of this answer: sent back in If-None-Match, it gets a 304 while the answer is unchanged.',
  schema: z.string().regex(/^"[A-Za-z0-9_-]{32}"$/),
};

/** The 304 of a public read. */
export const NotModified: ResponseContract = {
  description: 'Not modified: the request’s If-None-Match holds the current ETag. No body; the ETag and cache headers.',
};
