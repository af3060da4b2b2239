/**
 * Requests made from the OpenAPI document, for the fuzz test: a value the document describes
 * (fast-check arbitraries from its JSON Schemas), then, most of the time, one thing wrong with it
 * (a wrong type, an oversized or control-character string, an unknown property, a number out of
 * range, a deep nesting, a broken percent-encoding in the path…). Reads the JSON Schema keywords
 * the document uses (a test fails on any other, so the generator never silently ignores one).
 */
import fc from 'fast-check';

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
  description?: string;
};

/** The keywords this generator reads or may ignore (annotations); any other fails the fuzz test. */
export const knownKeywords = new Set([
  '$ref',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'enum',
  'const',
  'anyOf',
  'oneOf',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'default',
  'description',
  'example',
  'examples',
  'title',
  'id',
]);

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: JsonSchema;
}

export interface OpenApiOperation {
  operationId: string;
  parameters?: OpenApiParameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  security?: unknown[];
  responses: Record<string, unknown>;
}

/** Every keyword of every schema in the document that this generator does not know. */
export function unknownKeywords(document: OpenApiDocument): string[] {
  const unknown = new Set<string>();
  const walk = (schema: JsonSchema | undefined) => {
    if (!schema || typeof schema !== 'object') return;
    for (const key of Object.keys(schema)) if (!knownKeywords.has(key)) unknown.add(key);
    for (const child of Object.values(schema.properties ?? {})) walk(child);
    if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties);
    walk(schema.items);
    for (const child of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) walk(child);
  };
  for (const schema of Object.values(document.components?.schemas ?? {})) walk(schema);
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations)) {
      for (const parameter of operation.parameters ?? []) walk(parameter.schema);
      for (const media of Object.values(operation.requestBody?.content ?? {})) walk(media.schema);
    }
  }
  return [...unknown];
}

const MARK = 'ZQXV'; // in every string the fuzzer makes up, so an echo is easy to see

/** Strings that break things: control characters, CR/LF, NUL, markup, lone surrogates, RTL marks. */
const nasty = fc.constantFrom(
  '\u0000',
  '\r\n',
  '\u001b[31m',
  '<script>alert(1)</script>',
  '\ud800',
  '\u202e',
  '%zz',
  '../../',
  `\${jndi:x}`,
  "' OR 1=1 --",
  '{{7*7}}',
  '\u0085',
  '🌿',
  'é',
);

/** A made-up string carrying the marker. */
const markedString = fc
  .tuple(fc.string({ maxLength: 12 }), nasty, fc.string({ maxLength: 12 }))
  .map(([a, b, c]) => `${a}${MARK}${b}${c}`);

/** Long strings: past every maxLength of the document, and long enough for a slow regex to show. */
const longString = fc
  .tuple(fc.constantFrom('a', ' ', '@', '.', 'a@', 'é', '\u0000', '0'), fc.integer({ min: 5_000, max: 200_000 }))
  .map(([unit, n]) => `${MARK}${unit.repeat(Math.ceil(n / unit.length))}`);

const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 2 ** 53 + 1, 1e308, -1e308, 1e-320),
  markedString,
  fc.constant([]),
  fc.constant({}),
  fc.array(markedString, { maxLength: 3 }),
  fc.dictionary(markedString, markedString, { maxKeys: 2 }),
);

