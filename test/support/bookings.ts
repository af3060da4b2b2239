/**
 * Booking scenes over HTTP for the e2e tests: a practitioner whose agenda is open every day, the
 * free slots of their service, a booking with its Idempotency-Key.
 */
import { randomUUID } from 'node:crypto';
import type { components } from '../../clients/typescript/src/index.ts';
import { apiClient, callApi } from './api.ts';
import type { Reply } from './http.ts';
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
    availability?: Partial<components['schemas']['Availability']>;
    cancellationPolicy?: Partial<components['schemas']['CancellationPolicy']>;
    /** How the service is paid (default: on site). */
    payment?: components['schemas']['ServicePayment'];
  } = {},
): Promise<OpenAgenda> {
  const { data, error, response } = await apiClient(cloud, ip, practitioner).PUT('/practitioners/me/profile', {
    body: {
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
    },
  });
  if (!data) throw new Error(`profile not saved: ${response.status} ${JSON.stringify(error)}`);
  return { practitionerId: practitioner.accountId, serviceId: 'svc_seance' };
}

/** A local date in Europe/Paris, `days` after today there. */
export function parisDate(days = 0, from = new Date()): string {
  return new Date(from.getTime() + days * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
}

export async function freeSlots(cloud: CloudInfo, ip: string, agenda: OpenAgenda, from: string, to: string) {
  const { data, error, response } = await apiClient(cloud, ip).GET('/practitioners/{practitionerId}/slots', {
    params: { path: { practitionerId: agenda.practitionerId }, query: { serviceId: agenda.serviceId, from, to } },
  });
  if (!data) throw new Error(`slots: ${response.status} ${JSON.stringify(error)}`);
  return data.slots;
}

/** A typed client's answer as a Reply (status, headers, the body as text), for tests that read it so. */
export function replyOf(answer: { data?: unknown; error?: unknown; response: Response }): Reply {
  const headers: Record<string, string> = {};
  answer.response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const body = answer.data ?? answer.error;
  return { status: answer.response.status, headers, body: body === undefined ? '' : JSON.stringify(body) };
}

/** The client books `start` with an Idempotency-Key (a new one unless given), through the typed client. */
export async function book(
  cloud: CloudInfo,
  ip: string,
  client: Person,
  agenda: OpenAgenda,
  start: string,
  key: string = randomUUID(),
): Promise<Reply> {
  return replyOf(
    await apiClient(cloud, ip, client).POST('/bookings', {
      params: { header: { 'idempotency-key': key } },
      body: { practitionerId: agenda.practitionerId, serviceId: agenda.serviceId, start },
    }),
  );
}

/** A signed-in call with an optional JSON body, for paths built at run time; its answer is validated like the typed client's. */
export function callAs(
  cloud: CloudInfo,
  ip: string,
  person: Person | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<Reply> {
  return callApi(cloud, ip, method, path, {
    person,
    ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
}
