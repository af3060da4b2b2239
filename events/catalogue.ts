/**
 * The event catalogue: every event on the bus, with its source, detail-type (past tense), version
 * and the zod schema of its data. Publishers validate against it before sending; consumers parse
 * with it on receipt; the rules (./rules.ts) route by it. A breaking change gets a new version.
 */
import * as z from 'zod';
import { defineEvent, identifier } from './envelope.ts';

export const sources = {
  contact: 'mpbe.contact',
} as const;

export const ContactRequestReceived = defineEvent({
  source: sources.contact,
  detailType: 'ContactRequestReceived',
  version: 1,
  description: 'A visitor sent the public contact form; the request is stored.',
  data: z.object({ contactRequestId: identifier }).strict(),
});

export const eventCatalogue = [ContactRequestReceived] as const;
