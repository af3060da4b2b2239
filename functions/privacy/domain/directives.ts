/**
 * Post-mortem directives (Loi Informatique et Libertés, art. 85; ADR 0018), pure: what a person
 * asks to be done with their data after their death, and what is done when the DPO records it.
 *
 * - `erase`: everything is erased at once (legal holds prevail);
 * - `keep`: the account is closed and the data follows its usual retention periods;
 * - `communicate`: the data is sent to a person they designate (an export mailed to them), then
 *   it follows its usual retention periods;
 * - no directive: the heirs' rights apply (art. 85 II): the account is closed and erased.
 * A directive is general (all the data) or specific (some parts of it, for `communicate`: only
 * those parts are sent).
 */

export const directiveActions = ['erase', 'keep', 'communicate'] as const;
export type DirectiveAction = (typeof directiveActions)[number];

export const deathReporters = ['heir', 'designated-person'] as const;
export type DeathReporter = (typeof deathReporters)[number];

export interface Designee {
  readonly name: string;
  readonly email: string;
}

export interface Directive {
  readonly accountId: string;
  readonly action: DirectiveAction;
  readonly scope: 'general' | 'specific';
  /** For a specific directive: the parts of the export it covers. */
  readonly parts?: readonly string[];
  /** Who receives the data (`communicate` only). */
  readonly designee?: Designee;
  /** The person's own words, for the DPO (at most 1,000 characters). */
  readonly note?: string;
  readonly updatedAt: string;
}

export type DeathPlan = 'erase' | 'keep' | 'communicate' | 'heirs-erase';

export class DirectiveRefused extends Error {}

/** Checks a directive's coherence: a designee exactly when data is communicated, parts only when specific. */
export function directiveOf(
  accountId: string,
  input: Omit<Directive, 'accountId' | 'updatedAt'>,
  knownParts: readonly string[],
  now: Date,
): Directive {
  if ((input.action === 'communicate') !== Boolean(input.designee)) {
    throw new DirectiveRefused('A designee is given exactly when the data is to be communicated');
  }
  if ((input.scope === 'specific') !== Boolean(input.parts?.length)) {
    throw new DirectiveRefused('A specific directive names the parts it covers; a general one names none');
  }
  if (input.scope === 'specific' && input.action !== 'communicate') {
    throw new DirectiveRefused('Only communication can be specific: erasing or keeping covers everything');
  }
  const unknown = (input.parts ?? []).filter((part) => !knownParts.includes(part));
  if (unknown.length > 0) throw new DirectiveRefused(`Unknown parts: ${unknown.join(', ')}`);
  return { ...input, accountId, updatedAt: now.toISOString() };
}

/** What a recorded death sets off. */
export function planOf(directive: Directive | undefined): DeathPlan {
  return directive?.action ?? 'heirs-erase';
}

/** Whether the plan erases the data now. */
export const erases = (plan: DeathPlan): boolean => plan === 'erase' || plan === 'heirs-erase';

export interface DeathRecord {
  readonly deathId: string;
  readonly accountId: string;
  readonly reportedBy: DeathReporter;
  /** The DPO checked the proof (a death certificate); it is never kept. */
  readonly proofChecked: true;
  readonly dateOfDeath: string;
  readonly recordedBy: string;
  readonly recordedAt: string;
  readonly plan: DeathPlan;
  readonly executedAt?: string;
  readonly outcome?: 'erased' | 'communicated' | 'kept';
}

const signature = '\n\nL’équipe Mon Pro du Bien-Être\nDélégué à la protection des données : dpo@monprodubienetre.fr';

/** The designated person gets the data, as the deceased asked (no detail of the death in the mail). */
export function designeeMail(designee: string, deathId: string, attachment: string) {
  return {
    to: [designee],
    subject: 'Transmission de données selon des directives',
    text:
      'Bonjour,\n\nUne personne vous a désigné(e) pour recevoir ses données personnelles après son décès ' +
      `(loi Informatique et Libertés, article 85). Vous les trouverez en pièce jointe, au format JSON (référence ${deathId}). ` +
      'Sa section « readme » explique chaque champ.' +
      signature,
    attachments: [
      { filename: 'donnees-transmises.json', contentType: 'application/json; charset=UTF-8', content: attachment },
    ],
  };
}
