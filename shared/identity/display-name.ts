/**
 * A person's public name: the first name and the initial of the last name ("Zoé M."); only the
 * first name without a last name; `fallback` and the initial, or `fallback` alone, without a first
 * name. Used wherever a person is shown to others (reviews, conversations).
 */
export function displayName(firstName: string | undefined, lastName: string | undefined, fallback = 'Client'): string {
  const first = (firstName ?? '').trim().replace(/\s+/g, ' ');
  const initial = [...(lastName ?? '').trim().normalize('NFC')].find((c) => /\p{L}/u.test(c));
  const upper = initial ? `${initial.toLocaleUpperCase('fr-FR')}.` : '';
  if (!first) return upper ? `${fallback} ${upper}` : fallback;
  return upper ? `${first} ${upper}` : first;
}
