/**
 * Who is calling, from the claims API Gateway's Cognito authorizer verified
 * (requestContext.authorizer.claims, every value a string), and whether the operation's access
 * lets them in. API Gateway checks the token; this checks the role, for every route, so that no
 * handler can forget it.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type Access, type Role, roles } from './contract.ts';
import { HttpProblem } from './problem.ts';

export interface Caller {
  /** The Cognito user's stable id (sub). */
  readonly userId: string;
  readonly roles: readonly Role[];
}

/**
 * Groups arrive as a string whose format API Gateway does not document: seen as
 * "a,b", "[a b]" and "[a, b]". All three are read; unknown groups are ignored.
 */
export function parseGroups(value: string | undefined): Role[] {
  if (!value) return [];
  const names = value
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
  return roles.filter((role) => names.includes(role));
}

export function callerFrom(event: Pick<APIGatewayProxyEvent, 'requestContext'>): Caller | undefined {
  const claims = event.requestContext?.authorizer?.claims as Record<string, string> | undefined;
  if (!claims?.sub) return undefined;
  return { userId: claims.sub, roles: parseGroups(claims['cognito:groups']) };
}

/** Throws the problem the caller gets when the operation's access does not let them in. */
export function authorize(access: Access, caller: Caller | undefined): void {
  if (access.kind === 'public') return;
  if (!caller) throw new HttpProblem(401, 'Unauthorized', 'Sign in to use this route');
  if (access.kind === 'role' && !access.roles.some((role) => caller.roles.includes(role))) {
    throw new HttpProblem(403, 'Forbidden', `This route is reserved to: ${access.roles.join(', ')}`);
  }
}
