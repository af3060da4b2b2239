/**
 * Directives and consent choices follow their account (ADR 0018): AccountActivityObserved slides
 * their expiry with the account's; AccountDeletionRequested deletes the directive; DirectivesExecuted (from the erasure of
 * a deceased person's data) is noted on the death record.
 */
import { AccountActivityObserved, AccountDeletionRequested, DirectivesExecuted } from '#events/catalogue.ts';
import { eventHandler, eventHandlers } from '#shared/events/consumer.ts';
import { logger } from '#shared/logger.ts';
import { choicesDeps } from '../composition.ts';
import { forgetDirectiveOfDeletedAccount, noteDirectivesExecuted, slideChoices } from '../directives.ts';

const deps = choicesDeps();

export const handler = eventHandlers({
  [AccountActivityObserved.detailType]: eventHandler(AccountActivityObserved, async ({ accountId, day }) => {
    await slideChoices(deps, accountId, day);
  }),
  [AccountDeletionRequested.detailType]: eventHandler(AccountDeletionRequested, async ({ accountId }) => {
    if (await forgetDirectiveOfDeletedAccount(deps, accountId)) logger.info('Directive of a deleted account deleted');
  }),
  [DirectivesExecuted.detailType]: eventHandler(DirectivesExecuted, async ({ deathId, accountId, outcome }) => {
    const noted = await noteDirectivesExecuted(deps, accountId, outcome);
    logger.info('Directives executed', { deathId, outcome, noted });
  }),
});
