/**
 * The mails of an appointment's life, in French, to its client and its practitioner: the
 * confirmation and the reschedule notice (with the calendar file, METHOD:REQUEST), the
 * cancellation notice (METHOD:CANCEL; late or free, and the fee under the practitioner's policy
 * when the client cancelled late), and the client's reminders. Times are shown in Europe/Paris,
 * where the practitioners work. Pure: no I/O, no AWS; the use cases (./use-cases.ts) send them.
 */
import type { Mail } from '#shared/mail/mail.ts';
import { type Appointment, freeCancellationDeadline, type Party } from '../domain/appointment.ts';
import { calendar, calendarContentType } from './ics.ts';

export const PLATFORM_NAME = 'Mon Pro du Bien-Être';
export const CALENDAR_FILE = 'rendez-vous.ics';
const SIGNATURE = `L’équipe ${PLATFORM_NAME}`;
const TIME_ZONE = 'Europe/Paris';

export type NoticeKind = 'confirmation' | 'reschedule' | 'cancellation';
export type ReminderKind = 'day-before' | 'same-day';

/** Whom a mail goes to: their address and how to greet them. */
export interface Recipient {
  readonly email: string;
  readonly firstName?: string;
}

export interface NoticeInput {
  readonly appointment: Appointment;
  /** Which party this copy is for. */
  readonly party: Party;
  readonly recipient: Recipient;
  /** The other party as the recipient knows them: the practitioner's display name, the client's name. */
  readonly counterpart: string;
  /** The sender address, the calendar event's organizer. */
  readonly platformAddress: string;
  readonly now: Date;
}

const dateFormat = new Intl.DateTimeFormat('fr-FR', {
  timeZone: TIME_ZONE,
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const timeFormat = new Intl.DateTimeFormat('fr-FR', {
  timeZone: TIME_ZONE,
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const dayKeyFormat = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE });
const euros = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });

/** "samedi 29 mars 2025", in Paris. */
export function frenchDate(at: Date): string {
  return dateFormat.format(at);
}

