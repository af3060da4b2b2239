/**
 * Booking scenes over HTTP for the e2e tests: a practitioner whose agenda is open every day, the
 * free slots of their service, a booking with its Idempotency-Key.
 */
import { randomUUID } from 'node:crypto';
import { callFrom, type Reply } from './http.ts';
import type { Person } from './identity.ts';
import type { CloudInfo } from './local-cloud.ts';

export interface OpenAgenda {
  readonly practitionerId: string;
  readonly serviceId: string;
}

export interface SlotView {
  readonly start: string;
  readonly end: string;
  readonly local: string;
}

const everyDay = (ranges: { from: string; to: string }[]) =>
  Object.fromEntries(
    ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => [d, ranges]),
  );

/** The practitioner publishes a profile open 08:00–20:00 every day (one 60-minute service), or as overridden. */
export async function openAgenda(
  cloud: CloudInfo,
  ip: string,
  practitioner: Person,
  overrides: {
    availability?: Record<string, unknown>;
    cancellationPolicy?: Record<string, unknown>;
    /** How the service is paid (default: on site). */
    payment?: Record<string, unknown>;
  } = {},
): Promise<OpenAgenda> {
  const reply = await callFrom(ip, `${cloud.urls.api}/practitioners/me/profile`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${practitioner.idToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      displayName: `Agenda ${randomUUID().slice(0, 8)}`,
      headline: 'Naturopathe',
      presentation: '',
      specialties: ['naturopathy'],
      places: [{ address: '1 rue de la Paix', city: 'Lyon', postcode: '69001' }],
      offersVideo: false,
      services: [
        {
          id: 'svc_seance',
          name: 'Séance',
          durationMinutes: 60,
          priceCents: 6000,
          ...(overrides.payment ? { payment: overrides.payment } : {}),
        },
      ],
      availability: {
        weekly: everyDay([{ from: '08:00', to: '20:00' }]),
        exceptions: [],
        minimumNoticeMinutes: 60,
        bookingHorizonDays: 30,
        bufferMinutes: 0,
        slotStepMinutes: 60,
        ...overrides.availability,
      },
      cancellationPolicy: { freeUntilHoursBefore: 24, lateCancellationFeePercent: 50, ...overrides.cancellationPolicy },
      published: true,
    }),
  });
  if (reply.status !== 200) throw new Error(`profile not saved: ${reply.status} ${reply.body}`);
  return { practitionerId: practitioner.accountId, serviceId: 'svc_seance' };
}

/** A local date in Europe/Paris, `days` after today there. */
export function parisDate(days = 0, from = new Date()): string {
  return new Date(from.getTime() + days * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
}

export async function freeSlots(cloud: CloudInfo, ip: string, agenda: OpenAgenda, from: string, to: string) {
  const reply = await callFrom(
    ip,
    `${cloud.urls.api}/practitioners/${agenda.practitionerId}/slots?serviceId=${agenda.serviceId}&from=${from}&to=${to}`,
  );
  if (reply.status !== 200) throw new Error(`slots: ${reply.status} ${reply.body}`);
  return (JSON.parse(reply.body) as { slots: SlotView[] }).slots;
}

export function book(
  cloud: CloudInfo,
  ip: string,
  client: Person,
  agenda: OpenAgenda,
  start: string,
  key: string = randomUUID(),
): Promise<Reply> {
  return callFrom(ip, `${cloud.urls.api}/bookings`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${client.idToken}`,
      'Content-Type': 'application/json',
      'Idempotency-Key': key,
    },
    body: JSON.stringify({ practitionerId: agenda.practitionerId, serviceId: agenda.serviceId, start }),
  });
}

/** A signed-in call with an optional JSON body. */
export function callAs(
  cloud: CloudInfo,
  ip: string,
  person: Person | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<Reply> {
  return callFrom(ip, `${cloud.urls.api}${path}`, {
    method,
    headers: {
      ...(person ? { Authorization: `Bearer ${person.idToken}` } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}
