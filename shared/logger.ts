/**
 * The one structured logger (Powertools), built once and imported everywhere. Logs never hold
 * personal data: log identifiers and outcomes, never request bodies, emails or names.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'mpbe' });

/**
 * What to log of an error: its name and where it came from, never its message, which may quote
 * a value (an SDK validation error, an address a mail server refused…).
 */
export function errorFacts(error: unknown): { name: string; stack?: string } {
  if (!(error instanceof Error)) return { name: typeof error };
  const frames = error.stack?.split('\n').slice(1, 8).join('\n');
  return { name: error.name, ...(frames ? { stack: frames } : {}) };
}
