/**
 * Data exports (ADR 0018): a person asks for their data (POST /me/exports) or the DPO executes an
 * access or portability request received by post or email; the order goes out as ExportRequested;
 * every context writes its part; the last part in makes the export ready: the person is mailed
 * (or the document is mailed to the verified address of the request) and ExportReady announced.
 */
import type { Clock } from '#shared/clock.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import type { AccountResolver } from '#shared/identity/account-resolver.ts';
import type { PersonDirectory } from '#shared/identity/people.ts';
import { newId } from '#shared/ids.ts';
import type { Mailer } from '#shared/mail/mail.ts';
import type { ExportOrder, ExportStore } from '#shared/privacy/export-store.ts';
import { retentionCatalogue } from '#shared/retention/catalogue.ts';
import type { EntityDefinition } from '#shared/retention/entity.ts';
import { type SubjectKey, subjectKeyForAccount, subjectKeyForEmail } from '#shared/retention/subject.ts';
import type { DirectiveStore } from './adapters/directive-store.ts';
import type { RightsRequestStore } from './adapters/request-store.ts';
import type { DeathEvents } from './directives.ts';
import { designeeMail } from './domain/directives.ts';
import {
  documentOf,
  type ExportDocument,
  expectedParts,
  exportByMail,
  exportReadyMail,
} from './domain/export-document.ts';

export interface ExportEvents {
  requested(exportId: string): Promise<void>;
  ready(exportId: string): Promise<void>;
}

export interface ExportDeps {
  readonly store: ExportStore;
  readonly clock: Clock;
  readonly events: ExportEvents;
  /** The entity registry (functions/entities.ts): the expected parts and the README. */
  readonly entities: readonly EntityDefinition[];
}

export interface StartDeps extends ExportDeps {
  readonly people: PersonDirectory;
}

export interface DeliveryDeps extends StartDeps {
  readonly mailer: Mailer;
  /** A communication to a designee executes a deceased person's directive. */
  readonly directives: Pick<DirectiveStore, 'markExecuted'>;
  readonly deaths: Pick<DeathEvents, 'executed'>;
}

export interface RightsExportDeps extends ExportDeps {
  readonly requests: RightsRequestStore;
  readonly people: PersonDirectory;
  /** The account of an address (proven theirs: verified, or a sign-up never confirmed). */
  readonly accounts: Pick<AccountResolver, 'withEmail'>;
}

export const EXPORT_KEPT_DAYS = retentionCatalogue['data-export'].keep.days;

export interface ExportView {
  readonly exportId: string;
  readonly state: ExportOrder['state'];
  readonly requestedAt: string;
  readonly readyAt?: string;
  readonly expectedParts: readonly string[];
  readonly receivedParts: readonly string[];
  readonly document?: ExportDocument;
}

const viewOf = (order: ExportOrder): ExportView => ({
  exportId: order.exportId,
  state: order.state,
  requestedAt: order.requestedAt,
  ...(order.readyAt ? { readyAt: order.readyAt } : {}),
  expectedParts: order.expectedParts,
  receivedParts: order.receivedParts,
});

/** Creates the order and asks every context for its part (or only `parts`, for a specific directive). */
export async function startExport(
  deps: ExportDeps,
  order: Pick<ExportOrder, 'accountId' | 'subjectKeys' | 'destination'> & { parts?: readonly string[] },
): Promise<ExportOrder> {
  const now = deps.clock.now();
  const { parts, ...rest } = order;
  const all = expectedParts(deps.entities);
  const full: ExportOrder = {
    ...rest,
    exportId: newId('exp'),
    expectedParts: parts ? all.filter((part) => parts.includes(part)) : all,
    receivedParts: [],
    state: 'collecting',
    requestedAt: now.toISOString(),
  };
  await deps.store.create(full, now);
  await deps.events.requested(full.exportId);
  return full;
}

const subjectKeysOf = (accountId: string | undefined, email: string | undefined): SubjectKey[] => [
  ...(accountId ? [subjectKeyForAccount(accountId)] : []),
  ...(email ? [subjectKeyForEmail(email)] : []),
];

