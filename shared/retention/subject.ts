/**
 * The data subject an item is about, as a pseudonymous key (the subject index's partition key):
 * legal holds and erasure requests find every item of a person through it, in every table.
 * An email is hashed, so the index holds no address in clear; it is pseudonymisation, not
 * anonymisation (a known address can be hashed and looked up), which is exactly what a rights
 * request needs.
 */
import { createHash } from 'node:crypto';

export type SubjectKey = `email#${string}` | `account#${string}` | `ip#${string}`;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function subjectKeyForEmail(email: string): SubjectKey {
  const digest = createHash('sha256')
    .update(`mpbe-subject:${normalizeEmail(email)}`)
    .digest('hex');
  return `email#${digest.slice(0, 40)}`;
}

export function subjectKeyForAccount(accountId: string): SubjectKey {
  return `account#${accountId}`;
}

/** A source IP address, hashed like an email: connection data is found by it without listing IPs. */
export function subjectKeyForIp(ip: string): SubjectKey {
  const digest = createHash('sha256').update(`mpbe-subject-ip:${ip.trim().toLowerCase()}`).digest('hex');
  return `ip#${digest.slice(0, 40)}`;
}
