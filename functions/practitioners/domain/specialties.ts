/** The controlled vocabulary of specialties. */
export const specialties = [
  'naturopathy',
  'sophrology',
  'massage',
  'hypnosis',
  'reflexology',
  'yoga',
  'meditation',
  'shiatsu',
  'kinesiology',
  'aromatherapy',
] as const;

export type Specialty = (typeof specialties)[number];
