/** A party reports a message to support: a report item (one per message and reporter), then MessageReported (ids and reason). */
import { MessageReported } from '#events/catalogue.ts';
import { httpHandler } from '#shared/http/handler.ts';
import { events, messagingDeps } from '../composition.ts';
import { reportMessage as operation } from '../contract.ts';
import { type ReportDeps, reportMessage } from '../use-cases.ts';

const bus = events();
const deps: ReportDeps = {
  ...messagingDeps(),
  async reported(report) {
    await bus.publish(MessageReported, report, { correlationId: report.reportId });
  },
};

export const handler = httpHandler(operation, async ({ pathParameters, body, caller }) => ({
  status: 202,
  body: await reportMessage(deps, caller!.userId, pathParameters.conversationId, pathParameters.messageId, body.reason),
}));