/** A deep nesting: parsers and validators that recurse must not fall over. */
const deep = fc
  .integer({ min: 100, max: 3_000 })
  .map((depth) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`));

export class SchemaArbitraries {
  readonly #document: OpenApiDocument;

  constructor(document: OpenApiDocument) {
    this.#document = document;
  }

  resolve(schema: JsonSchema): JsonSchema {
    let current = schema;
    for (let i = 0; i < 20 && current.$ref; i++) {
      const name = current.$ref.replace('#/components/schemas/', '');
      const target = this.#document.components?.schemas?.[name];
      if (!target) throw new Error(`unresolved $ref ${current.$ref}`);
      current = { ...target, ...Object.fromEntries(Object.entries(current).filter(([k]) => k !== '$ref')) };
    }
    return current;
  }

  /** A value the schema accepts (as far as JSON Schema says: zod's refinements may still refuse it). */
  valid(input: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
    const schema = this.resolve(input);
    const alternatives = schema.anyOf ?? schema.oneOf;
    if (alternatives) return fc.oneof(...alternatives.map((s) => this.valid(s, depth + 1)));
    if (schema.const !== undefined) return fc.constant(schema.const);
    if (schema.enum) return fc.constantFrom(...schema.enum);
    const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
    if (types.length > 1) return fc.oneof(...types.map((type) => this.valid({ ...schema, type }, depth + 1)));
    switch (types[0]) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer':
      case 'number': {
        const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1_000);
        const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 100_000);
        return fc.integer({ min: Math.ceil(Math.max(min, -1e9)), max: Math.floor(Math.min(max, 1e9)) });
      }
      case 'string':
        return this.#validString(schema);
      case 'array': {
        const items = schema.items ? this.valid(schema.items, depth + 1) : anyJson;
        const minLength = schema.minItems ?? 0;
        return fc.array(items, { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 3, 3)) });
      }
      case 'object':
      case undefined: {
        if (!schema.properties) return fc.constant({});
        if (depth > 8) return fc.constant({});
        const required = new Set(schema.required ?? []);
        return fc.record(
          Object.fromEntries(Object.entries(schema.properties).map(([k, s]) => [k, this.valid(s, depth + 1)])),
          { requiredKeys: [...required].filter((k) => k in (schema.properties ?? {})) },
        );
      }
      default:
        throw new Error(`schema type ${types[0]} unknown to the fuzzer`);
    }
  }

  #validString(schema: JsonSchema): fc.Arbitrary<string> {
    const minLength = schema.minLength ?? 0;
    const maxLength = Math.min(schema.maxLength ?? 40, 40);
    if (schema.pattern) {
      const pattern = new RegExp(schema.pattern, 'u');
      const matching = fc.stringMatching(pattern);
      // stringMatching makes short strings: filtering them for a long minimum (a review's 20
      // characters) would spin for ever. So a long one is minLength matches joined (each at least
      // a character), kept when the whole still matches (a character class repeated, as the
      // document's text patterns are).
      const candidates =
        minLength > 1
          ? fc.array(matching, { minLength, maxLength: minLength }).map((parts) => parts.join(''))
          : matching;
      return candidates.filter(
        (s) => pattern.test(s) && s.length >= minLength && s.length <= (schema.maxLength ?? Infinity),
      );
    }
    switch (schema.format) {
      case 'email':
        return fc.emailAddress().filter((s) => s.length <= (schema.maxLength ?? 254));
      case 'date-time':
        return fc
          .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString());
      case 'date':
        return fc
          .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10));
      case 'uri':
        return fc.webUrl({ validSchemes: ['https', 'http'] });
      case 'uuid':
        return fc.uuid();
      default:
        return fc.string({ minLength, maxLength: Math.max(minLength, maxLength) });
    }
  }

  /** A value that is wrong for the schema somewhere (or, now and then, right but odd). */
  mutated(schema: JsonSchema): fc.Arbitrary<unknown> {
    return this.valid(schema).chain((value) => mutate(value));
  }
}

/** One thing wrong with a value: at its root or at a random place inside. */
export function mutate(value: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(value);
  return fc.tuple(fc.constantFrom(...paths), replacement()).map(([path, replace]) => replaceAt(value, path, replace));
}

type Replace = (old: unknown) => unknown;

function replacement(): fc.Arbitrary<Replace> {
  return fc.oneof(
    anyJson.map(
      (v): Replace =>
        () =>
          v,
    ),
    markedString.map(
      (s): Replace =>
        () =>
          s,
    ),
    longString.map(
      (s): Replace =>
        () =>
          s,
    ),
    deep.map(
      (d): Replace =>
        () =>
          d,
    ),
    fc.constantFrom(0, -1, 2 ** 53 + 1, 1e308, 0.5).map(
      (n): Replace =>
        () =>
          n,
    ),
    // An unknown property next to the real ones.
    fc.tuple(markedString, anyJson).map(
      ([k, v]): Replace =>
        (old) =>
          old && typeof old === 'object' && !Array.isArray(old) ? { ...old, [k]: v } : { [k]: v },
    ),
    // The same value with a nasty string appended (a string stays a string, near its limit).
    nasty.map(
      (n): Replace =>
        (old) =>
          typeof old === 'string' ? `${old}${MARK}${n}` : old,
    ),
  );
}

function pathsOf(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(prefix);
  if (out.length > 50) return out;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) pathsOf(v, [...prefix, i], out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  }
  return out;
}

function replaceAt(value: unknown, path: (string | number)[], replace: Replace): unknown {
  if (path.length === 0) return replace(value);
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaceAt(v, rest, replace) : v));
  const object = value as Record<string, unknown>;
  return { ...object, [head as string]: replaceAt(object[head as string], rest, replace) };
}

/** A path segment: a valid one, a made-up one, or one that breaks URL decoding. */
export function pathSegment(schemas: SchemaArbitraries, schema: JsonSchema): fc.Arbitrary<string> {
  return fc.oneof(
    schemas.valid(schema).map((v) => encodeURIComponent(String(v).toWellFormed())),
    markedString.map((s) => encodeURIComponent(s.toWellFormed())),
    fc.constantFrom('%zz', '%', '%C0%AF', '%E2%82', '..', '%2e%2e', '%00', `${MARK}%ZZ`),
    fc.integer({ min: 100, max: 8_000 }).map((n) => `${MARK}${'a'.repeat(n)}`),
  );
}

/** Every string of at least 6 characters in a value, keys included: what an answer must not echo. */
export function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.length >= 6) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) stringsIn(v, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.length >= 6) out.push(k);
      stringsIn(v, out);
    }
  }
  return out;
}

export const FUZZ_MARK = MARK;
