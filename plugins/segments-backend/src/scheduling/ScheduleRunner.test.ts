import { mockServices } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { DatabaseRuleStore } from '../database/RuleStore';
import { migrateDatabase } from '../database/migrateDatabase';
import { databases } from '../__testUtils__/testBackend';
import { ScheduleRunner } from './ScheduleRunner';

jest.setTimeout(60_000);

describe.each(databases.eachSupportedId())('ScheduleRunner on %s', databaseId => {
  it('fires each scheduled segment once per due time, with a controllable clock', async () => {
    const knex = await databases.init(databaseId);
    await migrateDatabase(knex);
    const rules = DatabaseRuleStore.create({ database: knex });
    const condition = { field: 'country', operator: 'eq' as const, value: 'TW', dataType: 'string' as const };
    const daily = await rules.createRule(
      {
        name: 'daily',
        status: 'active',
        logicalOperator: 'AND',
        conditions: [condition],
        schedule: { frequency: 'daily', time: '02:00', timezone: 'Asia/Taipei' },
      },
      'user:default/test',
    );
    await rules.createRule({ name: 'unscheduled', status: 'active', logicalOperator: 'AND', conditions: [condition] }, 'x');
    await rules.createRule(
      {
        name: 'inactive',
        status: 'inactive',
        logicalOperator: 'AND',
        conditions: [condition],
        schedule: { frequency: 'daily', time: '02:00', timezone: 'Asia/Taipei' },
      },
      'x',
    );
    const requested: Array<{ segmentRuleId?: string; asOf: number }> = [];
    let busy = false;
    const requester = {
      async requestExecution(o: { segmentRuleId?: string; asOf: number; createdBy: string }) {
        if (busy) throw new ConflictError('already running');
        requested.push(o);
        return `exec-${requested.length}`;
      },
    };
    const runner = ScheduleRunner.create({ database: knex, rules, requester, logger: mockServices.logger.mock() });
    const t = (iso: string) => Date.parse(iso);

    expect(await runner.tick(t('2026-03-01T10:00:00Z'))).toEqual([]); // first sight: next run 18:00Z
    expect(await runner.tick(t('2026-03-01T17:59:00Z'))).toEqual([]);
    expect(await runner.tick(t('2026-03-01T18:00:30Z'))).toEqual(['exec-1']);
    expect(await runner.tick(t('2026-03-01T18:01:30Z'))).toEqual([]); // not twice
    expect(requested).toEqual([{ segmentRuleId: daily.id, asOf: t('2026-03-01T18:00:30Z'), createdBy: 'scheduler' }]);

    busy = true; // a run of this segment is going at the next due time: skipped, not retried every minute
    expect(await runner.tick(t('2026-03-02T18:00:10Z'))).toEqual([]);
    busy = false;
    expect(await runner.tick(t('2026-03-02T18:01:10Z'))).toEqual([]);
    expect(await runner.tick(t('2026-03-03T18:00:05Z'))).toEqual(['exec-2']);

    // A changed schedule is picked up: weekly on Mondays at 09:00 Taipei.
    await rules.updateRule(daily.id, {
      name: 'daily',
      status: 'active',
      logicalOperator: 'AND',
      conditions: [condition],
      schedule: { frequency: 'weekly', time: '09:00', timezone: 'Asia/Taipei', dayOfWeek: 1 },
    });
    expect(await runner.tick(t('2026-03-04T00:00:00Z'))).toEqual([]);
    expect(await runner.tick(t('2026-03-04T18:00:00Z'))).toEqual([]); // old daily time no longer fires
    expect(await runner.tick(t('2026-03-09T01:00:00Z'))).toEqual(['exec-3']); // Monday 09:00 +08:00
  });
});
