/**
 * Every stored item is built here, from its registered entity type (shared/retention/entity.ts):
 * it always carries `entity`, and when it holds personal data its `subjectKey` and, for a root,
 * its expiry from the retention catalogue (`expiresAt`, the TTL; `expiryDay`, the purge index;
 * `retentionPurpose`). An adapter cannot store personal data without going through one of these,
 * and test/integration/stored-items.test.ts checks every item the tests leave in every table.
 */
import type { OwnedEntity, PlainEntity, RetainedEntity } from '../retention/entity.ts';
import { type Expiry, expiryFor } from '../retention/expiry.ts';
import type { SubjectKey } from '../retention/subject.ts';

export interface Keys {
  readonly pk: string;
  readonly sk: string;
}

export type Stored<T> = T & Keys & { readonly entity: string };

/** A root item holding personal data, with the expiry its purpose gives from `clockStartedAt`. */
export function retainedItem<T extends Keys>(
  entity: RetainedEntity,
  item: T,
  retention: { clockStartedAt: Date; subjectKey: SubjectKey; now: Date },
): Stored<T> & Expiry & { subjectKey: SubjectKey } {
  return {
    ...item,
    entity: entity.name,
    subjectKey: retention.subjectKey,
    ...expiryFor(entity.retention.purpose, retention.clockStartedAt, retention.now),
  };
}

/** A root item whose retention clock has not started yet (kept without expiry until it does). */
export function openItem<T extends Keys>(
  entity: RetainedEntity,
  item: T,
  subjectKey: SubjectKey,
): Stored<T> & { subjectKey: SubjectKey } {
  if (!entity.retention.startsLater) throw new Error(`${entity.name} has no clock that starts later`);
  return { ...item, entity: entity.name, subjectKey };
}

/** An item owned by the root of its partition: no expiry of its own, deleted with the root. */
export function ownedItem<T extends Keys>(
  entity: OwnedEntity,
  item: T,
  subjectKey: SubjectKey,
): Stored<T> & { subjectKey: SubjectKey } {
  return { ...item, entity: entity.name, subjectKey };
}

/** An item without personal data; with an expiry when its entity declares one. */
export function plainItem<T extends Keys>(entity: PlainEntity, item: T, clockStartedAt?: Date, now?: Date): Stored<T> {
  if (entity.retention && clockStartedAt) {
    return { ...item, entity: entity.name, ...expiryFor(entity.retention.purpose, clockStartedAt, now) };
  }
  return { ...item, entity: entity.name };
}

/** What an item holds beside its keys and the metadata written here: the stored value as it was given. */
export function itemData<T>(item: Record<string, unknown>): T {
  const {
    pk: _pk,
    sk: _sk,
    entity: _entity,
    subjectKey: _subject,
    expiresAt: _expiresAt,
    expiryDay: _expiryDay,
    heldExpiresAt: _held,
    retentionPurpose: _purpose,
    ...data
  } = item;
  return data as T;
}
