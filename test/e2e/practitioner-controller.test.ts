/**
 * The practitioner as controller of their clients' appointment data, over HTTP against the local
 * cloud: a practitioner with an open agenda is booked by clients, exports every appointment as
 * JSON and as CSV (with the clients' names and emails from Cognito), erases one client's
 * appointments (the client then gets a 404, the slot is free again, another practitioner erases
 * nothing of it), and reads the log of what they did. Then account deletions: a client's and a
 * practitioner's upcoming appointments are cancelled by the platform.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { book, callAs, freeSlots, type OpenAgenda, openAgenda, parisDate } from '../support/bookings.ts';
import { type Person, signedInPerson } from '../support/identity.ts';

const cloud = inject('cloud');
// Its own loopback address: these calls don't eat into other tests' rate limits.
const IP = '127.0.0.96';

let practitioner: Person;
let strangerPractitioner: Person;
let client: Person;
let otherClient: Person;
let agenda: OpenAgenda;

beforeAll(async () => {
  [practitioner, strangerPractitioner, client, otherClient] = await Promise.all([
    signedInPerson(cloud, 'practitioner'),
    signedInPerson(cloud, 'practitioner'),
    signedInPerson(cloud, 'client'),
    signedInPerson(cloud, 'client'),
  ]);
  agenda = await openAgenda(cloud, IP, practitioner);
}, 60_000);

interface Row {
  appointmentId: string;
  state: string;
  clientId: string;
  clientFirstName: string | null;
  clientLastName: string | null;
  clientEmail: string | null;
  cancelledBy: string | null;
}

async function booked(person: Person, start: string): Promise<string> {
  const reply = await book(cloud, IP, person, agenda, start);
  expect(reply.status).toBe(201);
  return (JSON.parse(reply.body) as { id: string }).id;
}

/** Polls until `check` passes (events travel through the local bus, asynchronously). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('a practitioner’s export and erasure of their clients’ data', () => {
  it('exports, erases one client, and logs both', { timeout: 120_000 }, async () => {
    const slots = await freeSlots(cloud, IP, agenda, parisDate(2), parisDate(2));
    const [first, second, third] = [slots[0]!.start, slots[1]!.start, slots[2]!.start];
    const kept = await booked(client, first);
    const cancelled = await booked(client, second);
    const ofOther = await booked(otherClient, third);
    expect((await callAs(cloud, IP, client, 'POST', `/bookings/${cancelled}/cancel`)).status).toBe(200);

    // JSON: an attachment, an array of rows with the clients' names and emails.
    const json = await callAs(cloud, IP, practitioner, 'GET', '/practitioners/me/appointments/export?format=json');
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toBe('application/json');
    expect(json.headers['content-disposition']).toMatch(
      /^attachment; filename="appointments-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    const rows = JSON.parse(json.body) as Row[];
    expect(rows.map((r) => r.appointmentId)).toEqual([kept, cancelled, ofOther]);
    expect(rows[0]).toMatchObject({
      state: 'confirmed',
      clientId: client.accountId,
      clientFirstName: 'Test',
      clientLastName: 'Person',
      clientEmail: client.email,
    });
    expect(rows[1]).toMatchObject({ state: 'cancelled', cancelledBy: 'client' });
    expect(rows[2]).toMatchObject({ clientId: otherClient.accountId, clientEmail: otherClient.email });

    // CSV: RFC 4180, UTF-8, a header row and one line per appointment.
    const csv = await callAs(cloud, IP, practitioner, 'GET', '/practitioners/me/appointments/export?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="appointments-[\d-]+\.csv"$/);
    expect(csv.headers['x-content-type-options']).toBe('nosniff');
    const lines = csv.body.split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toMatch(/^appointmentId,state,start,end,startLocal,serviceId,serviceName,/);
    expect(lines.slice(1, -1).map((l) => l.split(',')[0])).toEqual([kept, cancelled, ofOther]);
    expect(lines[1]).toContain(`${client.accountId},Test,Person,${client.email}`);

    // Another practitioner erasing this client erases nothing of this practitioner's.
    const stranger = await callAs(
      cloud,
      IP,
      strangerPractitioner,
      'DELETE',
      `/practitioners/me/clients/${client.accountId}/appointments`,
    );
    expect(stranger.status).toBe(200);
    expect(JSON.parse(stranger.body)).toMatchObject({ erased: 0 });
    expect((await callAs(cloud, IP, client, 'GET', `/bookings/${kept}`)).status).toBe(200);

    // The practitioner erases the client: both appointments go, the other client's stays.
    const erased = await callAs(
      cloud,
      IP,
      practitioner,
      'DELETE',
      `/practitioners/me/clients/${client.accountId}/appointments`,
    );
    expect(erased.status).toBe(200);
    expect(JSON.parse(erased.body)).toMatchObject({
      clientId: client.accountId,
      erased: 2,
      upcomingErased: 2,
      keptUnderHold: 0,
    });
    expect((await callAs(cloud, IP, client, 'GET', `/bookings/${kept}`)).status).toBe(404);
    expect((await callAs(cloud, IP, client, 'GET', `/bookings/${cancelled}`)).status).toBe(404);
    expect((await callAs(cloud, IP, practitioner, 'GET', `/bookings/${kept}`)).status).toBe(404);
    expect(JSON.parse((await callAs(cloud, IP, client, 'GET', '/bookings?limit=50')).body).items).toEqual([]);
    expect((await callAs(cloud, IP, otherClient, 'GET', `/bookings/${ofOther}`)).status).toBe(200);
    // The erased appointment's time is free again.
    expect((await freeSlots(cloud, IP, agenda, parisDate(2), parisDate(2))).map((s) => s.start)).toContain(first);

    // Idempotent.
    const again = await callAs(
      cloud,
      IP,
      practitioner,
      'DELETE',
      `/practitioners/me/clients/${client.accountId}/appointments`,
    );
    expect(JSON.parse(again.body)).toMatchObject({ erased: 0 });

    // The log: newest first, identifiers and counts only.
    const log = await callAs(cloud, IP, practitioner, 'GET', '/practitioners/me/controller-actions?limit=10');
    expect(log.status).toBe(200);
    const items = (JSON.parse(log.body) as { items: Record<string, unknown>[] }).items;
    expect(items.map((i) => [i.action, i.count, i.format ?? i.clientId])).toEqual([
      ['erase', 0, client.accountId],
      ['erase', 2, client.accountId],
      ['export', 3, 'csv'],
      ['export', 3, 'json'],
    ]);
    expect(log.body).not.toContain(client.email);
    expect(log.body).not.toContain('Person');
    // The stranger's own log holds their (empty) erasure only.
    const strangerLog = await callAs(cloud, IP, strangerPractitioner, 'GET', '/practitioners/me/controller-actions');
    expect((JSON.parse(strangerLog.body) as { items: unknown[] }).items).toHaveLength(1);
  });

  it('refuses a malformed client id and a bad format', async () => {
    expect(
      (await callAs(cloud, IP, practitioner, 'DELETE', '/practitioners/me/clients/not-an-account/appointments')).status,
    ).toBe(400);
    expect(
      (await callAs(cloud, IP, practitioner, 'GET', '/practitioners/me/appointments/export?format=xlsx')).status,
    ).toBe(400);
  });
});

describe('account deletion', () => {
  it('cancels, by the platform, the upcoming appointments of a deleted client and of a deleted practitioner', {
    timeout: 120_000,
  }, async () => {
    const [leavingClient, leavingPractitioner, stayingClient] = await Promise.all([
      signedInPerson(cloud, 'client'),
      signedInPerson(cloud, 'practitioner'),
      signedInPerson(cloud, 'client'),
    ]);
    const leavingAgenda = await openAgenda(cloud, IP, leavingPractitioner);
    const slots = await freeSlots(cloud, IP, agenda, parisDate(5), parisDate(5));
    const ofLeavingClient = await booked(leavingClient, slots[0]!.start);
    const theirSlots = await freeSlots(cloud, IP, leavingAgenda, parisDate(5), parisDate(5));
    const withLeavingPractitioner = await book(cloud, IP, stayingClient, leavingAgenda, theirSlots[0]!.start);
    expect(withLeavingPractitioner.status).toBe(201);
    const withLeavingPractitionerId = (JSON.parse(withLeavingPractitioner.body) as { id: string }).id;

    expect((await callAs(cloud, IP, leavingClient, 'DELETE', '/me')).status).toBe(202);
    expect((await callAs(cloud, IP, leavingPractitioner, 'DELETE', '/me')).status).toBe(202);

    const stateOf = async (person: Person, id: string) =>
      JSON.parse((await callAs(cloud, IP, person, 'GET', `/bookings/${id}`)).body) as {
        state: string;
        cancellation?: { by: string; late: boolean; feePercent: number };
      };
    const cancelledForPractitioner = await eventually(
      () => stateOf(practitioner, ofLeavingClient),
      (a) => a.state === 'cancelled',
    );
    expect(cancelledForPractitioner).toMatchObject({ state: 'cancelled', cancellation: { by: 'platform' } });
    const cancelledForClient = await eventually(
      () => stateOf(stayingClient, withLeavingPractitionerId),
      (a) => a.state === 'cancelled',
    );
    expect(cancelledForClient).toMatchObject({
      state: 'cancelled',
      cancellation: { by: 'platform', late: false, feePercent: 0 },
    });
    // The leaving client's slot is free again in the practitioner's agenda.
    expect((await freeSlots(cloud, IP, agenda, parisDate(5), parisDate(5))).map((s) => s.start)).toContain(
      slots[0]!.start,
    );
  });
});
