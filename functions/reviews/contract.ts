/**
 * The reviews context's published contract (the route table imports it): the operations of each
 * part, declared in ./contracts/.
 */
export * from './contracts/moderation.ts';
export * from './contracts/reports.ts';
export * from './contracts/reviews.ts';
export * from './contracts/summary.ts';
