/**
 * Consent and objection (GDPR art. 6(1)(a) and (f), 7 and 21; issue 15), pure: the closed
 * catalogue of the choices a signed-in person makes about processing that rests on their consent
 * or on the platform's legitimate interest, what they see of them, and what a change is.
 *
 * Each choice has its legal basis, its French wording and the version of that wording. The
 * default follows the basis: consent is not given until the person gives it; a processing on
 * legitimate interest is in effect until the person objects. Every change is recorded with the
 * version of the wording the person was shown (art. 7(1): the controller proves the consent);
 * a change made on a wording that is no longer the current one is refused, so nobody consents
 * to a text they did not read.
 *
 * The ids are a published contract (`consentChoices` in events/catalogue.ts: ConsentChanged
 * names them, and other contexts act on theirs).
 */
import { type ConsentChoice, consentChoices } from '#events/catalogue.ts';

export type { ConsentChoice };
export { consentChoices };

export const consentLegalBases = ['consent', 'legitimate-interest'] as const;
export type ConsentLegalBasis = (typeof consentLegalBases)[number];

export interface ChoiceDefinition {
  readonly id: ConsentChoice;
  readonly legalBasis: ConsentLegalBasis;
  /** What the person reads, in French. */
  readonly wording: string;
  /** The date of the wording (YYYY-MM-DD): a change of the wording gets a new version. */
  readonly wordingVersion: string;
}

/**
 * The choices, in the order they are shown. A new wording gets a new `wordingVersion`; the
 * choices already recorded keep the version they were made on (the history shows it).
 */
export const choiceCatalogue = {
  // The newsletter context follows it (ConsentChanged): a withdrawal ends the subscription at once,
  // a consent mails the double opt-in link (the subscription starts when the person confirms).
  newsletter: {
    id: 'newsletter',
    legalBasis: 'consent',
    wording:
      'Je souhaite recevoir par email la newsletter de Mon Pro du Bien-Être (actualités de la plateforme, ' +
      'conseils bien-être). Un email me demandera de confirmer mon adresse ; l’abonnement commence à ma ' +
      'confirmation. Je peux retirer mon consentement à tout moment sur cette page ou par le lien de ' +
      'désinscription de chaque envoi.',
    wordingVersion: '2026-12-07',
  },
  // The "Nouveau message" mail of functions/messaging/ (notifyMessageRecipient).
  'message-mail-alerts': {
    id: 'message-mail-alerts',
    legalBasis: 'legitimate-interest',
    wording:
      'Quand quelqu’un vous écrit sur la messagerie de Mon Pro du Bien-Être, nous vous envoyons un email ' +
      '« Nouveau message » (sans le texte du message ni le nom de son auteur), au titre de notre intérêt ' +
      'légitime à vous signaler les messages qui vous attendent. Vous pouvez vous y opposer à tout moment : ' +
      'vos messages continueront d’arriver dans l’application, sans email.',
    wordingVersion: '2026-12-01',
  },
} as const satisfies { readonly [C in ConsentChoice]: ChoiceDefinition & { readonly id: C } };

export const choices: readonly ChoiceDefinition[] = consentChoices.map((id) => choiceCatalogue[id]);

export function isConsentChoice(id: string): id is ConsentChoice {
  return (consentChoices as readonly string[]).includes(id);
}

/** Consent: not given until given. Legitimate interest: in effect until the person objects. */
export function grantedByDefault(legalBasis: ConsentLegalBasis): boolean {
  return legalBasis === 'legitimate-interest';
}

/** Where a change comes from: the person in the app (the only source so far). */
export const changeSources = ['app'] as const;
export type ChangeSource = (typeof changeSources)[number];

/** One recorded change: the proof (art. 7(1)) of what the person chose, when, on which wording. */
export interface ConsentChange {
  /** `cch_` + 12 hex digits of the change's time in milliseconds + 20 random hex digits: ids sort by time. */
  readonly changeId: string;
  readonly choice: ConsentChoice;
  /** Consent given (consent), or no objection (legitimate interest). */
  readonly granted: boolean;
  readonly wordingVersion: string;
  /** UTC, ISO 8601. */
  readonly changedAt: string;
  readonly source: ChangeSource;
}

/** What the person chose last, per choice; a choice never made is absent (its default applies). */
export type ConsentState = { readonly [C in ConsentChoice]?: Omit<ConsentChange, 'choice' | 'source'> };

export interface ConsentView {
  readonly choice: ConsentChoice;
  readonly legalBasis: ConsentLegalBasis;
  readonly wording: string;
  /** The current wording's version: what a change must be made on. */
  readonly wordingVersion: string;
  readonly granted: boolean;
  /** When the person last changed it; absent while the default applies. */
  readonly changedAt?: string;
}

/** How many changes the person sees, newest first. */
export const HISTORY_LIMIT = 50;

export function viewOf(state: ConsentState, id: ConsentChoice): ConsentView {
  const definition = choiceCatalogue[id];
  const recorded = state[id];
  return {
    choice: id,
    legalBasis: definition.legalBasis,
    wording: definition.wording,
    wordingVersion: definition.wordingVersion,
    granted: recorded ? recorded.granted : grantedByDefault(definition.legalBasis),
    ...(recorded ? { changedAt: recorded.changedAt } : {}),
  };
}

/** Every choice, in the catalogue's order, as the person's state makes it. */
export function viewsOf(state: ConsentState): ConsentView[] {
  return consentChoices.map((id) => viewOf(state, id));
}

/** The time a change id begins with. */
export function changeTimeOf(changeId: string): Date {
  return new Date(Number.parseInt(changeId.slice(4, 16), 16));
}

/** A change id for a change at `at`, with 20 random hex digits. */
export function changeIdAt(at: Date, randomHex: string): string {
  if (!/^[0-9a-f]{20}$/.test(randomHex)) throw new Error('20 random hex digits expected');
  return `cch_${at.getTime().toString(16).padStart(12, '0')}${randomHex}`;
}

export type ChangeDecision =
  /** The wording the person was shown is not the current one: they must read it again. */
  | { readonly kind: 'stale-wording'; readonly currentVersion: string }
  /** The same choice on the same wording is recorded already (a retry): nothing new to log. */
  | { readonly kind: 'unchanged'; readonly recorded: Omit<ConsentChange, 'choice' | 'source'> }
  | { readonly kind: 'change'; readonly change: ConsentChange; readonly state: ConsentState };

/**
 * What a person's `granted` on `wordingVersion` does to their state. An explicit choice equal to
 * the default is still recorded (it is the person's own, with its wording); the same choice on
 * the same wording again is not (a retry logs nothing twice).
 */
export function decideChange(
  state: ConsentState,
  choice: ConsentChoice,
  input: { readonly granted: boolean; readonly wordingVersion: string },
  at: Date,
  changeId: string,
): ChangeDecision {
  const current = choiceCatalogue[choice].wordingVersion;
  if (input.wordingVersion !== current) return { kind: 'stale-wording', currentVersion: current };
  const recorded = state[choice];
  if (recorded && recorded.granted === input.granted && recorded.wordingVersion === input.wordingVersion) {
    return { kind: 'unchanged', recorded };
  }
  const change: ConsentChange = {
    changeId,
    choice,
    granted: input.granted,
    wordingVersion: input.wordingVersion,
    changedAt: at.toISOString(),
    source: 'app',
  };
  const { choice: _choice, source: _source, ...kept } = change;
  return { kind: 'change', change, state: { ...state, [choice]: kept } };
}
