/**
 * RFC 9457 problem details. Messages name fields and rules, never the values that were sent:
 * values may be personal data, and problems end up in logs and client error trackers.
 */
import * as z from 'zod';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export type Problem = z.infer<typeof problemSchema>;
export type FieldError = { field: string; message: string };

/** An error the API answers as a problem; anything else becomes a 500 without details. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    status: number,
    title: string,
    detail?: string,
    options?: { errors?: FieldError[]; headers?: Record<string, string> },
  ) {
    super(detail ?? title);
    this.status = status;
    this.title = title;
    this.errors = options?.errors;
    this.headers = options?.headers;
  }

  toProblem(instance?: string): Problem {
    return {
      type: `https://api.monprodubienetre.fr/problems/${this.status}`,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

/**
 * The message of an issue, without what the caller sent: zod names unknown keys in its message
 * (`Unrecognized key: "…"`), and a key is input like any other (it may be an email address).
 */
function messageOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.length > 1 ? 'unknown properties' : 'unknown property';
    case 'invalid_key':
      return 'invalid key';
    default:
      return issue.message;
  }
}

/**
 * Field errors of a failed zod parse, with the path of each field: `email`, `services.0.price`.
 * Paths come from the schema's own property names and array indexes (unknown keys are reported
 * on their parent), so nothing of the input is echoed.
 */
export function fieldErrors(error: z.ZodError, prefix?: string): FieldError[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return { field: [prefix, path].filter(Boolean).join('.') || '(root)', message: messageOf(issue) };
  });
}

export function validationProblem(errors: FieldError[]): HttpProblem {
  const fields = [...new Set(errors.map((e) => e.field))];
  return new HttpProblem(400, 'Invalid request', `Invalid field${fields.length > 1 ? 's' : ''}: ${fields.join(', ')}`, {
    errors,
  });
}