/** The signed-in person asks for their data: every item under their account and their current email. */
export async function requestMyExport(deps: StartDeps, accountId: string): Promise<ExportView> {
  const email = (await deps.people.identityOf(accountId))?.email;
  return viewOf(
    await startExport(deps, { accountId, subjectKeys: subjectKeysOf(accountId, email), destination: { kind: 'self' } }),
  );
}

const notFound = () => new HttpProblem(404, 'Not found', 'No export with this id');

/** The person's own export: its progress, and once ready the document. Another's is not found. */
export async function getMyExport(deps: ExportDeps, accountId: string, exportId: string): Promise<ExportView> {
  const order = await deps.store.order(exportId, deps.clock.now());
  if (!order || order.accountId !== accountId || order.destination.kind !== 'self') throw notFound();
  if (order.state !== 'ready') return viewOf(order);
  return { ...viewOf(order), document: documentOf(deps.entities, order, await deps.store.parts(exportId)) };
}

/** A part is in: the last one makes the export ready and delivers it, once. */
export async function collectExportPart(
  deps: DeliveryDeps,
  exportId: string,
  part: string,
): Promise<'gone' | 'waiting' | 'delivered' | 'delivered-already'> {
  const order = await deps.store.markReceived(exportId, part);
  if (!order) return 'gone';
  if (!order.expectedParts.every((p) => order.receivedParts.includes(p))) return 'waiting';
  const readyAt = deps.clock.now();
  if (order.state === 'ready' || !(await deps.store.markReady(exportId, readyAt))) return 'delivered-already';
  const destination = order.destination;
  if (destination.kind === 'self') {
    const email = order.accountId ? (await deps.people.identityOf(order.accountId))?.email : undefined;
    if (email) await deps.mailer.send(exportReadyMail(email, exportId, EXPORT_KEPT_DAYS));
  } else {
    const document = documentOf(
      deps.entities,
      { ...order, readyAt: readyAt.toISOString() },
      await deps.store.parts(exportId),
    );
    if (destination.kind === 'rights-request') {
      await deps.mailer.send(exportByMail(destination.email, destination.requestId, document));
    } else {
      await deps.mailer.send(designeeMail(destination.email, destination.deathId, JSON.stringify(document, null, 2)));
    }
  }
  await deps.events.ready(exportId);
  if (destination.kind === 'designee' && order.accountId) {
    if (await deps.directives.markExecuted(order.accountId, 'communicated', readyAt)) {
      await deps.deaths.executed(destination.deathId, order.accountId, 'communicated');
    }
  }
  return 'delivered';
}

/**
 * The DPO executes an access or portability request received by post or email, its identity
 * verified: the subject's data (their account's, found from the email, and the email's own) is
 * exported and mailed to the verified address (the request's, or the account's).
 */
export async function exportForRightsRequest(
  deps: RightsExportDeps,
  requestId: string,
): Promise<ExportView & { requestId: string }> {
  const found = await deps.requests.get(requestId, deps.clock.now());
  if (!found) throw new HttpProblem(404, 'Not found', 'No rights request with this id');
  const request = found.value;
  if (request.answer) throw new HttpProblem(409, 'Conflict', 'The request is answered already');
  if (request.type !== 'access' && request.type !== 'portability') {
    throw new HttpProblem(409, 'Conflict', 'Only an access or portability request is answered with an export');
  }
  if (!request.identity?.verified) throw new HttpProblem(409, 'Conflict', "The subject's identity is not verified");
  const accountId =
    request.subject.accountId ??
    (request.subject.email ? (await deps.accounts.withEmail(request.subject.email))[0] : undefined);
  const accountEmail = accountId ? (await deps.people.identityOf(accountId))?.email : undefined;
  const to = request.subject.email ?? accountEmail;
  if (!to) throw new HttpProblem(409, 'Conflict', 'No address to send the export to: the account has no user any more');
  const emails = [...new Set([request.subject.email, accountEmail].filter((e): e is string => Boolean(e)))];
  const order = await startExport(deps, {
    ...(accountId ? { accountId } : {}),
    subjectKeys: [...new Set([...subjectKeysOf(accountId, undefined), ...emails.map(subjectKeyForEmail)])],
    destination: { kind: 'rights-request', requestId, email: to },
  });
  return { ...viewOf(order), requestId };
}
