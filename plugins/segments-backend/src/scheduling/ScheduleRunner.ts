import { LoggerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import { Knex } from 'knex';
import { RuleStore } from '../database/RuleStore';
import { num } from '../database/util';
import { nextRunAt } from './nextRunAt';

/** Starts executions; the SegmentService in production. */
export interface ExecutionRequester {
  requestExecution(options: { segmentRuleId?: string; asOf: number; createdBy: string }): Promise<string>;
}

/**
 * Fires the runs of scheduled segments. `tick(now)` is called every minute by
 * the plugin's global scheduler task (one instance in a cluster) and takes the
 * time as an argument so tests can drive the clock.
 */
export class ScheduleRunner {
  private constructor(
    private readonly db: Knex,
    private readonly rules: RuleStore,
    private readonly requester: ExecutionRequester,
    private readonly logger: LoggerService,
  ) {}

  static create(options: { database: Knex; rules: RuleStore; requester: ExecutionRequester; logger: LoggerService }) {
    return new ScheduleRunner(options.database, options.rules, options.requester, options.logger);
  }

  /** Starts every due run; returns the execution ids started. */
  async tick(now: number): Promise<string[]> {
    const scheduled = (await this.rules.listActiveRules()).filter(r => r.schedule);
    const states = new Map(
      (await this.db('segment_schedule_state').select()).map(s => [s.segment_rule_id as string, s]),
    );
    const started: string[] = [];
    for (const rule of scheduled) {
      const scheduleJson = JSON.stringify(rule.schedule);
      const state = states.get(rule.id);
      if (!state || state.schedule_json !== scheduleJson) {
        await this.db('segment_schedule_state')
          .insert({ segment_rule_id: rule.id, schedule_json: scheduleJson, next_run_at: nextRunAt(rule.schedule!, now) })
          .onConflict('segment_rule_id')
          .merge(['schedule_json', 'next_run_at']);
        continue;
      }
      if (num(state.next_run_at) > now) continue;
      let executionId: string | undefined;
      try {
        executionId = await this.requester.requestExecution({ segmentRuleId: rule.id, asOf: now, createdBy: 'scheduler' });
        started.push(executionId);
      } catch (error) {
        // A run already covering this segment makes it fresh: skip this occurrence.
        if (!(isError(error) && error.name === 'ConflictError')) throw error;
        this.logger.info(`Scheduled run of segment ${rule.id} skipped: ${error.message}`);
      }
      await this.db('segment_schedule_state')
        .where({ segment_rule_id: rule.id })
        .update({
          next_run_at: nextRunAt(rule.schedule!, now),
          last_run_at: now,
          ...(executionId ? { last_execution_id: executionId } : {}),
        });
    }
    return started;
  }
}
