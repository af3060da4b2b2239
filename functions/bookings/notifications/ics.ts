/**
 * The calendar file sent with an appointment's notices (RFC 5545, with the iTIP methods of
 * RFC 5546): one VEVENT whose UID is the same for the whole life of the appointment, so that a
 * calendar updates the event it already holds. SEQUENCE is the appointment's version: every change
 * has a higher one, and a calendar ignores an older message. Times are UTC (`…Z`), so no VTIMEZONE
 * is needed; calendars show them in the reader's zone. METHOD:REQUEST adds or updates the event,
 * METHOD:CANCEL (STATUS:CANCELLED) removes it. Lines end with CRLF and are folded at 75 octets.
 * Pure: no I/O, no AWS.
 */

export const ICS_DOMAIN = 'monprodubienetre.fr';
const PRODUCT_ID = '-//Mon Pro du Bien-Etre//Rendez-vous 1.0//FR';
const MAX_LINE_OCTETS = 75;

export interface CalendarEvent {
  readonly method: 'REQUEST' | 'CANCEL';
  readonly appointmentId: string;
  /** The appointment's version: the event's SEQUENCE. */
  readonly sequence: number;
  readonly start: Date;
  readonly end: Date;
  /** When this message was made (DTSTAMP). */
  readonly stamp: Date;
  readonly summary: string;
  readonly description?: string;
  readonly location?: string;
  /** The platform sends it: its address is the organizer (iTIP needs one). */
  readonly organizer: { readonly name: string; readonly email: string };
  /** The one person this copy is for (the other party's address is never disclosed). */
  readonly attendee: { readonly name?: string; readonly email: string };
}

/** A date-time in UTC, basic format: 20250329T090000Z. */
export function icsUtc(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, newline. */
export function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** A parameter value, quoted when it holds a character that would end it (RFC 5545 §3.2). */
function paramValue(value: string): string {
  const clean = value.replace(/["\r\n]/g, '');
  return /[;:,]/.test(clean) ? `"${clean}"` : clean;
}

/**
 * Folds a content line at 75 octets (RFC 5545 §3.1): CRLF and one space before each continuation,
 * never inside a UTF-8 character.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char);
    // A continuation line starts with a space, which counts towards its 75 octets.
    const limit = parts.length === 0 ? MAX_LINE_OCTETS : MAX_LINE_OCTETS - 1;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

function mailto(email: string): string {
  if (/[\r\n;:,"<>\s]/.test(email)) throw new Error('Not a plain email address');
  return `mailto:${email}`;
}

/** The whole calendar object, CRLF line ends, folded. */
export function calendar(event: CalendarEvent): string {
  const cancelled = event.method === 'CANCEL';
  const attendeeName = event.attendee.name ? `;CN=${paramValue(event.attendee.name)}` : '';
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${PRODUCT_ID}`,
    'CALSCALE:GREGORIAN',
    `METHOD:${event.method}`,
    'BEGIN:VEVENT',
    `UID:${event.appointmentId}@${ICS_DOMAIN}`,
    `SEQUENCE:${event.sequence}`,
    `DTSTAMP:${icsUtc(event.stamp)}`,
    `DTSTART:${icsUtc(event.start)}`,
    `DTEND:${icsUtc(event.end)}`,
    `SUMMARY:${escapeText(event.summary)}`,
    ...(event.description ? [`DESCRIPTION:${escapeText(event.description)}`] : []),
    ...(event.location ? [`LOCATION:${escapeText(event.location)}`] : []),
    `STATUS:${cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
    'TRANSP:OPAQUE',
    `ORGANIZER;CN=${paramValue(event.organizer.name)}:${mailto(event.organizer.email)}`,
    `ATTENDEE${attendeeName};ROLE=REQ-PARTICIPANT${cancelled ? '' : ';PARTSTAT=ACCEPTED'};RSVP=FALSE:${mailto(event.attendee.email)}`,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}

/** The media type of the attachment, with the iTIP method as mail clients expect it. */
export const calendarContentType = (method: CalendarEvent['method']) =>
  `text/calendar; charset=UTF-8; method=${method}`;
