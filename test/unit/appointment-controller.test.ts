/**
 * The practitioner as controller of their clients' appointment data: the export's rows and CSV
 * (RFC 4180, formula injection neutralised), the erasure of one client's appointments, the log
 * of both; and the cancellation of a deleted account's upcoming appointments. In memory.
 */
import { describe, expect, it } from 'vitest';
import { cancelAppointmentsOfDeletedAccount } from '#functions/bookings/account-deletion.ts';
import type { AppointmentStore, EraseOutcome } from '#functions/bookings/adapters/appointment-store.ts';
import type { ControllerAction, ControllerActionStore } from '#functions/bookings/adapters/controller-action-store.ts';
import type { PaymentStore } from '#functions/bookings/adapters/payment-store.ts';
import { eraseClientAppointments, exportAppointments, listControllerActions } from '#functions/bookings/controller.ts';
import {
  type Appointment,
  cancel,
  complete,
  confirm,
  holdsItsTime,
  newAppointment,
} from '#functions/bookings/domain/appointment.ts';
import {
  type ClientIdentity,
  csvField,
  exportColumns,
  toCsv,
  unknownClient,
} from '#functions/bookings/domain/export.ts';
import { manualClock } from '#shared/clock.ts';
import { recordingPublisher } from './purge-memory-store.ts';

type MemoryStore = Pick<AppointmentStore, 'listForPractitioner' | 'listForClient' | 'find' | 'erase' | 'change'>;

/** No appointment was paid online. */
const noPayments = { find: async () => undefined };

/** Every appointment was paid online, and the payment succeeded. */
const paidOnline = {
  find: async (appointmentId: string) =>
    ({ appointmentId, status: 'succeeded' }) as Awaited<ReturnType<PaymentStore['find']>>,
};

function memoryStore(initial: Appointment[] = []) {
  const items = new Map(initial.map((a) => [a.id, a]));
  const held = new Set<string>();
  const byStart = (list: Appointment[]) =>
    list.sort((x, y) => x.start.getTime() - y.start.getTime() || x.id.localeCompare(y.id));
  const store: MemoryStore = {
    async find(id) {
      return items.get(id);
    },
    async listForPractitioner(practitionerId, range) {
      return byStart(
        [...items.values()].filter(
          (a) => a.practitionerId === practitionerId && a.start >= range.from && a.start < range.to,
        ),
      );
    },
    async listForClient(clientId, { limit, cursor, from }) {
      const all = byStart([...items.values()].filter((a) => a.clientId === clientId && (!from || a.start >= from)));
      const offset = cursor ? Number(cursor) : 0;
      const page = all.slice(offset, offset + limit);
      return { items: page, ...(offset + limit < all.length ? { nextCursor: String(offset + limit) } : {}) };
    },
    async erase(a): Promise<EraseOutcome> {
      const current = items.get(a.id);
      if (!current) return { kind: 'absent' };
      if (current.version !== a.version) return { kind: 'stale' };
      if (held.has(a.id)) return { kind: 'held' };
      items.delete(a.id);
      return { kind: 'erased', keys: [{ pk: `APPOINTMENT#${a.id}`, sk: 'APPOINTMENT' }] };
    },
    async change(previous, next) {
      if (items.get(previous.id)?.version !== previous.version) return { kind: 'stale' };
      items.set(next.id, next);
      return { kind: 'changed' };
    },
  };
  return { store, items, held };
}

function memoryActions() {
  const recorded: ControllerAction[] = [];
  const actions: ControllerActionStore = {
    async record(action) {
      recorded.push(action);
    },
    async list(practitionerId, { limit }) {
      const mine = recorded.filter((a) => a.practitionerId === practitionerId).reverse();
      return { items: mine.slice(0, limit) };
    },
  };
  return { actions, recorded };
}

const PRACTITIONER = 'prac_aurore';
const OTHER_PRACTITIONER = 'prac_other';
const ZOE = '11111111-1111-4111-8111-111111111111';
const MARC = '22222222-2222-4222-8222-222222222222';
const GONE = '33333333-3333-4333-8333-333333333333';

const bookedAt = new Date('2027-01-04T08:00:00Z');
let counter = 0;
function appointment(practitionerId: string, clientId: string, start: string, name = 'Séance'): Appointment {
  counter += 1;
  return confirm(
    newAppointment({
      id: `apt_${String(counter).padStart(32, '0')}`,
      practitionerId,
      clientId,
      service: { id: 'svc_1', name, durationMinutes: 60, priceCents: 6000 },
      start: new Date(start),
      cancellationPolicy: { freeUntilHoursBefore: 24, lateCancellationFeePercent: 100 },
      requestFingerprint: 'fp',
      now: bookedAt,
    }),
    bookedAt,
  );
}

