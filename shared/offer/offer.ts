/**
 * The bookable offer of a practitioner: the shared kernel between the practitioners context,
 * which owns and writes it (as part of the profile, PUT /practitioners/me/profile), and the
 * bookings context, which reads it to compute slots and to accept bookings (ADR 0009).
 * Declared once here: the zod schemas the profile contract validates with, and the types the
 * booking code reads. Pure: no AWS, no I/O (the reader is ./offer-reader.ts).
 *
 * Granularity: every wall-clock time, duration, buffer and slot step is a multiple of 5 minutes,
 * so an appointment covers whole 5-minute blocks; the booking store locks those blocks with
 * conditional writes (one slot can never hold two appointments: the database decides).
 */
import * as z from 'zod';
import {
  type CancellationPolicy as CancellationPolicyType,
  parseLocalDate,
  parseLocalDateTime,
  parseLocalTime,
  type Schedule,
  weekdays,
} from './schedule.ts';

/** The lock granularity, in minutes: every time and duration of an offer is a multiple of it. */
export const blockMinutes = 5;
/** The longest service: its blocks, and those of a reschedule, fit in one DynamoDB transaction. */
export const maxServiceMinutes = 240;
/** The longest buffer between appointments: what a read of the agenda made before the offer is known allows for. */
export const maxBufferMinutes = 60;

const onGrid = (minutes: number) => minutes % blockMinutes === 0;

const localTime = z.string().refine((v) => {
  try {
    return onGrid(parseLocalTime(v));
  } catch {
    return false;
  }
}, `a local time HH:MM, minutes a multiple of ${blockMinutes}`);

const localDate = z.string().refine((v) => {
  try {
    parseLocalDate(v);
    return true;
  } catch {
    return false;
  }
}, 'a date YYYY-MM-DD');

const localDateTime = z.string().refine((v) => {
  try {
    return onGrid(parseLocalDateTime(v).minutes);
  } catch {
    return false;
  }
}, `a local date-time YYYY-MM-DDTHH:MM, minutes a multiple of ${blockMinutes}`);

/**
 * An order check across fields. Zod runs it even when a field has failed its own check, so a
 * malformed value (reported by its field) must not throw here: that would be a 500, not a 400.
 */
const inOrder = (check: () => boolean) => {
  try {
    return check();
  } catch {
    return true;
  }
};

export const OpeningRange = z
  .object({ from: localTime, to: localTime })
  .strict()
  .refine((r) => inOrder(() => parseLocalTime(r.from) < parseLocalTime(r.to)), 'from before to')
  .meta({ id: 'OpeningRange' });

const dayRanges = z.array(OpeningRange).max(8);

export const WeeklyHours = z
  .object(
    Object.fromEntries(weekdays.map((d) => [d, dayRanges.optional()])) as Record<
      (typeof weekdays)[number],
      z.ZodOptional<typeof dayRanges>
    >,
  )
  .strict()
  .meta({
    id: 'WeeklyHours',
    description: 'Opening ranges per weekday, Europe/Paris wall clock; breaks are the gaps.',
  });

export const ScheduleException = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('closed-days'), from: localDate, to: localDate }).strict(),
    z.object({ kind: z.literal('closed-period'), from: localDateTime, to: localDateTime }).strict(),
    z
      .object({ kind: z.literal('extra-opening'), date: localDate, ranges: z.array(OpeningRange).min(1).max(8) })
      .strict(),
  ])
  .refine(
    (e) =>
      e.kind === 'extra-opening' ||
      inOrder(() =>
        e.kind === 'closed-days' ? parseLocalDate(e.from) <= parseLocalDate(e.to) : e.from.localeCompare(e.to) < 0,
      ),
    'from before to',
  )
  .meta({ id: 'ScheduleException' });

const multipleOfBlock = (max: number) =>
  z.number().int().min(0).max(max).refine(onGrid, `a multiple of ${blockMinutes}`);

export const Availability = z
  .object({
    weekly: WeeklyHours,
    exceptions: z.array(ScheduleException).max(200),
    minimumNoticeMinutes: multipleOfBlock(30 * 24 * 60),
    bookingHorizonDays: z.number().int().min(1).max(365),
    bufferMinutes: multipleOfBlock(maxBufferMinutes),
    slotStepMinutes: multipleOfBlock(120)
      .refine((v) => v > 0, 'positive')
      .optional(),
  })
  .strict()
  .meta({ id: 'Availability' });

export const CancellationPolicy = z
  .object({
    /** The client cancels free of charge until this many hours before the appointment. */
    freeUntilHoursBefore: z
      .number()
      .int()
      .min(0)
      .max(14 * 24),
    /** After that, the share of the price the practitioner keeps (0: still free; 100: all of it). */
    lateCancellationFeePercent: z.number().int().min(0).max(100),
  })
  .strict()
  .meta({ id: 'CancellationPolicy' });

/** Until a practitioner sets their hours: nothing to book. */
export const defaultAvailability: Schedule = {
  weekly: {},
  exceptions: [],
  minimumNoticeMinutes: 120,
  bookingHorizonDays: 60,
  bufferMinutes: 0,
};

export const defaultCancellationPolicy: CancellationPolicyType = {
  freeUntilHoursBefore: 24,
  lateCancellationFeePercent: 100,
};

/** A service's duration: a multiple of the lock granularity, at most `maxServiceMinutes`. */
export const serviceDuration = z
  .number()
  .int()
  .min(blockMinutes)
  .max(maxServiceMinutes)
  .refine(onGrid, `a multiple of ${blockMinutes}`);

/**
 * How a service is paid: on site (nothing online; the booking is confirmed at once), in full at
 * booking, or a deposit of a percentage of the price at booking (the rest on site).
 */
export const ServicePayment = z
  .discriminatedUnion('mode', [
    z.object({ mode: z.literal('on-site') }).strict(),
    z.object({ mode: z.literal('full') }).strict(),
    z.object({ mode: z.literal('deposit'), depositPercent: z.number().int().min(1).max(99) }).strict(),
  ])
  .meta({ id: 'ServicePayment' });
export type ServicePayment = z.infer<typeof ServicePayment>;

/** A service saved before payments existed is paid on site. */
export const defaultServicePayment: ServicePayment = { mode: 'on-site' };

/** A bookable service, as bookings read it. */
export interface OfferedService {
  readonly id: string;
  readonly name: string;
  readonly durationMinutes: number;
  readonly priceCents: number;
  /** Absent: `defaultServicePayment`. */
  readonly payment?: ServicePayment;
}

/** What the bookings context needs of a practitioner: read from the profile item. */
export interface BookableOffer {
  readonly practitionerId: string;
  readonly displayName: string;
  readonly services: readonly OfferedService[];
  readonly schedule: Schedule;
  readonly cancellationPolicy: CancellationPolicyType;
}
