import * as z from 'zod';

/**
 * The envelope of every event on the bus (DESIGN.md §6). `data` carries identifiers only, never
 * personal data: archives, dead letters and logs then hold nothing that escapes retention.
 */
export const eventMetadata = z.object({
  eventId: z.string().min(1),
  occurredAt: z.iso.datetime(),
  version: z.number().int().positive(),
  correlationId: z.string().min(1),
});

export type EventMetadata = z.infer<typeof eventMetadata>;

/** Identifiers are opaque: a prefix and hex, nothing a person could be recognised by. */
export const identifier = z.string().regex(/^[a-z]+_[A-Za-z0-9]{6,64}$/, 'an opaque identifier');

export interface EventContract<DT extends string = string, S extends z.ZodType = z.ZodType> {
  readonly source: string;
  readonly detailType: DT;
  readonly version: number;
  readonly data: S;
  readonly description: string;
  /** The full detail schema: envelope + data. */
  readonly detail: z.ZodObject<{ metadata: typeof eventMetadata; data: S }>;
}

/**
 * An event of the catalogue. Its schema is given as a function and built on first use: a function
 * builds the schemas of the events it publishes or consumes, not the whole catalogue's, and the
 * bundler leaves the others out (`npm run bench`: the catalogue's schemas cost every cold start
 * several milliseconds).
 */
/* @__NO_SIDE_EFFECTS__ */
export function defineEvent<DT extends string, S extends z.ZodType>(def: {
  source: string;
  detailType: DT;
  version: number;
  data: () => S;
  description: string;
}): EventContract<DT, S> {
  let data: S | undefined;
  let detail: z.ZodObject<{ metadata: typeof eventMetadata; data: S }> | undefined;
  return {
    source: def.source,
    detailType: def.detailType,
    version: def.version,
    description: def.description,
    get data() {
      data ??= def.data();
      return data;
    },
    get detail() {
      detail ??= z.object({ metadata: eventMetadata, data: this.data });
      return detail;
    },
  };
}

export type EventData<E extends EventContract> = z.infer<E['data']>;
export type EventDetail<E extends EventContract> = z.infer<E['detail']>;