const identities: Record<string, ClientIdentity> = {
  [ZOE]: { firstName: 'Zoé', lastName: 'Martin', email: 'zoe@example.test' },
  [MARC]: {
    firstName: '=HYPERLINK("http://evil.test","clic")',
    lastName: 'Dupont, "le grand"',
    email: 'marc@example.test',
  },
};

function directory() {
  const asked: string[] = [];
  return {
    asked,
    clients: {
      async identity(accountId: string) {
        asked.push(accountId);
        return identities[accountId] ?? unknownClient;
      },
    },
  };
}

/** A minimal RFC 4180 reader, to read back what the export wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) throw new Error('the last record has no CRLF');
  return rows;
}

describe('CSV fields', () => {
  it('quotes commas, quotes and line breaks, doubling the quotes (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('Dupont, Marc')).toBe('"Dupont, Marc"');
    expect(csvField('dit "Marco"')).toBe('"dit ""Marco"""');
    expect(csvField('deux\nlignes')).toBe('"deux\nlignes"');
    expect(csvField('deux\r\nlignes')).toBe('"deux\r\nlignes"');
    expect(csvField(null)).toBe('');
    expect(csvField(6000)).toBe('6000');
    expect(csvField(false)).toBe('false');
    expect(csvField('Zoé Ærø 日本')).toBe('Zoé Ærø 日本');
  });

  it('neutralises a cell a spreadsheet would run as a formula', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('+33612345678')).toBe("'+33612345678");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('=HYPERLINK("http://evil.test","x")')).toBe('"\'=HYPERLINK(""http://evil.test"",""x"")"');
    expect(csvField('a=b')).toBe('a=b');
  });

  it('writes the header row and CRLF after every record', () => {
    const csv = toCsv([]);
    expect(csv).toBe(`${exportColumns.join(',')}\r\n`);
  });
});

describe('export', () => {
  it('lists every appointment of the practitioner, every state and date, with each client named once', async () => {
    const past = complete(appointment(PRACTITIONER, ZOE, '2027-01-05T09:00:00Z'), new Date('2027-01-05T10:00:00Z'));
    const cancelled = cancel(
      appointment(PRACTITIONER, MARC, '2027-02-01T09:00:00Z'),
      'client',
      new Date('2027-01-31T12:00:00Z'),
    );
    const upcoming = appointment(PRACTITIONER, ZOE, '2027-03-01T09:00:00Z', 'Suivi, "long"');
    const ofGone = appointment(PRACTITIONER, GONE, '2027-02-10T09:00:00Z');
    const notMine = appointment(OTHER_PRACTITIONER, ZOE, '2027-02-15T09:00:00Z');
    const { store } = memoryStore([upcoming, notMine, past, cancelled, ofGone]);
    const { actions, recorded } = memoryActions();
    const { clients, asked } = directory();
    const clock = manualClock('2027-02-20T10:00:00Z');

    const json = await exportAppointments({ store, clients, actions, clock }, PRACTITIONER, 'json');
    expect(json.format).toBe('json');
    if (json.format !== 'json') throw new Error('json expected');
    expect(json.filename).toBe('appointments-2027-02-20.json');
    expect(json.rows.map((r) => r.appointmentId)).toEqual([past.id, cancelled.id, ofGone.id, upcoming.id]);
    expect(json.rows.every((r) => Object.keys(r).join() === exportColumns.join())).toBe(true);
    expect(json.rows[0]).toEqual({
      appointmentId: past.id,
      state: 'completed',
      start: '2027-01-05T09:00:00.000Z',
      end: '2027-01-05T10:00:00.000Z',
      startLocal: '2027-01-05T10:00',
      serviceId: 'svc_1',
      serviceName: 'Séance',
      durationMinutes: 60,
      priceCents: 6000,
      clientId: ZOE,
      clientFirstName: 'Zoé',
      clientLastName: 'Martin',
      clientEmail: 'zoe@example.test',
      cancelledBy: null,
      cancelledAt: null,
      lateCancellation: null,
      cancellationFeePercent: null,
      createdAt: bookedAt.toISOString(),
      updatedAt: '2027-01-05T10:00:00.000Z',
    });
    expect(json.rows[1]).toMatchObject({
      state: 'cancelled',
      cancelledBy: 'client',
      cancelledAt: '2027-01-31T12:00:00.000Z',
      lateCancellation: true,
      cancellationFeePercent: 100,
    });
    // A client whose account is gone: their id, no name.
    expect(json.rows[2]).toMatchObject({ clientId: GONE, clientFirstName: null, clientEmail: null });
    expect(asked.sort()).toEqual([ZOE, MARC, GONE].sort());

    const csv = await exportAppointments({ store, clients, actions, clock }, PRACTITIONER, 'csv');
    if (csv.format !== 'csv') throw new Error('csv expected');
    const table = parseCsv(csv.csv);
    expect(table[0]).toEqual([...exportColumns]);
    expect(table).toHaveLength(5);
    const marc = table.find((r) => r[9] === MARC)!;
    // Read back: the injected formula is text, the comma and quotes survive.
    expect(marc[10]).toBe('\'=HYPERLINK("http://evil.test","clic")');
    expect(marc[11]).toBe('Dupont, "le grand"');
    expect(table.at(-1)![6]).toBe('Suivi, "long"');
    expect(table.every((r) => r.length === exportColumns.length)).toBe(true);

    // Each export is logged: identifiers and counts, never a name.
    expect(recorded.map((a) => ({ action: a.action, count: a.count, format: a.format }))).toEqual([
      { action: 'export', count: 4, format: 'json' },
      { action: 'export', count: 4, format: 'csv' },
    ]);
    expect(JSON.stringify(recorded)).not.toMatch(/Zoé|zoe@|marc@|Dupont/);
  });

  it('exports an empty agenda as an empty array, and logs it', async () => {
    const { actions, recorded } = memoryActions();
    const answer = await exportAppointments(
      { store: memoryStore().store, clients: directory().clients, actions, clock: manualClock('2027-01-01') },
      PRACTITIONER,
      'json',
    );
    expect(answer).toMatchObject({ format: 'json', rows: [] });
    expect(recorded).toHaveLength(1);
  });
});

describe('erasure of a client’s appointments', () => {
  it('erases every appointment of the client with this practitioner, past and upcoming, and nothing else', async () => {
    const past = complete(appointment(PRACTITIONER, ZOE, '2027-01-05T09:00:00Z'), new Date('2027-01-05T10:00:00Z'));
    const upcoming = appointment(PRACTITIONER, ZOE, '2027-03-01T09:00:00Z');
    const otherClient = appointment(PRACTITIONER, MARC, '2027-03-01T11:00:00Z');
    const otherPractitioner = appointment(OTHER_PRACTITIONER, ZOE, '2027-03-02T09:00:00Z');
    const { store, items } = memoryStore([past, upcoming, otherClient, otherPractitioner]);
    const { actions, recorded } = memoryActions();
    const deps = {
      store,
      actions,
      payments: noPayments,
      events: recordingPublisher(),
      clock: manualClock('2027-02-20T10:00:00Z'),
    };

    const first = await eraseClientAppointments(deps, PRACTITIONER, ZOE);
    expect(first).toMatchObject({ clientId: ZOE, erased: 2, upcomingErased: 1, keptUnderHold: 0 });
    expect([...items.keys()].sort()).toEqual([otherClient.id, otherPractitioner.id].sort());

    // Idempotent: nothing left, 0, logged again.
    const again = await eraseClientAppointments(deps, PRACTITIONER, ZOE);
    expect(again).toMatchObject({ erased: 0, upcomingErased: 0 });
    expect(recorded.map((a) => [a.action, a.clientId, a.count])).toEqual([
      ['erase', ZOE, 2],
      ['erase', ZOE, 0],
    ]);
    expect(recorded[0]!.actionId).toBe(first.actionId);

    // Another practitioner erasing the same client touches nothing of this one's.
    expect(await eraseClientAppointments(deps, 'prac_stranger', MARC)).toMatchObject({ erased: 0 });
    expect(items.has(otherClient.id)).toBe(true);
  });

  it('refuses to erase an upcoming appointment paid online (cancel it first: the client is refunded)', async () => {
    const upcoming = appointment(PRACTITIONER, ZOE, '2027-03-05T09:00:00Z');
    const { store, items } = memoryStore([upcoming]);
    const { actions, recorded } = memoryActions();
    await expect(
      eraseClientAppointments(
        { store, actions, payments: paidOnline, events: recordingPublisher(), clock: manualClock('2027-02-20') },
        PRACTITIONER,
        ZOE,
      ),
    ).rejects.toMatchObject({ status: 409 });
    expect(items.has(upcoming.id)).toBe(true);
    expect(recorded).toEqual([]);
  });

  it('keeps an appointment under a legal hold and says so', async () => {
    const a = appointment(PRACTITIONER, ZOE, '2027-01-05T09:00:00Z');
    const { store, items, held } = memoryStore([a]);
    held.add(a.id);
    const outcome = await eraseClientAppointments(
      {
        store,
        actions: memoryActions().actions,
        payments: noPayments,
        events: recordingPublisher(),
        clock: manualClock('2027-02-20'),
      },
      PRACTITIONER,
      ZOE,
    );
    expect(outcome).toMatchObject({ erased: 0, keptUnderHold: 1 });
    expect(items.has(a.id)).toBe(true);
  });

  it('reads an appointment again when it changed since it was listed', async () => {
    const a = appointment(PRACTITIONER, ZOE, '2027-03-05T09:00:00Z');
    const { store, items } = memoryStore([a]);
    let raced = false;
    const racing: MemoryStore = {
      ...store,
      async erase(current) {
        if (!raced) {
          raced = true;
          // The client moves it meanwhile: the erasure's read is stale.
          items.set(a.id, { ...current, version: current.version + 1 });
          return { kind: 'stale' };
        }
        return store.erase(current);
      },
    };
    const outcome = await eraseClientAppointments(
      {
        store: racing,
        actions: memoryActions().actions,
        payments: noPayments,
        events: recordingPublisher(),
        clock: manualClock('2027-02-20'),
      },
      PRACTITIONER,
      ZOE,
    );
    expect(outcome).toMatchObject({ erased: 1 });
    expect(items.size).toBe(0);
  });

  it('shows the practitioner their log, newest first', async () => {
    const { actions } = memoryActions();
    const clock = manualClock('2027-02-20T10:00:00Z');
    const deps = {
      store: memoryStore().store,
      clients: directory().clients,
      actions,
      payments: noPayments,
      events: recordingPublisher(),
      clock,
    };
    await exportAppointments(deps, PRACTITIONER, 'csv');
    clock.advance(60_000);
    await eraseClientAppointments(deps, PRACTITIONER, ZOE);
    const page = await listControllerActions(deps, PRACTITIONER, { limit: 10 });
    expect(page.items.map((a) => a.action)).toEqual(['erase', 'export']);
    expect(page.items[0]).toEqual({
      actionId: expect.stringMatching(/^ctrl_/),
      action: 'erase',
      count: 0,
      clientId: ZOE,
      at: '2027-02-20T10:01:00.000Z',
    });
    expect(page.items[1]).toMatchObject({ action: 'export', format: 'csv', count: 0 });
    expect((await listControllerActions(deps, OTHER_PRACTITIONER, { limit: 10 })).items).toEqual([]);
  });
});

describe('account deletion', () => {
  it('cancels by the platform every upcoming appointment, as client and as practitioner, once', async () => {
    const now = '2027-02-20T10:00:00Z';
    const asClient = appointment(OTHER_PRACTITIONER, ZOE, '2027-03-01T09:00:00Z');
    const asClientPast = complete(
      appointment(OTHER_PRACTITIONER, ZOE, '2027-02-01T09:00:00Z'),
      new Date('2027-02-01T10:00:00Z'),
    );
    const ofHerClient = appointment(ZOE, MARC, '2027-03-02T09:00:00Z');
    const alreadyCancelled = cancel(appointment(ZOE, MARC, '2027-03-03T09:00:00Z'), 'client', new Date(now));
    const unrelated = appointment(OTHER_PRACTITIONER, MARC, '2027-03-01T11:00:00Z');
    const { store, items } = memoryStore([asClient, asClientPast, ofHerClient, alreadyCancelled, unrelated]);
    const deps = { store, clock: manualClock(now) };

    const outcome = await cancelAppointmentsOfDeletedAccount(deps, ZOE);
    expect(outcome.cancelled).toBe(2);
    for (const id of [asClient.id, ofHerClient.id]) {
      expect(items.get(id)).toMatchObject({
        state: 'cancelled',
        cancellation: { by: 'platform', late: false, feePercent: 0 },
      });
    }
    expect(items.get(asClientPast.id)!.state).toBe('completed');
    expect(items.get(alreadyCancelled.id)!.cancellation!.by).toBe('client');
    expect(holdsItsTime(items.get(unrelated.id)!)).toBe(true);

    // Delivered twice: nothing more changes.
    const versions = [...items.values()].map((a) => a.version);
    expect((await cancelAppointmentsOfDeletedAccount(deps, ZOE)).cancelled).toBe(0);
    expect([...items.values()].map((a) => a.version)).toEqual(versions);
  });

  it('cancels late appointments free of charge: the platform cancels, not the client', async () => {
    const soon = appointment(OTHER_PRACTITIONER, ZOE, '2027-02-20T12:00:00Z');
    const { store, items } = memoryStore([soon]);
    await cancelAppointmentsOfDeletedAccount({ store, clock: manualClock('2027-02-20T10:00:00Z') }, ZOE);
    expect(items.get(soon.id)!.cancellation).toMatchObject({ by: 'platform', late: false, feePercent: 0 });
  });
});
