/**
 * Every function of the backend, once: its entry file, the tables it may touch and how, and the
 * AWS capabilities it needs. The CDK app builds one Lambda function per entry with exactly these
 * grants (least privilege); the local cloud loads the same entry files. Routes (./routes.ts),
 * event rules (events/rules.ts) and schedules (./schedules.ts) refer to functions by name.
 */
import type { TableName } from '#shared/tables.ts';

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
} as const satisfies Record<string, FunctionDefinition>;

export type FunctionName = keyof typeof functions;
