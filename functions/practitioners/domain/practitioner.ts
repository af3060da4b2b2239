/** A practitioner's public profile. Pure: no AWS, no I/O. */
import type { ServicePayment } from '#shared/offer/offer.ts';
import type { CancellationPolicy, Schedule } from '#shared/offer/schedule.ts';
import type { Specialty } from './specialties.ts';

/** A place where the practitioner receives clients. */
export interface Place {
  readonly address: string;
  readonly city: string;
  /** French postcode, 5 digits. */
  readonly postcode: string;
}

/** A service the practitioner offers: what a booking will name, by its stable id. */
export interface Service {
  readonly id: string;
  readonly name: string;
  readonly durationMinutes: number;
  /** Price in euro cents. */
  readonly priceCents: number;
  /** How it is paid: on site, in full or a deposit at booking. */
  readonly payment: ServicePayment;
}

export interface Practitioner {
  /** The practitioner's account id (Cognito sub); demo profiles have their own ids. */
  readonly id: string;
  readonly displayName: string;
  readonly headline: string;
  readonly presentation: string;
  readonly specialties: readonly Specialty[];
  /** Where the listing says the practitioner is: the first of their places. */
  readonly city?: string;
  readonly postcode?: string;
  readonly places: readonly Place[];
  readonly offersVideo: boolean;
  readonly services: readonly Service[];
  /** Weekly hours with breaks, exceptions, notice, horizon, buffers: what bookings compute slots from. */
  readonly availability: Schedule;
  /** What a client's late cancellation costs. */
  readonly cancellationPolicy: CancellationPolicy;
  readonly published: boolean;
  /** Last activity of the practitioner's account: starts the retention clock of the profile. */
  readonly lastActivityAt: Date;
}

/**
 * Sort key of the public listing: by name, accent- and case-insensitive, then by id. Accents are
 * the combining marks of the decomposed name; a spacing sign such as `^` stays and sorts as itself.
 */
export function listingSortKey(p: Pick<Practitioner, 'displayName' | 'id'>): string {
  const name = p.displayName.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  return `${name}#${p.id}`;
}

/** The listing's location of a profile: its first place, if any. */
export function listingLocation(places: readonly Place[]): { city?: string; postcode?: string } {
  const first = places[0];
  return first ? { city: first.city, postcode: first.postcode } : {};
}
