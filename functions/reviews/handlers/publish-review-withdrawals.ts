/**
 * The outbox's deletions: the reviews table's REMOVE records (a deletion has no new image to filter
 * on, so every REMOVE of the table comes: functions/streams.ts). The same handler as the changes'
 * (./publish-review-events.ts): the deletion of a review item becomes ReviewWithdrawn, any other
 * item is skipped. A function of its own: one stream mapping per function and table.
 */
export { handler } from './publish-review-events.ts';