/** "09 h 30", in Paris. */
export function frenchTime(at: Date): string {
  const parts = Object.fromEntries(timeFormat.formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.hour} h ${parts.minute}`;
}

/** "samedi 29 mars 2025 à 09 h 30". */
export function frenchDateTime(at: Date): string {
  return `${frenchDate(at)} à ${frenchTime(at)}`;
}

/** "aujourd’hui à 09 h 30", "demain à 09 h 30", or the full date, as seen from `now` in Paris. */
export function relativeFrenchDateTime(at: Date, now: Date): string {
  const day = (d: Date) => Date.parse(dayKeyFormat.format(d));
  const days = Math.round((day(at) - day(now)) / 86_400_000);
  if (days === 0) return `aujourd’hui à ${frenchTime(at)}`;
  if (days === 1) return `demain à ${frenchTime(at)}`;
  return `le ${frenchDateTime(at)}`;
}

export function frenchPrice(cents: number): string {
  return euros.format(cents / 100);
}

/** What a late cancellation costs under the policy, in cents (rounded to the cent). */
export function lateFeeCents(a: Pick<Appointment, 'service'>, feePercent: number): number {
  return Math.round((a.service.priceCents * feePercent) / 100);
}

const greeting = (r: Recipient) => (r.firstName ? `Bonjour ${r.firstName},` : 'Bonjour,');

function details(input: NoticeInput): string[] {
  const a = input.appointment;
  return [
    `  ${input.party === 'client' ? 'Praticien' : 'Client'} : ${input.counterpart}`,
    `  Prestation : ${a.service.name} (${a.service.durationMinutes} min, ${frenchPrice(a.service.priceCents)})`,
    `  Date : ${frenchDate(a.start)}, de ${frenchTime(a.start)} à ${frenchTime(a.end)} (heure de Paris)`,
    `  Référence : ${a.id}`,
  ];
}

/** The policy in the words of the client (for the practitioner: what their clients were told). */
function policyLine(a: Appointment, party: Party): string {
  const { lateCancellationFeePercent: fee } = a.cancellationPolicy;
  const deadline = freeCancellationDeadline(a);
  if (fee === 0) return 'Annulation gratuite jusqu’au début du rendez-vous.';
  const policy = party === 'client' ? 'la politique d’annulation du praticien' : 'votre politique d’annulation';
  const owed = party === 'client' ? 'reste dû' : 'reste dû par le client';
  return `Annulation gratuite jusqu’au ${frenchDateTime(deadline)} ; au-delà, selon ${policy}, ${fee} % du prix (${frenchPrice(lateFeeCents(a, fee))}) ${owed}.`;
}

function calendarFile(input: NoticeInput, method: 'REQUEST' | 'CANCEL', summary: string) {
  const a = input.appointment;
  return {
    filename: CALENDAR_FILE,
    contentType: calendarContentType(method),
    content: calendar({
      method,
      appointmentId: a.id,
      sequence: a.version,
      start: a.start,
      end: a.end,
      stamp: input.now,
      summary,
      description: `${a.service.name} (${a.service.durationMinutes} min). Référence : ${a.id}. ${PLATFORM_NAME}.`,
      organizer: { name: PLATFORM_NAME, email: input.platformAddress },
      attendee: {
        email: input.recipient.email,
        ...(input.recipient.firstName ? { name: input.recipient.firstName } : {}),
      },
    }),
  };
}

const summaryOf = (input: NoticeInput) => `${input.appointment.service.name} – ${input.counterpart}`;

function mail(input: NoticeInput, subject: string, paragraphs: string[][], method?: 'REQUEST' | 'CANCEL'): Mail {
  const text = [greeting(input.recipient), ...paragraphs.map((p) => p.join('\n')), SIGNATURE].join('\n\n');
  return {
    to: [input.recipient.email],
    subject,
    text: `${text}\n`,
    ...(method ? { attachments: [calendarFile(input, method, summaryOf(input))] } : {}),
  };
}

const calendarHint = [`Le fichier ${CALENDAR_FILE} joint ajoute le rendez-vous à votre agenda (ou le met à jour).`];

function confirmation(input: NoticeInput): Mail {
  const a = input.appointment;
  const when = frenchDateTime(a.start);
  if (input.party === 'client') {
    return mail(
      input,
      `Rendez-vous confirmé : ${a.service.name}, ${when}`,
      [['Votre rendez-vous est confirmé.'], details(input), [policyLine(a, 'client')], calendarHint],
      'REQUEST',
    );
  }
  return mail(
    input,
    `Nouveau rendez-vous : ${input.counterpart}, ${when}`,
    [
      ['Un rendez-vous a été réservé dans votre agenda.'],
      details(input),
      [policyLine(a, 'practitioner')],
      calendarHint,
    ],
    'REQUEST',
  );
}

function reschedule(input: NoticeInput): Mail {
  const a = input.appointment;
  const when = frenchDateTime(a.start);
  const lead =
    input.party === 'client'
      ? `Votre rendez-vous avec ${input.counterpart} a été déplacé. Nouvel horaire : ${when}.`
      : `Le rendez-vous avec ${input.counterpart} a été déplacé. Nouvel horaire : ${when}.`;
  return mail(
    input,
    `Rendez-vous déplacé : ${a.service.name}, ${when}`,
    [[lead], details(input), [policyLine(a, input.party)], calendarHint],
    'REQUEST',
  );
}

/** What the cancellation means for each party: who cancelled, late or free, and the fee. */
export function cancellationLines(a: Appointment, party: Party, counterpart: string): string[] {
  const c = a.cancellation ?? { by: 'platform' as const, late: false, feePercent: 0 };
  const when = frenchDateTime(a.start);
  const fee = `${c.feePercent} % du prix (${frenchPrice(lateFeeCents(a, c.feePercent))})`;
  const deadline = frenchDateTime(freeCancellationDeadline(a));
  if (c.by === 'client') {
    const lead =
      party === 'client'
        ? `Vous avez annulé votre rendez-vous du ${when} avec ${counterpart}.`
        : `${counterpart} a annulé son rendez-vous du ${when}.`;
    if (!c.late) return [lead, 'L’annulation a eu lieu dans le délai d’annulation gratuite : elle est gratuite.'];
    const lateLead = `L’annulation est tardive : elle a eu lieu après le délai d’annulation gratuite (jusqu’au ${deadline}).`;
    if (c.feePercent === 0)
      return [lead, lateLead, 'La politique d’annulation ne prévoit pas de frais : elle reste gratuite.'];
    return [
      lead,
      lateLead,
      party === 'client'
        ? `Selon la politique d’annulation du praticien, ${fee} reste dû.`
        : `Selon votre politique d’annulation, ${fee} vous reste dû.`,
    ];
  }
  if (c.by === 'practitioner') {
    return party === 'client'
      ? [`${counterpart} a annulé votre rendez-vous du ${when}.`, 'Aucun frais ne vous est demandé.']
      : [
          `Vous avez annulé le rendez-vous du ${when} avec ${counterpart}.`,
          'Votre client en est informé ; l’annulation est gratuite pour lui.',
        ];
  }
  return [
    party === 'client'
      ? `Votre rendez-vous du ${when} avec ${counterpart} a été annulé par ${PLATFORM_NAME}.`
      : `Le rendez-vous du ${when} avec ${counterpart} a été annulé par ${PLATFORM_NAME}.`,
    party === 'client' ? 'Aucun frais ne vous est demandé.' : 'L’annulation est gratuite pour votre client.',
  ];
}

function cancellation(input: NoticeInput): Mail {
  const a = input.appointment;
  // A booking released before it was ever confirmed (its online payment did not come): it never
  // reached a calendar, so no .ics, and nothing is owed.
  if (!a.confirmedAt) {
    const when = frenchDateTime(a.start);
    return mail(input, `Réservation non confirmée : ${a.service.name}, ${when}`, [
      [
        input.party === 'client'
          ? `Votre réservation du ${when} avec ${input.counterpart} n’a pas été confirmée : le paiement n’a pas abouti à temps.`
          : `La réservation du ${when} par ${input.counterpart} n’a pas été confirmée : le paiement n’a pas abouti à temps.`,
        input.party === 'client'
          ? 'Le créneau est libéré et aucun montant ne vous est dû ; vous pouvez réserver de nouveau.'
          : 'Le créneau est de nouveau libre dans votre agenda.',
      ],
      details(input),
    ]);
  }
  return mail(
    input,
    `Rendez-vous annulé : ${a.service.name}, ${frenchDateTime(a.start)}`,
    [
      cancellationLines(a, input.party, input.counterpart),
      details(input),
      [`Le fichier ${CALENDAR_FILE} joint retire le rendez-vous de votre agenda.`],
    ],
    'CANCEL',
  );
}

/** The notice of a change of the appointment, for one party. */
export function bookingNotice(kind: NoticeKind, input: NoticeInput): Mail {
  if (kind === 'confirmation') return confirmation(input);
  if (kind === 'reschedule') return reschedule(input);
  return cancellation(input);
}

/** The client's reminder: the day before, and the same day. */
export function reminderNotice(kind: ReminderKind, input: NoticeInput): Mail {
  const a = input.appointment;
  const when = relativeFrenchDateTime(a.start, input.now);
  const deadline = freeCancellationDeadline(a);
  const policy =
    kind === 'day-before' && a.cancellationPolicy.lateCancellationFeePercent > 0
      ? [
          deadline.getTime() > input.now.getTime()
            ? `Vous pouvez encore l’annuler gratuitement jusqu’au ${frenchDateTime(deadline)}.`
            : `Le délai d’annulation gratuite est passé : selon la politique d’annulation du praticien, une annulation coûterait ${a.cancellationPolicy.lateCancellationFeePercent} % du prix.`,
        ]
      : [];
  return mail(input, `Rappel : votre rendez-vous ${when}`, [
    [`Nous vous rappelons votre rendez-vous avec ${input.counterpart} ${when}.`],
    details(input),
    ...(policy.length ? [policy] : []),
  ]);
}
