/** The data subject a DPO names (by email or account id), as the pseudonymous key items carry. Pure. */
import type * as z from 'zod';
import { type SubjectKey, subjectKeyForAccount, subjectKeyForEmail } from '#shared/retention/subject.ts';
import type { DataSubject } from '../contract.ts';

export type DataSubjectInput = z.infer<typeof DataSubject>;

export function subjectKeyOf(subject: DataSubjectInput): SubjectKey {
  return 'email' in subject ? subjectKeyForEmail(subject.email) : subjectKeyForAccount(subject.accountId);
}

/** A stored item found through the subject index: its table, key and retention metadata only. */
export interface SubjectItem {
  /** The table's logical name (shared/tables.ts). */
  readonly table: string;
  readonly pk: string;
  readonly sk: string;
  readonly subjectKey?: string;
  readonly entity?: string;
  readonly expiresAt?: number;
  readonly heldExpiresAt?: number;
}

export const keyOf = (item: Pick<SubjectItem, 'table' | 'pk' | 'sk'>): string =>
  JSON.stringify([item.table, item.pk, item.sk]);
