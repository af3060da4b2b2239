/**
 * The settings of a newsletter function (catalogue `newsletter: true`), built here for both the CDK
 * app (infra/constructs/functions.ts) and the local cloud (local/wiring.ts) as environment
 * variables, and read back by the newsletter composition root (ADR 0020). The pepper itself is
 * never in the environment: only the name of the SSM SecureString parameter that holds it.
 */

export interface NewsletterSettings {
  /**
   * The public URL of the API that the mails' links point at (`<base>/newsletter/unsubscribe?…`),
   * without a trailing slash: CDK context `newsletterLinkBase`, else the REST API's stage URL; the
   * local gateway's URL locally.
   */
  readonly linkBase: string;
  /**
   * Where a campaign's links may lead (the tracked redirect refuses anything else: no open
   * redirect): https URL prefixes, an origin or an origin and a path (`http` only for localhost).
   */
  readonly linkTargets: readonly string[];
  /**
   * The SSM SecureString parameter holding the pepper: the key of the addresses' keyed hashes (the
   * partition of an address, the suppression list) and of the long-lived links' tokens.
   */
  readonly pepperParameter: string;
  /**
   * The SES configuration set every newsletter mail is sent with (`<stack name>-newsletter`,
   * `mpbe-local-newsletter` locally): it publishes the mails' bounces and complaints to the SNS
   * topic that delivers them to `recordSesFeedback`. Given only to the functions that send
   * newsletter mail (catalogue `newsletter` and `sendsMail`), whose role may use this set only.
   */
  readonly configurationSet: string;
}

/** The variables every newsletter function gets. */
export const newsletterEnvNames = {
  linkBase: 'NEWSLETTER_LINK_BASE',
  linkTargets: 'NEWSLETTER_LINK_TARGETS',
  pepperParameter: 'NEWSLETTER_PEPPER_PARAMETER',
} as const satisfies Record<Exclude<keyof NewsletterSettings, 'configurationSet'>, string>;

/** The variable of the configuration set, for the newsletter functions that send mail only. */
export const NEWSLETTER_CONFIGURATION_SET_ENV = 'NEWSLETTER_CONFIGURATION_SET';

/** The newsletter's SES configuration set, named after the deployment (the CDK stack name, or the local prefix). */
export function newsletterConfigurationSetNameOf(namePrefix: string): string {
  return `${namePrefix}-newsletter`;
}

/** The platform's site: the default targets of campaign links. */
export const DEFAULT_NEWSLETTER_LINK_TARGETS = [
  'https://www.monprodubienetre.fr/',
  'https://monprodubienetre.fr/',
] as const;

export const DEFAULT_NEWSLETTER_PEPPER_PARAMETER = '/mpbe/newsletter/pepper';

const isLocalHost = (url: URL) => url.hostname === 'localhost' || url.hostname === '127.0.0.1';

/** A link target: an https URL (http for localhost only), no credentials, query or fragment. */
export function parseLinkTarget(value: string): URL {
  const url = URL.parse(value.trim());
  if (!url) throw new Error(`Newsletter link target "${value}" is not a URL`);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLocalHost(url)))
    throw new Error(`Newsletter link target "${value}": https only (plain http for localhost)`);
  if (url.username || url.password || url.search || url.hash)
    throw new Error(`Newsletter link target "${value}": an origin and a path only`);
  return url;
}

/** The allow-list, checked: comma-separated or a list; at least one. */
export function parseLinkTargets(value: string | readonly string[]): string[] {
  const list = (typeof value === 'string' ? value.split(',') : [...value]).map((v) => v.trim()).filter(Boolean);
  if (list.length === 0) throw new Error('Newsletter link targets: at least one');
  return list.map((v) => parseLinkTarget(v).href);
}

/** Whether `target` is under one of the allowed prefixes (same origin, path under the prefix's). */
export function isAllowedTarget(target: string, allowed: readonly string[]): boolean {
  const url = URL.parse(target);
  if (!url || url.username || url.password) return false;
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLocalHost(url))) return false;
  return allowed.some((entry) => {
    const prefix = URL.parse(entry);
    if (!prefix || prefix.origin !== url.origin) return false;
    const path = prefix.pathname.endsWith('/') ? prefix.pathname : `${prefix.pathname}/`;
    return url.pathname === prefix.pathname || url.pathname.startsWith(path) || prefix.pathname === '/';
  });
}

/**
 * The one place the environment of a newsletter function is built: the links, their targets and
 * the pepper's parameter for all; the configuration set too for one that sends mail.
 */
export function newsletterEnv(
  settings: NewsletterSettings,
  options: { readonly sendsMail?: boolean } = {},
): Record<string, string> {
  return {
    [newsletterEnvNames.linkBase]: settings.linkBase,
    [newsletterEnvNames.linkTargets]: parseLinkTargets(settings.linkTargets).join(','),
    [newsletterEnvNames.pepperParameter]: settings.pepperParameter,
    ...(options.sendsMail ? { [NEWSLETTER_CONFIGURATION_SET_ENV]: settings.configurationSet } : {}),
  };
}

const requiredFrom = (env: NodeJS.ProcessEnv, name: string) => {
  const value = env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
};

/** The settings every newsletter function has, back from its environment. */
export function newsletterSettingsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Omit<NewsletterSettings, 'configurationSet'> {
  return {
    linkBase: requiredFrom(env, newsletterEnvNames.linkBase).replace(/\/+$/, ''),
    linkTargets: parseLinkTargets(requiredFrom(env, newsletterEnvNames.linkTargets)),
    pepperParameter: requiredFrom(env, newsletterEnvNames.pepperParameter),
  };
}

/** The configuration set a newsletter function that sends mail sends with. */
export function newsletterConfigurationSetFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return requiredFrom(env, NEWSLETTER_CONFIGURATION_SET_ENV);
}
