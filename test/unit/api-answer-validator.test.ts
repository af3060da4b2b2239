/**
 * The e2e tests' answer validator (test/support/api.ts) refuses every answer the OpenAPI document
 * does not declare: a status, a content type, a field (objects are closed), a header, a missing
 * required header. Its messages name the operation, status and field, never a value.
 */
import { describe, expect, it } from 'vitest';
import { type Answer, templateOf, UndocumentedAnswer, validateAnswer } from '../support/api.ts';

const json = { 'content-type': 'application/json' };
const problem = { 'content-type': 'application/problem+json' };
const health = { status: 'ok', service: 'monprodubienetre-api', time: '2026-12-06T10:00:00.000Z' };

const answer = (over: Partial<Answer>): Answer => ({
  method: 'GET',
  path: '/health',
  status: 200,
  headers: json,
  body: JSON.stringify(health),
  ...over,
});

function refusal(a: Answer): string {
  try {
    validateAnswer(a);
  } catch (error) {
    expect(error).toBeInstanceOf(UndocumentedAnswer);
    return (error as Error).message;
  }
  throw new Error('the answer was accepted');
}

describe('the answer validator', () => {
  it('accepts a documented answer, with the transport, security and CORS headers', () => {
    expect(() =>
      validateAnswer(
        answer({
          headers: {
            ...json,
            'content-length': '80',
            date: 'Sun, 06 Dec 2026 10:00:00 GMT',
            'cache-control': 'no-store',
            'strict-transport-security': 'max-age=63072000',
            'x-content-type-options': 'nosniff',
            'x-amzn-requestid': 'r-1',
            vary: 'Origin',
            'access-control-allow-origin': 'https://www.monprodubienetre.fr',
          },
        }),
      ),
    ).not.toThrow();
  });

  it('refuses a status the operation does not declare', () => {
    expect(refusal(answer({ status: 418 }))).toBe('getHealth (GET /health): status 418 is not documented');
  });

  it('refuses a field the schema does not name, naming the field and not its value', () => {
    const message = refusal(answer({ body: JSON.stringify({ ...health, secret: 'zoe@example.test' }) }));
    expect(message).toContain('getHealth (GET /health) 200');
    expect(message).toContain('undocumented field "secret"');
    expect(message).not.toContain('zoe@example.test');
  });

  it('refuses a value of the wrong type or shape without quoting it', () => {
    const message = refusal(answer({ body: JSON.stringify({ ...health, service: 'zoe@example.test', time: 42 }) }));
    expect(message).toContain('/time');
    expect(message).not.toContain('42');
    const missing = refusal(answer({ body: JSON.stringify({ status: 'ok' }) }));
    expect(missing).toContain('missing field "service"');
  });

  it('closes nested objects and those of referenced components', () => {
    const path = '/bookings/{appointmentId}';
    const appointment = {
      id: 'apt_1',
      practitionerId: 'p',
      clientId: 'c',
      service: { id: 's', name: 'Séance', durationMinutes: 60, priceCents: 6000, extra: 1 },
      start: 'x',
      end: 'y',
      local: 'z',
      state: 'confirmed',
      version: 1,
      cancellationPolicy: { freeUntilHoursBefore: 24, lateCancellationFeePercent: 50 },
      createdAt: 'a',
      updatedAt: 'b',
    };
    const message = refusal({ method: 'GET', path, status: 200, headers: json, body: JSON.stringify(appointment) });
    expect(message).toContain(
      'getAppointment (GET /bookings/{appointmentId}) 200: /service: undocumented field "extra"',
    );
    const { extra: _, ...service } = appointment.service;
    expect(() =>
      validateAnswer({
        method: 'GET',
        path,
        status: 200,
        headers: json,
        body: JSON.stringify({ ...appointment, service }),
      }),
    ).not.toThrow();
  });

  it('refuses an undocumented header, and a documented one that is missing or malformed', () => {
    expect(refusal(answer({ headers: { ...json, 'x-debug': 'on' } }))).toBe(
      'getHealth (GET /health) 200: undocumented header x-debug',
    );
    const booking = {
      method: 'POST',
      path: '/bookings',
      status: 409,
      headers: problem,
      body: JSON.stringify({ type: 't', title: 'Slot taken', status: 409, detail: 'd' }),
    };
    expect(() => validateAnswer(booking)).not.toThrow();
    const created = { ...booking, status: 201, headers: json, body: '{}' };
    expect(refusal(created)).toBe('bookAppointment (POST /bookings) 201: missing required header location');
    expect(refusal({ ...booking, status: 429, headers: { ...problem, 'retry-after': 'soon' } })).toContain(
      'header retry-after must match pattern',
    );
  });

  it('refuses a content type the answer does not document, and a problem with other fields', () => {
    expect(refusal(answer({ headers: { 'content-type': 'text/html' }, body: '<p>' }))).toContain(
      'content type text/html is not documented',
    );
    const bad = {
      type: 't',
      title: 'Invalid request',
      status: 400,
      errors: [{ field: 'email', message: 'm', value: 'x' }],
    };
    expect(
      refusal({ method: 'POST', path: '/contact', status: 400, headers: problem, body: JSON.stringify(bad) }),
    ).toContain('/errors/0: undocumented field "value"');
  });

  it('takes the other media types an answer documents (the CSV export), with their headers', () => {
    const exported = {
      method: 'GET',
      path: '/practitioners/me/appointments/export?format=csv',
      status: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="appointments-2026-12-06.csv"',
      },
      body: 'appointmentId,state\r\n',
    };
    expect(() => validateAnswer(exported)).not.toThrow();
    expect(refusal({ ...exported, headers: { 'content-type': 'text/csv' } })).toContain(
      'missing required header content-disposition',
    );
  });

  it('finds the route of a concrete path, a literal segment before a parameter', () => {
    expect(templateOf('GET', '/practitioners/me/agenda')).toBe('/practitioners/me/agenda');
    expect(templateOf('GET', '/practitioners/prac_1')).toBe('/practitioners/{practitionerId}');
    expect(templateOf('PUT', '/practitioners/me/profile')).toBe('/practitioners/me/profile');
    expect(templateOf('GET', '/nope')).toBeUndefined();
  });

  it('holds answers of no route to the gateway’s 404 and 405 problems', () => {
    const gone = { type: 't', title: 'Not found', status: 404, detail: 'No route matches this path' };
    expect(() =>
      validateAnswer({ method: 'GET', path: '/nope', status: 404, headers: problem, body: JSON.stringify(gone) }),
    ).not.toThrow();
    expect(refusal({ method: 'GET', path: '/nope', status: 200, headers: json, body: '{}' })).toContain(
      'status 200, not 404',
    );
    expect(refusal({ method: 'DELETE', path: '/health', status: 404, headers: problem, body: '{}' })).toContain(
      'not 405',
    );
  });
});
