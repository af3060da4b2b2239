/**
 * The one structured logger (Powertools), built once and imported everywhere. Logs never hold
 * personal data: log identifiers and outcomes, never request bodies, emails or names.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'mpbe' });
