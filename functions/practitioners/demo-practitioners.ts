/** Demo practitioners the local cloud seeds, so that a fresh `npm start` has something to list. */
import type { Practitioner } from './domain/practitioner.ts';

export function demoPractitioners(now: Date): Practitioner[] {
  const base = { published: true, lastActivityAt: now };
  return [
    {
      ...base,
      id: 'prac_demo0000000001',
      displayName: 'Camille Martin',
      headline: 'Naturopathe, accompagnement vitalité et sommeil',
      specialties: ['naturopathy', 'aromatherapy'],
      city: 'Hyères',
      postcode: '83400',
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
      offersVideo: true,
    },
  ];
}
