/**
 * Point-in-time recovery keeps every deleted item restorable for this many days, so it is also
 * how long an erased item survives in backups (the register of processing says so). It is the
 * catalogue's technical-operation period, within DynamoDB's 1 to 35 days. Read by the CDK app and
 * the register.
 */
import { retentionCatalogue } from './catalogue.ts';

export const BACKUP_RECOVERY_DAYS = Math.min(35, retentionCatalogue['technical-operation'].keep.days);
