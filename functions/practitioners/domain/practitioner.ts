/** A practitioner's public profile. Pure: no AWS, no I/O. */
import type { Specialty } from './specialties.ts';

export interface Practitioner {
  readonly id: string;
  readonly displayName: string;
  readonly headline: string;
  readonly specialties: readonly Specialty[];
  readonly city?: string;
  readonly postcode?: string;
  readonly offersVideo: boolean;
  readonly published: boolean;
  /** Last activity of the practitioner's account: starts the retention clock of the profile. */
  readonly lastActivityAt: Date;
}

/** Sort key of the public listing: by name, accent- and case-insensitive, then by id. */
export function listingSortKey(p: Pick<Practitioner, 'displayName' | 'id'>): string {
  const name = p.displayName
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
  return `${name}#${p.id}`;
}
