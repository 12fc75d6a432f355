/**
 * Events topic on which Segments publishes membership changes after each run:
 * `{ segmentId, segmentName, executionId, resultId, added, removed, batch, batches, addedIds, removedIds }`
 * with at most 1,000 customer ids per event (several events for larger changes).
 * @public
 */
export const SEGMENTS_MEMBERSHIP_CHANGED_TOPIC = 'segments.membership.changed';

/**
 * Events topic other plugins publish to when customer data changed elsewhere
 * (e.g. the CRM): `{ customerIds: string[] }`. Segments re-evaluates those
 * customers for every active segment within the configured delay.
 * @public
 */
export const SEGMENTS_CUSTOMER_CHANGED_TOPIC = 'segments.customer.changed';

/**
 * Signals channel with live progress of executions:
 * `{ executionId, segmentRuleId?, status, processed, total }`.
 * @public
 */
export const SEGMENTS_EXECUTION_SIGNAL_CHANNEL = 'segments:execution';
