import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import { databases } from '../__testUtils__/testBackend';
import { migrateDatabase } from '../database/migrateDatabase';
import { pruneAudit, readAuditRetentionDays, scheduleAuditPrune } from './auditPruneTask';
import { DatabaseAuditStore, NewAuditRecord } from './AuditStore';

jest.setTimeout(60_000);

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2026-11-25T12:00:00Z');

const record = (overrides: Partial<NewAuditRecord>): NewAuditRecord => ({
  at: NOW,
  actor: 'user:default/ada',
  actorType: 'user',
  action: 'rule-update',
  severity: 'medium',
  targetType: 'rule',
  targetId: 'r1',
  outcome: 'success',
  status: 200,
  requestId: 'req-1',
  method: 'PUT',
  path: '/api/segments/rules/r1',
  ...overrides,
});

describe.each(databases.eachSupportedId())('audit store on %s', databaseId => {
  it('stores records and lists them filtered, newest first, paged', async () => {
    const knex = await databases.init(databaseId);
    await migrateDatabase(knex);
    const store = DatabaseAuditStore.create({ database: knex });
    await store.record(record({ at: NOW - 3 * DAY, requestId: 'a', meta: { children: 'delete' } }));
    await store.record(record({ at: NOW - 2 * DAY, actor: 'user:default/eddie', outcome: 'denied', status: 403, requestId: 'b' }));
    await store.record(record({ at: NOW - DAY, action: 'members-read', severity: 'low', targetType: 'result', targetId: 'res1', requestId: 'c' }));
    await store.record(record({ at: NOW, actor: 'external:segments-api-client', actorType: 'service', action: 'customer-ingest', targetType: undefined, targetId: undefined, meta: { count: 3 }, requestId: 'd' }));

    const all = await store.list({ limit: 10, offset: 0 });
    expect(all.totalCount).toBe(4);
    expect(all.items.map(i => i.requestId)).toEqual(['d', 'c', 'b', 'a']);
    expect(all.items[3]).toEqual({
      id: expect.any(String),
      at: new Date(NOW - 3 * DAY).toISOString(),
      actor: 'user:default/ada',
      actorType: 'user',
      action: 'rule-update',
      severity: 'medium',
      targetType: 'rule',
      targetId: 'r1',
      outcome: 'success',
      status: 200,
      requestId: 'a',
      method: 'PUT',
      path: '/api/segments/rules/r1',
      meta: { children: 'delete' },
    });
    expect(all.items[0]).toMatchObject({ actorType: 'service', meta: { count: 3 } });
    expect(all.items[0].targetId).toBeUndefined();

    const ids = async (o: object) => (await store.list({ limit: 10, offset: 0, ...o })).items.map(i => i.requestId);
    expect(await ids({ actor: 'user:default/eddie' })).toEqual(['b']);
    expect(await ids({ action: ['members-read', 'customer-ingest'] })).toEqual(['d', 'c']);
    expect(await ids({ outcome: 'denied' })).toEqual(['b']);
    expect(await ids({ targetType: 'result', targetId: 'res1' })).toEqual(['c']);
    expect(await ids({ from: NOW - 2 * DAY, to: NOW })).toEqual(['c', 'b']);
    const page = await store.list({ limit: 2, offset: 1 });
    expect(page.items.map(i => i.requestId)).toEqual(['c', 'b']);
    expect(page.totalCount).toBe(4);
  });

  it('clips long values and drops NUL characters instead of failing', async () => {
    const knex = await databases.init(databaseId);
    await migrateDatabase(knex);
    const store = DatabaseAuditStore.create({ database: knex });
    await store.record(record({ targetId: `x\u0000${'y'.repeat(1000)}`, path: `/p/${'z'.repeat(2000)}`, meta: { big: 'm'.repeat(5000) } }));
    const [item] = (await store.list({ limit: 1, offset: 0 })).items;
    expect(item.targetId).toHaveLength(255);
    expect(item.targetId).not.toContain('\u0000');
    expect(item.path).toHaveLength(500);
    expect(item.meta).toEqual({ truncated: true });
  });

  it('prunes records older than the retention', async () => {
    const knex = await databases.init(databaseId);
    await migrateDatabase(knex);
    const store = DatabaseAuditStore.create({ database: knex });
    for (const days of [120, 91, 89, 1]) await store.record(record({ at: NOW - days * DAY, requestId: `d${days}` }));
    expect(await pruneAudit({ store, retentionDays: 90, now: NOW })).toBe(2);
    expect((await store.list({ limit: 10, offset: 0 })).items.map(i => i.requestId)).toEqual(['d1', 'd89']);
    expect(await pruneAudit({ store, retentionDays: 30, now: NOW })).toBe(1);
  });
});

describe('audit retention', () => {
  it('defaults to 90 days and refuses nonsense', () => {
    expect(readAuditRetentionDays(new ConfigReader({}))).toBe(90);
    expect(readAuditRetentionDays(new ConfigReader({ segments: { audit: { retentionDays: 30 } } }))).toBe(30);
    expect(() => readAuditRetentionDays(new ConfigReader({ segments: { audit: { retentionDays: 0 } } }))).toThrow();
    expect(() => readAuditRetentionDays(new ConfigReader({ segments: { audit: { retentionDays: 1.5 } } }))).toThrow();
  });

  it('schedules a daily global prune task with the configured retention', async () => {
    const scheduler = mockServices.scheduler.mock();
    const store = { record: jest.fn(), list: jest.fn(), prune: jest.fn(async () => 7) };
    await scheduleAuditPrune({
      scheduler,
      store,
      config: new ConfigReader({ segments: { audit: { retentionDays: 10 } } }),
      logger: mockServices.logger.mock(),
    });
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'segments-audit-prune', frequency: { hours: 24 }, scope: 'global' }),
    );
    const { fn } = (scheduler.scheduleTask as jest.Mock).mock.calls[0][0];
    const before = Date.now();
    await fn(new AbortController().signal);
    const cutoff = (store.prune.mock.calls[0] as any)[0] as number;
    expect(cutoff).toBeGreaterThanOrEqual(before - 10 * DAY);
    expect(cutoff).toBeLessThanOrEqual(Date.now() - 10 * DAY);
  });
});
