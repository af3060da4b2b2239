/**
 * Every function of the backend, once: its entry file, the tables it may touch and how, and the
 * AWS capabilities it needs. The CDK app builds one Lambda function per entry with exactly these
 * grants (least privilege); the local cloud loads the same entry files. Routes (./routes.ts),
 * event rules (events/rules.ts) and schedules (./schedules.ts) refer to functions by name.
 */
import { type TableName, tables } from '#shared/tables.ts';

export type TableAccess = 'read' | 'write' | 'read-write';

export interface FunctionDefinition {
  /** Path of the handler module from the project root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly tables?: Partial<Record<TableName, TableAccess>>;
  /** Puts events on the bus. */
  readonly publishesEvents?: boolean;
  /** Sends email through SES. */
  readonly sendsMail?: boolean;
  readonly timeoutSeconds?: number;
  readonly memoryMb?: number;
}

/**
 * The retention engine works on the retention metadata of every table (expiry, subject, entity),
 * never on a context's domain attributes: it is the one function group granted all tables.
 */
const everyTable = (access: TableAccess) =>
  Object.fromEntries(Object.keys(tables).map((name) => [name, access])) as Record<TableName, TableAccess>;

export const functions = {
  getHealth: {
    entry: 'functions/platform/handlers/get-health.ts',
    description: 'Liveness of the API.',
  },
  submitContactRequest: {
    entry: 'functions/contact/handlers/submit-contact-request.ts',
    description: 'Stores a contact-form request and announces it.',
    tables: { contact: 'write' },
    publishesEvents: true,
  },
  notifyPlatformInbox: {
    entry: 'functions/contact/handlers/notify-platform-inbox.ts',
    description: 'Emails the platform inbox about a new contact request.',
    tables: { contact: 'read-write' },
    sendsMail: true,
  },
  listPractitioners: {
    entry: 'functions/practitioners/handlers/list-practitioners.ts',
    description: 'Public listing of published practitioners.',
    tables: { practitioners: 'read' },
  },
  purgeExpiredItems: {
    entry: 'functions/retention/handlers/purge-expired-items.ts',
    description: 'Daily purge of every item past its retention, through the expiry index.',
    tables: everyTable('read-write'),
    publishesEvents: true,
    timeoutSeconds: 900,
    memoryMb: 1024,
  },
  recordDeletions: {
    entry: 'functions/retention/handlers/record-deletions.ts',
    description: 'Counts deletions per purpose, day and cause (purge, TTL, erasure); cascades TTL deletions of roots.',
    tables: everyTable('read-write'),
    timeoutSeconds: 60,
  },
  placeLegalHold: {
    entry: 'functions/retention/handlers/place-legal-hold.ts',
    description: 'DPO: places a legal hold on a data subject; their data escapes TTL and purges.',
    tables: everyTable('read-write'),
    publishesEvents: true,
    timeoutSeconds: 60,
  },
  liftLegalHold: {
    entry: 'functions/retention/handlers/lift-legal-hold.ts',
    description: 'DPO: lifts a legal hold; the data resumes its original expiry.',
    tables: everyTable('read-write'),
    publishesEvents: true,
    timeoutSeconds: 60,
  },
  listLegalHolds: {
    entry: 'functions/retention/handlers/list-legal-holds.ts',
    description: 'DPO: the legal holds, active first.',
    tables: { retention: 'read' },
  },
  eraseDataSubject: {
    entry: 'functions/retention/handlers/erase-data-subject.ts',
    description: 'DPO: erases every item of a data subject and logs the erased keys for replay after a restore.',
    tables: everyTable('read-write'),
    publishesEvents: true,
    timeoutSeconds: 60,
  },
  replayErasures: {
    entry: 'functions/retention/handlers/replay-erasures.ts',
    description: 'Operations, after a point-in-time restore: deletes again every item the erasure log names.',
    tables: everyTable('read-write'),
    timeoutSeconds: 900,
  },
  getRegisterOfProcessing: {
    entry: 'functions/retention/handlers/get-register-of-processing.ts',
    description: 'DPO: the register of processing (GDPR art. 30), generated from the retention catalogue.',
  },
} as const satisfies Record<string, FunctionDefinition>;

export type FunctionName = keyof typeof functions;
