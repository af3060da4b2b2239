/**
 * Stripe's v1 wire format for parameters: `application/x-www-form-urlencoded` with bracket
 * notation (`metadata[bookingId]=b1`, `expand[]=latest_charge`, `expand[0]=latest_charge`),
 * decoded into a tree, and typed readers that answer Stripe's own parameter errors
 * (`parameter_missing`, `parameter_unknown`, `parameter_invalid_integer`...).
 */
import { invalidRequest } from './errors.ts';

export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

/** Without a prototype, so that a parameter named `__proto__` is just a name. */
const emptyObject = (): FormObject => Object.create(null);

/** Splits `a[b][]` into `['a', 'b', '']`; a key without brackets is one segment. */
function segmentsOf(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const rest = [...key.slice(open).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] ?? '');
  return [key.slice(0, open), ...rest];
}

function assign(target: FormObject | FormValue[], segments: string[], value: string): void {
  const [head, ...tail] = segments as [string, ...string[]];
  const slot = (container: FormObject | FormValue[], key: string, next: FormValue): FormValue => {
    if (Array.isArray(container)) {
      if (key === '') {
        container.push(next);
        return next;
      }
      const index = Number(key);
      container[index] ??= next;
      return container[index] as FormValue;
    }
    if (!Object.hasOwn(container, key)) container[key] = next;
    return container[key] as FormValue;
  };
  if (tail.length === 0) {
    slot(target, head, value);
    return;
  }
  const child = slot(target, head, tail[0] === '' ? [] : emptyObject());
  if (typeof child === 'string') throw invalidRequest(`Invalid parameter nesting at ${head}.`, head);
  assign(child, tail, value);
}

/** Decodes a form body or a query string (without its leading `?`). */
export function decodeForm(encoded: string): FormObject {
  const root = emptyObject();
  for (const [key, value] of new URLSearchParams(encoded)) {
    if (key) assign(root, segmentsOf(key), value);
  }
  return root;
}

/** Reads typed parameters from one level of the tree; refuses the names it was not told about. */
export interface ParamReader {
  has(name: string): boolean;
  string(name: string): string | undefined;
  requiredString(name: string): string;
  integer(name: string, options?: { min?: number; max?: number }): number | undefined;
  boolean(name: string): boolean | undefined;
  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined;
  strings(name: string): string[] | undefined;
  /** A nested hash such as `transfer_data[...]`, itself checked against `known`. */
  nested(name: string, known: readonly string[]): ParamReader | undefined;
  /** Stripe metadata: up to 50 keys of up to 40 characters, values of up to 500. */
  metadata(): Record<string, string> | undefined;
}

export function readParams(form: FormObject, known: readonly string[], prefix = ''): ParamReader {
  const full = (name: string) => (prefix ? `${prefix}[${name}]` : name);
  for (const name of Object.keys(form)) {
    if (!known.includes(name))
      throw invalidRequest(`Received unknown parameter: ${full(name)}`, full(name), 'parameter_unknown');
  }
  const scalar = (name: string): string | undefined => {
    const value = form[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw invalidRequest(`Invalid string: ${full(name)} must be a string.`, full(name));
    return value;
  };
  const reader: ParamReader = {
    has: (name) => form[name] !== undefined,
    string: scalar,
    requiredString(name) {
      const value = scalar(name);
      if (value === undefined)
        throw invalidRequest(`Missing required param: ${full(name)}.`, full(name), 'parameter_missing');
      if (value === '') {
        throw invalidRequest(
          `You passed an empty string for '${full(name)}'. We assume empty values are an attempt to unset a parameter; however '${full(name)}' cannot be unset. You should remove '${full(name)}' from your request or supply a non-empty value.`,
          full(name),
          'parameter_invalid_empty',
        );
      }
      return value;
    },
    integer(name, { min, max } = {}) {
      const value = scalar(name);
      if (value === undefined) return undefined;
      if (!/^-?\d+$/.test(value))
        throw invalidRequest(`Invalid integer: ${value}`, full(name), 'parameter_invalid_integer');
      const parsed = Number(value);
      if ((min !== undefined && parsed < min) || (max !== undefined && parsed > max) || !Number.isSafeInteger(parsed)) {
        throw invalidRequest(
          `Invalid ${full(name)}: ${value} is out of range.`,
          full(name),
          'parameter_invalid_integer',
        );
      }
      return parsed;
    },
    boolean(name) {
      const value = scalar(name);
      if (value === undefined) return undefined;
      if (value !== 'true' && value !== 'false') throw invalidRequest(`Invalid boolean: ${value}`, full(name));
      return value === 'true';
    },
    oneOf(name, allowed) {
      const value = scalar(name);
      if (value === undefined) return undefined;
      if (!(allowed as readonly string[]).includes(value)) {
        throw invalidRequest(`Invalid ${full(name)}: must be one of ${allowed.join(', ')}`, full(name));
      }
      return value as (typeof allowed)[number];
    },
    strings(name) {
      const value = form[name];
      if (value === undefined) return undefined;
      const items = typeof value === 'string' ? [value] : Array.isArray(value) ? value : Object.values(value);
      if (!items.every((item): item is string => typeof item === 'string')) {
        throw invalidRequest(`Invalid array: ${full(name)} must be a list of strings.`, full(name));
      }
      return items;
    },
    nested(name, nestedKnown) {
      const value = form[name];
      if (value === undefined || value === '') return undefined;
      if (typeof value === 'string' || Array.isArray(value)) {
        throw invalidRequest(`Invalid object: ${full(name)} must be a hash.`, full(name));
      }
      return readParams(value, nestedKnown, full(name));
    },
    metadata() {
      const value = form.metadata;
      if (value === undefined || value === '') return value === '' ? {} : undefined;
      if (typeof value === 'string' || Array.isArray(value))
        throw invalidRequest('Invalid object: metadata must be a hash.', 'metadata');
      const entries = Object.entries(value);
      if (entries.length > 50) throw invalidRequest('Metadata can have at most 50 keys.', 'metadata');
      for (const [key, item] of entries) {
        if (typeof item !== 'string') throw invalidRequest(`Invalid metadata value for ${key}.`, `metadata[${key}]`);
        if (key.length > 40) throw invalidRequest('Metadata keys can be at most 40 characters.', `metadata[${key}]`);
        if (item.length > 500)
          throw invalidRequest('Metadata values can be at most 500 characters.', `metadata[${key}]`);
      }
      // An empty value unsets the key, as in Stripe.
      return Object.fromEntries(entries.filter(([, item]) => item !== '')) as Record<string, string>;
    },
  };
  return reader;
}

/** A parameter the endpoint cannot do without: Stripe's `parameter_missing`. */
export function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw invalidRequest(`Missing required param: ${name}.`, name, 'parameter_missing');
  return value;
}
