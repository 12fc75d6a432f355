import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  SEGMENTS_EXECUTION_SIGNAL_CHANNEL,
  SEGMENTS_MEMBERSHIP_CHANGED_TOPIC,
  SegmentRule,
} from '@internal/plugin-segments-common';
import { migrateDatabase } from '../database/migrateDatabase';
import { ExecutionNotifier } from './ExecutionNotifier';

const rule = (createdBy: string): SegmentRule => ({
  id: 'seg-1',
  name: 'VIP',
  description: '',
  status: 'active',
  priority: 1,
  conditions: [],
  logicalOperator: 'AND',
  createdBy,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
});

describe('ExecutionNotifier', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  async function setup(changeThreshold?: number) {
    const knex = await databases.init('SQLITE_3');
    await migrateDatabase(knex);
    // Segment seq 2: 2,500 customers joined, 3 left.
    const joined = Array.from({ length: 2500 }, (_, i) => ({ segment_rule_id: 'seg-1', customer_id: `n${String(i).padStart(4, '0')}`, from_seq: 2 }));
    for (let i = 0; i < joined.length; i += 500) await knex('segment_memberships').insert(joined.slice(i, i + 500));
    await knex('segment_memberships').insert(['o1', 'o2', 'o3'].map(c => ({ segment_rule_id: 'seg-1', customer_id: c, from_seq: 1, to_seq: 2 })));
    const signals = { publish: jest.fn() };
    const notifications = { send: jest.fn() };
    const events = { publish: jest.fn(), subscribe: jest.fn() };
    const notifier = ExecutionNotifier.create({
      database: knex,
      logger: mockServices.logger.mock(),
      signals: signals as any,
      notifications: notifications as any,
      events: events as any,
      changeThreshold,
    });
    return { notifier, signals, notifications, events };
  }

  it('publishes progress on the signal channel', async () => {
    const { notifier, signals } = await setup();
    const event = { executionId: 'e1', status: 'running' as const, processed: 1, total: 4 };
    await notifier.onProgress(event);
    expect(signals.publish).toHaveBeenCalledWith({ recipients: { type: 'broadcast' }, channel: SEGMENTS_EXECUTION_SIGNAL_CHANNEL, message: event });
  });

  it('publishes membership changes in batches of at most 1,000 ids and notifies the owner of a large change', async () => {
    const { notifier, events, notifications } = await setup();
    const step = { resultId: 'res-2', seq: 2, customerCount: 2600, previousCount: 103, added: 2500, removed: 3 };
    await notifier.onSegmentResult({ executionId: 'e1', rule: rule('user:default/alice'), step });
    const payloads = events.publish.mock.calls.map(c => c[0]);
    expect(payloads.map(p => p.topic)).toEqual(Array(3).fill(SEGMENTS_MEMBERSHIP_CHANGED_TOPIC));
    expect(payloads.map(p => [p.eventPayload.batch, p.eventPayload.batches, p.eventPayload.addedIds.length, p.eventPayload.removedIds.length])).toEqual([
      [1, 3, 1000, 3],
      [2, 3, 1000, 0],
      [3, 3, 500, 0],
    ]);
    const allAdded = payloads.flatMap(p => p.eventPayload.addedIds);
    expect(new Set(allAdded).size).toBe(2500);
    expect(payloads[0].eventPayload).toMatchObject({ segmentId: 'seg-1', executionId: 'e1', resultId: 'res-2', added: 2500, removed: 3 });
    expect(notifications.send).toHaveBeenCalledWith({
      recipients: { type: 'entity', entityRef: 'user:default/alice' },
      payload: expect.objectContaining({ title: expect.stringContaining('VIP'), link: '/segments/seg-1', severity: 'normal' }),
    });
  });

  it('does not notify for a change under the threshold, a first run, or an owner that is not an entity', async () => {
    const { notifier, notifications } = await setup(0.5);
    const base = { resultId: 'r', seq: 2, customerCount: 100, added: 10, removed: 3 };
    await notifier.onSegmentResult({ executionId: 'e', rule: rule('user:default/a'), step: { ...base, previousCount: 100 } });
    await notifier.onSegmentResult({ executionId: 'e', rule: rule('user:default/a'), step: { ...base, previousCount: 0 } });
    await notifier.onSegmentResult({ executionId: 'e', rule: rule('segments-api-client'), step: { ...base, previousCount: 5 } });
    expect(notifications.send).not.toHaveBeenCalled();
  });

  it('notifies owners when a run finally fails, not while it will be retried', async () => {
    const { notifier, notifications } = await setup();
    const end = { executionId: 'e', status: 'failed' as const, error: 'boom', segments: [rule('user:default/bob')] };
    await notifier.onFinished({ ...end, willRetry: true });
    expect(notifications.send).not.toHaveBeenCalled();
    await notifier.onFinished({ ...end, willRetry: false });
    expect(notifications.send).toHaveBeenCalledWith({
      recipients: { type: 'entity', entityRef: 'user:default/bob' },
      payload: expect.objectContaining({ severity: 'high', description: 'boom' }),
    });
  });
});
