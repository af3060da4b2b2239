/** The contact form's text: nothing that could break a mail header or hide in a stored record. */
import { describe, expect, it } from 'vitest';
import { ContactRequestInput } from '#functions/contact/contract.ts';

const valid = {
  name: 'Alice Martin',
  email: 'alice@example.test',
  subject: 'Question',
  message: 'Bonjour,\nune question.',
};

describe('ContactRequestInput', () => {
  it('refuses control characters in the name and subject, CR/LF included (a Subject header stays one line)', () => {
    for (const bad of [
      'Ali\u0000ce',
      'Question\r\nBcc: x@example.test',
      'Qu\nestion',
      'tab\there',
      '\u0085next line',
    ]) {
      for (const field of ['name', 'subject'] as const) {
        const parsed = ContactRequestInput.safeParse({ ...valid, [field]: bad });
        expect(parsed.success, `${field} ${JSON.stringify(bad)}`).toBe(false);
        expect(parsed.error?.issues[0]?.path).toEqual([field]);
      }
    }
  });

  it('keeps the message’s line breaks and tabs (CRLF and CR as LF), refuses its NUL and other control characters', () => {
    const parsed = ContactRequestInput.parse({ ...valid, message: 'Bonjour,\r\nligne 2\rligne 3\n\tfin' });
    expect(parsed.message).toBe('Bonjour,\nligne 2\nligne 3\n\tfin');
    for (const bad of ['Bonjour\u0000 le monde', 'Bonjour \u001b[31m rouge', 'Bonjour \u007f le monde']) {
      expect(ContactRequestInput.safeParse({ ...valid, message: bad }).success).toBe(false);
    }
  });

  it('accepts the accents, apostrophes and emoji people write', () => {
    expect(ContactRequestInput.safeParse({ ...valid, name: 'Zoé-Anne D’Arc', subject: 'Séance 🌿 ?' }).success).toBe(
      true,
    );
  });
});
