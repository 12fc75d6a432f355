import { LoggerService } from '@backstage/backend-plugin-api';
import { EventsService } from '@backstage/plugin-events-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  SEGMENTS_EXECUTION_SIGNAL_CHANNEL,
  SEGMENTS_MEMBERSHIP_CHANGED_TOPIC,
  SegmentRule,
} from '@internal/plugin-segments-common';
import { Knex } from 'knex';
import { ExecutionObserver } from '../engine/ExecutionObserver';

const ID_BATCH = 1000;

/**
 * Tells the portal about runs: live progress over signals, notifications to
 * segment owners when a run fails or changes a segment a lot, and membership
 * change events with the customer ids for other plugins.
 */
export class ExecutionNotifier implements ExecutionObserver {
  private constructor(
    private readonly db: Knex,
    private readonly logger: LoggerService,
    private readonly options: {
      signals?: SignalsService;
      notifications?: NotificationService;
      events?: EventsService;
      /** Share of the previous member count (0..1) above which owners are notified. */
      changeThreshold: number;
    },
  ) {}

  static create(options: {
    database: Knex;
    logger: LoggerService;
    signals?: SignalsService;
    notifications?: NotificationService;
    events?: EventsService;
    changeThreshold?: number;
  }) {
    return new ExecutionNotifier(options.database, options.logger, {
      ...options,
      changeThreshold: options.changeThreshold ?? 0.2,
    });
  }

  async onProgress(event: Parameters<NonNullable<ExecutionObserver['onProgress']>>[0]) {
    await this.options.signals?.publish({
      recipients: { type: 'broadcast' },
      channel: SEGMENTS_EXECUTION_SIGNAL_CHANNEL,
      message: event,
    });
  }

  async onSegmentResult({ executionId, rule, step }: Parameters<NonNullable<ExecutionObserver['onSegmentResult']>>[0]) {
    if (!step.resultId || step.added + step.removed === 0) return;
    const share = step.previousCount > 0 ? (step.added + step.removed) / step.previousCount : undefined;
    if (share !== undefined && share > this.options.changeThreshold) {
      await this.notifyOwner(rule, {
        title: `Segment "${rule.name}" changed by ${Math.round(share * 100)}%`,
        description: `+${step.added} / -${step.removed} members (${step.previousCount} → ${step.customerCount}).`,
        severity: 'normal',
        topic: 'segments.membership.changed',
      });
    }
    if (this.options.events) await this.publishChanges(executionId, rule, step.resultId, step.seq, step);
  }

  async onFinished({ status, error, segments, willRetry }: Parameters<NonNullable<ExecutionObserver['onFinished']>>[0]) {
    if (status !== 'failed' || willRetry) return;
    for (const rule of segments) {
      await this.notifyOwner(rule, {
        title: `Segment "${rule.name}" failed to run`,
        description: error ?? 'The run failed; see its execution log.',
        severity: 'high',
        topic: 'segments.execution.failed',
      });
    }
  }

  private async notifyOwner(
    rule: SegmentRule,
    payload: { title: string; description: string; severity: 'high' | 'normal'; topic: string },
  ) {
    if (!this.options.notifications || !/^(user|group):/.test(rule.createdBy)) return;
    await this.options.notifications.send({
      recipients: { type: 'entity', entityRef: rule.createdBy },
      payload: { ...payload, link: `/segments/${rule.id}` },
    });
  }

  /** Publishes added and removed customer ids in batches of at most 1,000. */
  private async publishChanges(
    executionId: string,
    rule: SegmentRule,
    resultId: string,
    seq: number,
    step: { added: number; removed: number },
  ) {
    const batches = Math.max(1, Math.ceil(Math.max(step.added, step.removed) / ID_BATCH));
    for (let batch = 0; batch < batches; batch++) {
      const ids = (column: 'from_seq' | 'to_seq') =>
        this.db('segment_memberships')
          .where({ segment_rule_id: rule.id, [column]: seq })
          .orderBy('customer_id')
          .limit(ID_BATCH)
          .offset(batch * ID_BATCH)
          .pluck('customer_id');
      await this.options.events!.publish({
        topic: SEGMENTS_MEMBERSHIP_CHANGED_TOPIC,
        eventPayload: {
          segmentId: rule.id,
          segmentName: rule.name,
          executionId,
          resultId,
          added: step.added,
          removed: step.removed,
          batch: batch + 1,
          batches,
          addedIds: await ids('from_seq'),
          removedIds: await ids('to_seq'),
        },
      });
    }
    this.logger.debug(`Published ${batches} membership event(s) for segment ${rule.id}`);
  }
}
