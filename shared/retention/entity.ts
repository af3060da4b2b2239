/**
 * Entity types: every kind of item a table holds, registered once (functions/entities.ts). The
 * type makes it impossible to declare an entity holding personal data without saying how long it
 * is kept: either a timed purpose of the retention catalogue (and what starts its clock), or the
 * root entity that owns it (same partition, deleted with it). shared/dynamo/items.ts builds every
 * stored item from its entity, so the expiry is written by construction.
 */

import type { ExportDeclaration } from '../privacy/export-parts.ts';
import type { TableName } from '../tables.ts';
import type { StoredPurpose } from './catalogue.ts';

interface EntityBase<N extends string = string> {
  /** Kebab-case, unique; stored on every item as `entity`. */
  readonly name: N;
  readonly table: TableName;
  readonly description: string;
}

/** Holds personal data and carries its own expiry. */
export interface RetainedEntity<N extends string = string> extends EntityBase<N> {
  readonly personalData: true;
  readonly retention: {
    /** A timed purpose, or one whose data is deleted at the clock's event (then `startsLater`). */
    readonly purpose: StoredPurpose;
    /** What starts the clock, in the entity's words (e.g. "the request's reception"). */
    readonly clockStartsAt: string;
    /** Sliding clocks move the expiry when the clock moves (last activity, last contact…). */
    readonly sliding: boolean;
    /**
     * The clock starts at a later event (a hold's lift, a ticket's closure): until then the item
     * is kept without expiry (`openItem`), and gets its expiry when the event happens.
     */
    readonly startsLater?: boolean;
  };
  /**
   * 'partition': the item is the root of its partition and owns every other item in it; the
   * purge deletes them with it (and the retention audit does when DynamoDB's TTL deletes it).
   */
  readonly owns?: 'partition';
  /**
   * Why an erasure of the subject keeps it: an accountability record of the rights handled (a
   * rights request, a death and its directives) that the erasure it proves must not destroy.
   * It still expires with its purpose.
   */
  readonly keptOnErasure?: string;
  /** Its place in the person's data export (shared/privacy/export-parts.ts). */
  readonly export: ExportDeclaration;
}

/** Holds personal data kept exactly as long as the root entity of its partition. */
export interface OwnedEntity<N extends string = string> extends EntityBase<N> {
  readonly personalData: true;
  readonly ownedBy: string;
  /** Its place in the person's data export (shared/privacy/export-parts.ts). */
  readonly export: ExportDeclaration;
}

/** Holds no personal data; may still expire (operational records). */
export interface PlainEntity<N extends string = string> extends EntityBase<N> {
  readonly personalData: false;
  readonly retention?: RetainedEntity['retention'];
}

export type EntityDefinition = RetainedEntity | OwnedEntity | PlainEntity;

export function isRetained(entity: EntityDefinition): entity is RetainedEntity {
  return entity.personalData && 'retention' in entity;
}
