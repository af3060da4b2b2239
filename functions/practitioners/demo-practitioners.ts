/**
 * Demo practitioners the local cloud seeds, so that a fresh `npm start` has something to list,
 * to search (by specialty, city, postcode) and, with the bookings context, to book: each has
 * weekly hours with a lunch break and a cancellation policy.
 */
import type { OpeningRange, Weekday, WeeklyHours } from '#shared/offer/schedule.ts';
import type { Practitioner, Service } from './domain/practitioner.ts';

const session = (id: string, name: string, durationMinutes: number, priceCents: number): Service => ({
  id,
  name,
  durationMinutes,
  priceCents,
  // Demo practitioners have no Stripe account: their services are paid on site.
  payment: { mode: 'on-site' },
});

/** The same ranges on each of these days: a morning and an afternoon, the gap is the lunch break. */
const hours = (days: readonly Weekday[], ranges: readonly OpeningRange[]): WeeklyHours =>
  Object.fromEntries(days.map((day) => [day, ranges.map((r) => ({ ...r }))]));

const range = (from: string, to: string): OpeningRange => ({ from, to });

/** A date `days` after `now` (UTC calendar), for exceptions that stay ahead of a fresh seed. */
const dateAfter = (now: Date, days: number) => new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);

export function demoPractitioners(now: Date): Practitioner[] {
  const base = { published: true, lastActivityAt: now };
  const weekdays: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
  return [
    {
      ...base,
      id: 'prac_demo0000000001',
      displayName: 'Camille Martin',
      headline: 'Naturopathe, accompagnement vitalité et sommeil',
      specialties: ['naturopathy', 'aromatherapy'],
      city: 'Hyères',
      postcode: '83400',
      presentation: '',
      places: [{ address: '12 avenue Gambetta', city: 'Hyères', postcode: '83400' }],
      services: [session('svc_demo01', 'Bilan de vitalité', 90, 7000)],
      availability: {
        weekly: {
          ...hours(weekdays, [range('09:00', '12:30'), range('14:00', '18:30')]),
          // Wednesday afternoons off, Saturday mornings open
          wednesday: [range('09:00', '12:30')],
          saturday: [range('09:00', '12:00')],
        },
        exceptions: [{ kind: 'closed-days', from: dateAfter(now, 30), to: dateAfter(now, 36) }],
        minimumNoticeMinutes: 24 * 60,
        bookingHorizonDays: 60,
        bufferMinutes: 15,
      },
      cancellationPolicy: { freeUntilHoursBefore: 48, lateCancellationFeePercent: 50 },
      offersVideo: true,
    },
    {
      ...base,
      id: 'prac_demo0000000002',
      displayName: 'Élodie Bernard',
      headline: 'Sophrologue, gestion du stress et préparation aux examens',
      specialties: ['sophrology', 'meditation'],
      city: 'Toulon',
      postcode: '83000',
      presentation: '',
      places: [{ address: "5 rue d'Alger", city: 'Toulon', postcode: '83000' }],
      services: [session('svc_demo02', 'Séance de sophrologie', 60, 5500)],
      availability: {
        weekly: hours(
          ['tuesday', 'wednesday', 'thursday', 'friday', 'saturday'],
          [range('09:30', '12:30'), range('14:00', '19:00')],
        ),
        exceptions: [{ kind: 'extra-opening', date: dateAfter(now, 10), ranges: [range('18:00', '21:00')] }],
        minimumNoticeMinutes: 120,
        bookingHorizonDays: 90,
        bufferMinutes: 10,
        slotStepMinutes: 30,
      },
      cancellationPolicy: { freeUntilHoursBefore: 24, lateCancellationFeePercent: 100 },
      offersVideo: true,
    },
    {
      ...base,
      id: 'prac_demo0000000003',
      displayName: 'Julien Petit',
      headline: 'Praticien en massage bien-être et shiatsu',
      specialties: ['massage', 'shiatsu'],
      city: 'Marseille',
      postcode: '13006',
      presentation: '',
      places: [{ address: '40 rue Paradis', city: 'Marseille', postcode: '13006' }],
      services: [session('svc_demo03', 'Massage bien-être', 60, 6500)],
      availability: {
        weekly: hours([...weekdays, 'saturday'], [range('10:00', '13:00'), range('14:30', '20:00')]),
        exceptions: [{ kind: 'closed-period', from: `${dateAfter(now, 14)}T14:30`, to: `${dateAfter(now, 14)}T20:00` }],
        minimumNoticeMinutes: 180,
        bookingHorizonDays: 45,
        bufferMinutes: 15,
        slotStepMinutes: 15,
      },
      cancellationPolicy: { freeUntilHoursBefore: 24, lateCancellationFeePercent: 50 },
      offersVideo: false,
    },
    {
      ...base,
      id: 'prac_demo0000000004',
      displayName: 'Nadia Haddad',
      headline: 'Hypnothérapeute, arrêt du tabac et confiance en soi',
      specialties: ['hypnosis'],
      city: 'Aix-en-Provence',
      postcode: '13100',
      presentation: '',
      places: [{ address: '3 cours Mirabeau', city: 'Aix-en-Provence', postcode: '13100' }],
      services: [session('svc_demo04', 'Séance d’hypnose', 75, 8000)],
      availability: {
        weekly: hours(['monday', 'tuesday', 'thursday', 'friday'], [range('09:00', '12:00'), range('13:30', '18:00')]),
        exceptions: [],
        minimumNoticeMinutes: 12 * 60,
        bookingHorizonDays: 60,
        bufferMinutes: 15,
      },
      cancellationPolicy: { freeUntilHoursBefore: 24, lateCancellationFeePercent: 100 },
      offersVideo: true,
    },
  ];
}
