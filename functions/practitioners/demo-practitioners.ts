/** Demo practitioners the local cloud seeds, so that a fresh `npm start` has something to list. */
import type { Practitioner, Service } from './domain/practitioner.ts';

const session = (id: string, name: string, durationMinutes: number, priceCents: number): Service => ({
  id,
  name,
  durationMinutes,
  priceCents,
});

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
      presentation: '',
      places: [{ address: '12 avenue Gambetta', city: 'Hyères', postcode: '83400' }],
      services: [session('svc_demo01', 'Bilan de vitalité', 90, 7000)],
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
      offersVideo: true,
    },
  ];
}
