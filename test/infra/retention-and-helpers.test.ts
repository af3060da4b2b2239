/** The infrastructure's periods come from the retention catalogue, never longer than it says. */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { routes } from '#functions/routes.ts';
import { pathParameters, requiredQueryParameters } from '#infra/constructs/api.ts';
import { contextOf } from '#infra/constructs/functions.ts';
import {
  CONNECTION_LOG_DAYS,
  logRetentionAtMost,
  retentionDays,
  shortestRetentionDays,
  TECHNICAL_LOG_DAYS,
} from '#infra/retention.ts';
import { retentionCatalogue } from '#shared/retention/catalogue.ts';

describe('retention of the infrastructure', () => {
  it('takes operational logs from the technical-operation period', () => {
    expect(TECHNICAL_LOG_DAYS).toBe(retentionCatalogue['technical-operation'].keep.days);
  });

  it('caps logs holding connection data by the fraud-prevention period ("1 mois maximum")', () => {
    expect(CONNECTION_LOG_DAYS).toBeLessThanOrEqual(retentionCatalogue['fraud-prevention'].keep.days);
    expect(shortestRetentionDays('technical-operation', 'fraud-prevention')).toBe(CONNECTION_LOG_DAYS);
  });

  it('rounds a period down to a CloudWatch Logs retention, never up, never infinite', () => {
    expect(logRetentionAtMost(30)).toBe(RetentionDays.ONE_MONTH);
    expect(logRetentionAtMost(35)).toBe(RetentionDays.ONE_MONTH);
    expect(logRetentionAtMost(13)).toBe(RetentionDays.ONE_WEEK);
    expect(logRetentionAtMost(100_000)).not.toBe(RetentionDays.INFINITE);
    expect(() => logRetentionAtMost(0)).toThrow();
  });

  it('refuses a purpose without a period in days', () => {
    expect(() => retentionDays('appointment')).toThrow(/no period in days/);
    expect(() => retentionDays('support')).toThrow(/no period in days/);
  });
});

describe('helpers', () => {
  it('names the bounded context of a function entry', () => {
    expect(contextOf('functions/contact/handlers/submit-contact-request.ts')).toBe('contact');
    expect(() => contextOf('shared/x.ts')).toThrow();
  });

  it('reads path parameters of API Gateway paths', () => {
    expect(pathParameters('/practitioners/{practitionerId}/slots/{slotId}')).toEqual(['practitionerId', 'slotId']);
    expect(pathParameters('/files/{proxy+}')).toEqual(['proxy']);
    expect(pathParameters('/health')).toEqual([]);
  });

  it('reads the required query parameters of a route from its zod contract', () => {
    for (const route of routes) expect(Array.isArray(requiredQueryParameters(route))).toBe(true);
    const list = routes.find((route) => route.path === '/practitioners' && route.method === 'GET');
    if (list) expect(requiredQueryParameters(list)).toEqual([]);
  });
});
