/**
 * The route table: every HTTP route of the API, once. API Gateway (infra/constructs/api.ts), the
 * local gateway (local/gateway.ts) and the OpenAPI document (shared/http/openapi.ts) are all
 * built from it. A route names its operation contract, the function that serves it and who may
 * call it.
 */

import { type Access, type Operation, publicAccess } from '#shared/http/contract.ts';
import type { FunctionName } from './catalogue.ts';
import * as contact from './contact/contract.ts';
import * as platform from './platform/contract.ts';
import * as practitioners from './practitioners/contract.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route {
  readonly method: HttpMethod;
  /** API Gateway style: `/practitioners/{practitionerId}`. */
  readonly path: string;
  readonly operation: Operation;
  readonly function: FunctionName;
  readonly access: Access;
}

export const routes: readonly Route[] = [
  { method: 'GET', path: '/health', operation: platform.getHealth, function: 'getHealth', access: publicAccess },
  {
    method: 'POST',
    path: '/contact',
    operation: contact.submitContactRequest,
    function: 'submitContactRequest',
    access: publicAccess,
  },
  {
    method: 'GET',
    path: '/practitioners',
    operation: practitioners.listPractitioners,
    function: 'listPractitioners',
    access: publicAccess,
  },
];
