/** The privacy policy the backend implements (docs/privacy-policy.fr.txt) as tests read it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const policy = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'privacy-policy.fr.txt'), 'utf8');

/** The bullets of the policy's section "Durée de conservation des données". */
export function policyRetentionBullets(): string[] {
  const start = policy.indexOf('Les durées maximales de conservation sont les suivantes');
  const end = policy.indexOf('Les destinataires des données');
  return policy
    .slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('- '))
    .map((line) => line.slice(2));
}
