/**
 * The newsletter's keys and link tokens, pure (node:crypto only). ADR 0020.
 *
 * - An address is known by its **digest**: HMAC-SHA256 of the normalized address under the pepper
 *   (a secret from configuration), 40 hex digits. It keys the address's partition and its
 *   suppression entry; without the pepper nobody can tell whether an address is in the table.
 * - A **confirmation link** carries `<digest>.<secret>`: 32 random bytes, of which only the SHA-256
 *   is stored, with its expiry (the pending request's 7 days). Nothing to sign, no key to rotate.
 * - The **long-lived links** (unsubscribe, renewal answer, a campaign's tracked links) carry
 *   `<digest>.<mac>`, the HMAC of the digest and the link's purpose under the pepper: the senders
 *   compute them for every mail without storing a secret per subscriber, and a link of one
 *   purpose is no link of another.
 * Tokens are compared in constant time.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a long-lived link lets its holder do. */
export type LinkPurpose = 'unsubscribe' | 'renewal' | 'click';

const DIGEST = /^[0-9a-f]{40}$/;
/** `<digest>.<43 base64url characters>` (256 bits). */
export const TOKEN_PATTERN = /^[0-9a-f]{40}\.[A-Za-z0-9_-]{43}$/;

export function normalizeAddress(email: string): string {
  return email.trim().toLowerCase();
}

/** The keyed hash of an address: 40 hex digits. */
export function addressDigest(pepper: string, email: string): string {
  return createHmac('sha256', pepper)
    .update(`newsletter-address:${normalizeAddress(email)}`)
    .digest('hex')
    .slice(0, 40);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A new confirmation link's token and the hash stored for it. */
export function newConfirmationToken(
  digest: string,
  random: () => Buffer = () => randomBytes(32),
): {
  token: string;
  hash: string;
} {
  if (!DIGEST.test(digest)) throw new Error('Not an address digest');
  const secret = random().toString('base64url');
  return { token: `${digest}.${secret}`, hash: sha256(secret) };
}

/** The parts of a token of the right shape; undefined otherwise. */
export function parseToken(token: string): { digest: string; secret: string } | undefined {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  const [digest, secret] = token.split('.') as [string, string];
  return { digest, secret };
}

const sameText = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/** Whether a confirmation token's secret is the one whose hash was stored. */
export function confirmationMatches(secret: string, storedHash: string): boolean {
  return sameText(sha256(secret), storedHash);
}

/** The token of a long-lived link of `purpose` for the address of `digest`. */
export function linkToken(pepper: string, purpose: LinkPurpose, digest: string): string {
  if (!DIGEST.test(digest)) throw new Error('Not an address digest');
  const mac = createHmac('sha256', pepper).update(`newsletter-link:${purpose}:${digest}`).digest('base64url');
  return `${digest}.${mac}`;
}

/** The digest a long-lived link's token names, when its MAC holds for `purpose`; undefined otherwise. */
export function verifyLinkToken(pepper: string, purpose: LinkPurpose, token: string): string | undefined {
  const parts = parseToken(token);
  if (!parts) return undefined;
  return sameText(linkToken(pepper, purpose, parts.digest), token) ? parts.digest : undefined;
}
