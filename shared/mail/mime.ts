/**
 * A raw MIME message (RFC 5322, RFC 2045–2047) for SES SendRawEmail, which a mail with attachments
 * or extra headers (List-Unsubscribe) needs: multipart/mixed holding the body (text, or multipart/alternative text + HTML) and one part
 * per attachment. Every part is UTF-8 and base64 (lines of 76 characters), headers with non-ASCII
 * text are encoded words, lines end with CRLF. Pure: no I/O, no AWS.
 */
import { randomBytes } from 'node:crypto';
import { extraHeaderNames, type Mail, type MailHeader } from './mail.ts';

const CRLF = '\r\n';

/** Base64 in lines of 76 characters (RFC 2045 §6.8). */
function base64Lines(content: string | Uint8Array): string {
  const encoded = Buffer.from(content).toString('base64');
  return (encoded.match(/.{1,76}/g) ?? []).join(CRLF);
}

/** A header value as RFC 2047 encoded words when it is not plain ASCII. */
export function encodedWords(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  // An encoded word is at most 75 characters (RFC 2047 §2); with 36 bytes a word (48 base64
  // characters, 60 in all) the first line, after `Subject: `, stays within 78 (RFC 5322 §2.1.1).
  // Words are cut between characters, never inside one.
  const words: string[] = [];
  let chunk = '';
  for (const char of text) {
    if (Buffer.byteLength(chunk + char) > 36) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join(`${CRLF} `);
}

/** A header line only ever gets addresses we were given: refuse anything that could inject a header. */
function address(value: string): string {
  if (/[\r\n,<>"]/.test(value) || !value.includes('@')) throw new Error('Not a plain email address');
  return value;
}

/** An extra header line: a known name, a printable ASCII value on one line (no header injection). */
function extraHeader(header: MailHeader): string {
  if (!(extraHeaderNames as readonly string[]).includes(header.name)) throw new Error('Unknown extra header');
  if (!/^[\x20-\x7e]{1,900}$/.test(header.value)) throw new Error('Unsafe header value');
  return `${header.name}: ${header.value}`;
}

function quotedParameter(value: string): string {
  if (/[\r\n"\\]/.test(value)) throw new Error('Unsafe MIME parameter');
  return `"${value}"`;
}

export interface RawMessageOptions {
  readonly from: string;
  readonly date: Date;
  /** Boundaries are random unless given (tests). */
  readonly boundary?: string;
}

function textPart(contentType: string, content: string): string[] {
  return [`Content-Type: ${contentType}; charset=UTF-8`, 'Content-Transfer-Encoding: base64', '', base64Lines(content)];
}

/** The whole message, as SES SendRawEmail takes it. */
export function rawMessage(mail: Mail, options: RawMessageOptions): string {
  const boundary = options.boundary ?? `mpbe-${randomBytes(12).toString('hex')}`;
  const alternative = `${boundary}-alt`;
  const headers = [
    `From: ${address(options.from)}`,
    `To: ${mail.to.map(address).join(', ')}`,
    ...(mail.replyTo?.length ? [`Reply-To: ${mail.replyTo.map(address).join(', ')}`] : []),
    `Subject: ${encodedWords(mail.subject)}`,
    ...(mail.headers ?? []).map(extraHeader),
    `Date: ${options.date.toUTCString().replace('GMT', '+0000')}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary=${quotedParameter(boundary)}`,
  ];
  const body = mail.html
    ? [
        `Content-Type: multipart/alternative; boundary=${quotedParameter(alternative)}`,
        '',
        `--${alternative}`,
        ...textPart('text/plain', mail.text),
        `--${alternative}`,
        ...textPart('text/html', mail.html),
        `--${alternative}--`,
      ]
    : textPart('text/plain', mail.text);
  const attachments = (mail.attachments ?? []).flatMap((a) => [
    `--${boundary}`,
    `Content-Type: ${a.contentType.replace(/[\r\n]/g, '')};`,
    ` name=${quotedParameter(a.filename)}`,
    'Content-Disposition: attachment;',
    ` filename=${quotedParameter(a.filename)}`,
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(a.content),
  ]);
  return [...headers, '', `--${boundary}`, ...body, ...attachments, `--${boundary}--`, ''].join(CRLF);
}
