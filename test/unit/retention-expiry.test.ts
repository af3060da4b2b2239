import { describe, expect, it } from 'vitest';
import { addPeriod, expiryFor, isExpired } from '#shared/retention/expiry.ts';

describe('retention expiry', () => {
  it('adds calendar years, months and days in UTC', () => {
    expect(addPeriod(new Date('2026-11-26T10:00:00Z'), { years: 3 }).toISOString()).toBe('2029-11-26T10:00:00.000Z');
    expect(addPeriod(new Date('2026-08-31T00:00:00Z'), { months: 6 }).toISOString()).toBe('2027-02-28T00:00:00.000Z');
    expect(addPeriod(new Date('2028-02-29T12:00:00Z'), { years: 1 }).toISOString()).toBe('2029-02-28T12:00:00.000Z');
    expect(addPeriod(new Date('2026-12-20T00:00:00Z'), { days: 30 }).toISOString()).toBe('2027-01-19T00:00:00.000Z');
  });

  it('gives a contact request 3 years from the request, and its expiry day', () => {
    const e = expiryFor('contact-request', new Date('2026-11-26T21:00:00Z'));
    expect(new Date(e.expiresAt * 1000).toISOString()).toBe('2029-11-26T21:00:00.000Z');
    expect(e.expiryDay).toBe('2029-11-26');
    expect(e.retentionPurpose).toBe('contact-request');
  });

  it('is expired from the expiry second on, never before', () => {
    const e = expiryFor('contact-request', new Date('2026-11-26T21:00:00Z'));
    expect(isExpired(e.expiresAt, new Date('2029-11-25T21:00:00Z'))).toBe(false);
    expect(isExpired(e.expiresAt, new Date('2029-11-26T20:59:59Z'))).toBe(false);
    expect(isExpired(e.expiresAt, new Date('2029-11-26T21:00:00Z'))).toBe(true);
    expect(isExpired(undefined, new Date('2100-01-01T00:00:00Z'))).toBe(false);
  });
});
