import { Knex } from 'knex';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ExecutionStatus,
  PreviewEstimate,
  SegmentRule,
} from '@internal/plugin-segments-common';
import { PersonalDataCodec } from '../crypto/PersonalDataCodec';
import { ExecutionStore } from '../database/ExecutionStore';
import { RuleStore } from '../database/RuleStore';
import { dialectOf, num } from '../database/util';
import { compileRule, RuleLevel } from './compileRule';
import { countMissing } from './countMissing';
import { ExecutionObserver } from './ExecutionObserver';
import { CUSTOMER_COLUMNS, featureRelation } from './featureRelation';
import { ancestry } from './hierarchy';
import {
  MembershipWriter,
  round2,
  SegmentStepResult,
} from './MembershipWriter';
import { rowsOf } from './rowsOf';
import { describeError, isDatabaseFault, runErrorMessage } from './runErrors';
import { SAMPLE_BUCKETS } from './sampleBucket';
import {
  deleteSliced,
  forEachChunk,
  forEachKeyRange,
  KeyRange,
  slicingOptions,
} from './slicing';
import { ALL_AGGREGATES, Dialect } from './types';

/** A customer shown in previews and member lists. */
export interface CustomerSample {
  id: string;
  name?: string;
  country?: string;
  tier?: string;
  totalSpent: number;
}

/** Answer of a preview. */
export interface PreviewResult {
  /** Exact count, or the estimate from a sample when `exact` is false. */
  estimatedCount: number;
  exact: boolean;
  estimate?: PreviewEstimate;
  totalCustomers: number;
  sample: CustomerSample[];
  durationMs: number;
}

/** When previews sample instead of counting every customer. */
export interface PreviewSampling {
  /** Previews count exactly up to this many customers (default 200,000). */
  above: number;
  /** Customers a sampled preview evaluates the rule on, about (default 20,000). */
  size: number;
}

const SAMPLE_SIZE = 20;

/**
 * Evaluates segments inside the database: previews, and executions that
 * compute features once, evaluate every segment of the run against them and
 * merge the members into memberships with set-based diffs.
 */
export class SegmentEngine {
  private readonly dialect: Dialect;
  private readonly writer: MembershipWriter;
  private readonly observers: ExecutionObserver[] = [];
  private personalData?: PersonalDataCodec;
  private sampling: PreviewSampling = { above: 200_000, size: 20_000 };

  private constructor(
    private readonly db: Knex,
    private readonly rules: RuleStore,
    private readonly executions: ExecutionStore,
    private readonly logger: LoggerService,
    retention: number,
  ) {
    this.dialect = dialectOf(db);
    this.writer = new MembershipWriter(db, retention, this.dialect === 'pg');
  }

  static create(options: {
    database: Knex;
    rules: RuleStore;
    executions: ExecutionStore;
    logger: LoggerService;
    /** Results kept per segment. */
    retention?: number;
    /** Decrypts customer names for samples; without it samples carry no names. */
    personalData?: PersonalDataCodec;
    /** When previews of large customer bases sample (segments.preview). */
    sampling?: Partial<PreviewSampling>;
  }) {
    const engine = new SegmentEngine(
      options.database,
      options.rules,
      options.executions,
      options.logger,
      options.retention ?? 50,
    );
    engine.personalData = options.personalData;
    engine.sampling = {
      above: options.sampling?.above ?? engine.sampling.above,
      size: options.sampling?.size ?? engine.sampling.size,
    };
    return engine;
  }

  /** Adds a listener for progress, segment results and run ends (signals, notifications, events). */
  addObserver(observer: ExecutionObserver) {
    this.observers.push(observer);
  }

  /** The hierarchy levels (root first) whose conditions a rule's members must meet. */
  async levelsFor(
    rule: RuleLevel & { parentSegmentId?: string },
  ): Promise<RuleLevel[]> {
    if (!rule.parentSegmentId) return [rule];
    const parents = await this.rules.getParents();
    const chain = ancestry(rule.parentSegmentId, parents);
    const byId = new Map(
      (await this.rules.getRules(chain)).map(r => [r.id, r]),
    );
    return [...chain.map(id => byId.get(id)!).filter(Boolean), rule];
  }

  /**
   * Counts the customers a rule would select at `asOf`, with the first 20 by
   * id. Above `sampling.above` customers (unless `exact`), the rule runs on the
   * customers of the first sample buckets only (about `sampling.size`) and
   * the count is scaled up with a 95% interval; a rule no sampled customer
   * meets is counted exactly, so that "no customer matches" is true.
   */
  async preview(options: {
    levels: RuleLevel[];
    asOf: number;
    exact?: boolean;
  }): Promise<PreviewResult> {
    const started = Date.now();
    const [{ n: all }] = await this.db('customers').count({ n: '*' });
    const totalCustomers = num(all);
    const buckets = options.exact
      ? undefined
      : this.sampleBucketsFor(totalCustomers);
    let found = await this.match(options.levels, options.asOf, buckets);
    let estimatedCount = found.count;
    let estimate: PreviewEstimate | undefined;
    if (buckets !== undefined && found.count > 0) {
      const [{ n }] = await this.db('customers')
        .where('sample_bucket', '<', buckets)
        .count({ n: '*' });
      const sampled = num(n);
      estimate = estimateCount(found.count, sampled, totalCustomers);
      estimatedCount = Math.round((found.count / sampled) * totalCustomers);
    } else if (buckets !== undefined) {
      found = await this.match(options.levels, options.asOf, undefined);
      estimatedCount = found.count;
    }
    return {
      estimatedCount,
      exact: !estimate,
      ...(estimate ? { estimate } : {}),
      totalCustomers,
      sample: await this.describeCustomers(found.ids, options.asOf),
      durationMs: Date.now() - started,
    };
  }

  /** Sample buckets a preview over this many customers reads, or undefined to count them all. */
  private sampleBucketsFor(totalCustomers: number): number | undefined {
    if (totalCustomers <= this.sampling.above) return undefined;
    const buckets = Math.ceil(
      (SAMPLE_BUCKETS * this.sampling.size) / totalCustomers,
    );
    return buckets >= SAMPLE_BUCKETS ? undefined : buckets;
  }

  /** How many customers (of the sample buckets, if given) meet the levels, and the first few ids. */
  private async match(
    levels: RuleLevel[],
    asOf: number,
    sampleBuckets: number | undefined,
  ) {
    const pred = compileRule({
      dialect: this.dialect,
      asOf,
      levels,
      sampleBuckets,
    });
    const rel = featureRelation({
      dialect: this.dialect,
      asOf,
      aggregates: pred.aggregates,
      sampleBuckets,
    });
    const query = (db: Knex) =>
      db.raw(
        `SELECT f.customer_id, COUNT(*) OVER () AS total FROM (${rel.sql}) f WHERE ${pred.sql} ORDER BY f.customer_id LIMIT ${SAMPLE_SIZE}`,
        [...rel.bindings, ...pred.bindings],
      );
    const answer =
      this.dialect === 'pg' && sampleBuckets !== undefined
        ? await this.db.transaction(async tx => {
            // Estimates of the sample's rows are poor; hash joins over a sample are always cheap,
            // a nested loop over a misjudged one is not.
            await tx.raw('SET LOCAL enable_nestloop = off');
            return query(tx);
          })
        : await query(this.db);
    const rows = rowsOf(answer);
    return {
      count: rows.length ? num(rows[0].total) : 0,
      ids: rows.map(r => r.customer_id as string),
    };
  }

  /** Name, country, tier and total spent of a few customers, in the given order. */
  async describeCustomers(
    ids: string[],
    asOf: number,
  ): Promise<CustomerSample[]> {
    if (!ids.length) return [];
    const rel = featureRelation({
      dialect: this.dialect,
      asOf,
      aggregates: ['total_spent'],
      customerIds: ids,
    });
    const rows = rowsOf(
      await this.db.raw(
        `SELECT f.customer_id, c.name, f.country, f.tier, f.total_spent FROM (${rel.sql}) f JOIN customers c ON c.id = f.customer_id`,
        rel.bindings,
      ),
    );
    const byId = new Map(rows.map(r => [r.customer_id, r]));
    return ids
      .filter(id => byId.has(id))
      .map(id => {
        const r = byId.get(id);
        const s: CustomerSample = {
          id,
          totalSpent: round2(num(r.total_spent)),
        };
        // Names are stored encrypted: decrypted here, or left out without the codec.
        if (r.name !== null && this.personalData) {
          const { name } = this.personalData.decodeCustomer({
            id,
            name: r.name,
          });
          if (name !== undefined) s.name = name;
        }
        if (r.country !== null) s.country = r.country;
        if (r.tier !== null) s.tier = r.tier;
        return s;
      });
  }

  /**
   * Runs a queued execution to the end, resuming from its checkpoint: the
   * features (computed once, in one transaction) and every segment whose
   * result this execution already committed are not redone, so a run killed
   * mid-way and resumed ends with the same memberships and change reports.
   * Errors of one segment are logged and do not stop the others (`partial`);
   * an abort (timeout) stops the run between or inside SQL steps.
   */
  async runExecution(
    executionId: string,
    options: {
      signal?: AbortSignal;
      deadline?: number;
      willRetry?: boolean;
      /** Called as soon as the final status is stored, before clean-up and observers. */
      onSettled?: (status: ExecutionStatus) => void;
    } = {},
  ): Promise<ExecutionStatus | undefined> {
    const execution = await this.executions.getExecution(executionId);
    if (!execution || !['queued', 'running'].includes(execution.status))
      return undefined;
    const asOf = Date.parse(execution.asOf);
    const incremental = execution.kind === 'incremental';
    const log = (
      level: 'info' | 'warn' | 'error',
      message: string,
      segmentRuleId?: string,
    ) => this.executions.log(executionId, { level, message, segmentRuleId });
    const remaining = () =>
      options.deadline === undefined
        ? undefined
        : options.deadline - Date.now();
    // A synchronous driver (better-sqlite3) can keep the abort timer from firing: check the deadline too.
    const abortReason = () => {
      if (options.signal?.aborted)
        return String(
          options.signal.reason?.message ?? options.signal.reason ?? 'aborted',
        );
      const left = remaining();
      return left !== undefined && left <= 0
        ? 'timed out (deadline passed)'
        : undefined;
    };
    const checkAbort = () => {
      const reason = abortReason();
      if (reason) throw new Error(`aborted: ${reason}`);
    };
    let segments: SegmentRule[] = [];
    let status: ExecutionStatus = 'failed';
    let error: string | undefined;
    try {
      segments = sortByPriority(
        execution.segmentRuleId
          ? await this.rules.getRules([execution.segmentRuleId])
          : await this.rules.listActiveRules(),
      );
      const done = await this.completedSegments(executionId);
      await this.executions.setStatus(executionId, 'running', {
        total: segments.length,
        error: null,
      });
      const resumed =
        done.size > 0 ||
        (await this.executions.getFeaturesAt(executionId)) !== undefined;
      await log(
        'info',
        resumed
          ? `resumed (attempt ${execution.attempt}): ${done.size} of ${segments.length} segment(s) already done`
          : `started (attempt ${execution.attempt}): ${
              segments.length
            } segment(s) as of ${execution.asOf}${
              incremental
                ? ` for ${execution.customerCount} changed customer(s)`
                : ''
            }`,
      );
      await this.notify(o =>
        o.onProgress?.({
          executionId,
          segmentRuleId: execution.segmentRuleId,
          status: 'running',
          processed: done.size,
          total: segments.length,
        }),
      );
      await this.ensureFeatures(
        executionId,
        asOf,
        incremental,
        remaining(),
        log,
      );
      let failed = 0;
      let processed = done.size;
      for (const rule of segments.filter(r => !done.has(r.id))) {
        checkAbort();
        try {
          const pred = compileRule({
            dialect: this.dialect,
            asOf,
            levels: await this.levelsFor(rule),
          });
          const step = await this.writer.writeSegment({
            executionId,
            rule,
            pred,
            asOf,
            incremental,
            timeoutMs: remaining(),
          });
          await log('info', describeStep(rule, step, incremental), rule.id);
          await this.logSkipped(executionId, rule, asOf, log);
          await this.notify(o =>
            o.onSegmentResult?.({ executionId, rule, step }),
          );
        } catch (e) {
          // A fault of the database (not of this segment) fails the attempt, which is retried from the checkpoint.
          if (abortReason() || isDatabaseFault(e)) throw e;
          failed++;
          this.logger.error(
            `Segment ${
              rule.id
            } failed in execution ${executionId}: ${describeError(e)}`,
          );
          await log(
            'error',
            `${rule.name}: failed: ${runErrorMessage(e)}`,
            rule.id,
          );
        }
        processed++;
        await this.executions.setProgress(executionId, processed);
        const progress = {
          executionId,
          segmentRuleId: execution.segmentRuleId,
          status: 'running' as const,
          processed,
          total: segments.length,
        };
        await this.notify(o => o.onProgress?.(progress));
      }
      checkAbort();
      await this.writer.assignPrimarySegments(executionId);
      if (failed === 0) status = 'success';
      else
        status = failed === segments.length - done.size ? 'failed' : 'partial';
      if (failed) error = `${failed} segment(s) failed`;
    } catch (e) {
      status = 'failed';
      const reason = abortReason();
      error = reason ? `aborted: ${reason}` : runErrorMessage(e);
      this.logger.error(`Execution ${executionId} failed: ${describeError(e)}`);
    }
    await log(
      status === 'success' ? 'info' : 'error',
      `finished: ${status}${error ? ` (${error})` : ''}`,
    );
    await this.executions.setStatus(executionId, status, {
      error: error ?? null,
    });
    options.onSettled?.(status);
    await this.cleanup(executionId);
    await this.notify(o =>
      o.onFinished?.({
        executionId,
        status,
        error,
        segments,
        willRetry: status === 'failed' && !!options.willRetry,
      }),
    );
    return status;
  }

  /** Segments this execution already committed (its checkpoint). */
  private async completedSegments(executionId: string): Promise<Set<string>> {
    // An incremental step that changed nothing commits no result; redoing it changes nothing either.
    const rows = await this.db('segment_results')
      .where({ execution_id: executionId })
      .select('segment_rule_id');
    return new Set(rows.map(r => r.segment_rule_id));
  }

  /** Computes the run's features once; a resumed run reuses them. */
  private async ensureFeatures(
    executionId: string,
    asOf: number,
    incremental: boolean,
    timeoutMs: number | undefined,
    log: (level: 'info', message: string) => Promise<void>,
  ) {
    if ((await this.executions.getFeaturesAt(executionId)) !== undefined)
      return;
    const started = Date.now();
    const customerIds = incremental
      ? (await this.executions.getCustomerIds(executionId)) ?? []
      : undefined;
    const columns = ['customer_id', ...CUSTOMER_COLUMNS, ...ALL_AGGREGATES];
    const insert = (
      db: Knex,
      slice: { customerIds?: string[]; range?: KeyRange },
    ) => {
      const rel = featureRelation({
        dialect: this.dialect,
        asOf,
        aggregates: ALL_AGGREGATES,
        ...slice,
      });
      return db.raw(
        `INSERT INTO segment_run_features (execution_id, ${columns.join(
          ', ',
        )}) SELECT ?, ${columns.map(c => `f.${c}`).join(', ')} FROM (${
          rel.sql
        }) f`,
        [executionId, ...rel.bindings],
      );
    };
    if (this.sliced()) {
      // A slice per statement, each committed on its own: the checkpoint (featuresAt) is set only
      // after the last, so a run killed in between recomputes them all.
      await deleteSliced(this.db, 'segment_run_features', {
        execution_id: executionId,
      });
      if (customerIds)
        await forEachChunk(
          this.db,
          [...customerIds].sort(),
          async chunk => void (await insert(this.db, { customerIds: chunk })),
        );
      else
        await forEachKeyRange(
          this.db,
          { sql: 'SELECT id AS k FROM customers', bindings: [] },
          async range => void (await insert(this.db, { range })),
        );
      await this.db.transaction(tx =>
        this.executions.setFeaturesAt(tx, executionId, Date.now()),
      );
    } else {
      await this.db.transaction(async tx => {
        await tx('segment_run_features')
          .where({ execution_id: executionId })
          .delete();
        const q = insert(tx, { customerIds });
        await (this.dialect === 'pg' && timeoutMs !== undefined
          ? q.timeout(Math.max(1, timeoutMs), { cancel: true })
          : q);
        // Every segment of the run reads these rows: plan with their real size.
        if (this.dialect === 'pg') await tx.raw('ANALYZE segment_run_features');
        await this.executions.setFeaturesAt(tx, executionId, Date.now());
      });
    }
    await log(
      'info',
      `computed customer features in ${Date.now() - started} ms`,
    );
  }

  /** Logs, per field a segment needs, how many customers lack it ("skipped 312: no birthDate"). */
  private async logSkipped(
    executionId: string,
    rule: SegmentRule,
    asOf: number,
    log: (
      level: 'info',
      message: string,
      segmentRuleId?: string,
    ) => Promise<void>,
  ) {
    const counts = await countMissing({
      db: this.db,
      dialect: this.dialect,
      executionId,
      asOf,
      levels: await this.levelsFor(rule),
      sliced: this.sliced(),
    });
    const parts = counts
      .filter(c => c.count > 0)
      .map(c => `skipped ${c.count}: no ${c.label}`);
    if (parts.length)
      await log('info', `${rule.name}: ${parts.join('; ')}`, rule.id);
  }

  private async cleanup(executionId: string) {
    if (this.sliced()) {
      await deleteSliced(this.db, 'segment_run_features', {
        execution_id: executionId,
      });
      await deleteSliced(this.db, 'segment_run_members', {
        execution_id: executionId,
      });
    }
    await this.db.transaction(async tx => {
      await tx('segment_run_features')
        .where({ execution_id: executionId })
        .delete();
      await tx('segment_run_members')
        .where({ execution_id: executionId })
        .delete();
      await this.executions.setFeaturesAt(tx, executionId, null);
    });
  }

  /** Heavy statements are cut into short slices on better-sqlite3, which blocks the event loop while it works. */
  private sliced(): boolean {
    return this.dialect === 'sqlite' && slicingOptions().enabled;
  }

  private async notify(
    fn: (o: ExecutionObserver) => Promise<void> | undefined,
  ) {
    for (const observer of this.observers) {
      try {
        await fn(observer);
      } catch (e) {
        this.logger.warn(`Execution observer failed: ${describeError(e)}`);
      }
    }
  }
}

/**
 * Scales `matched` of `sampled` customers up to `total`, with the Wilson
 * score interval (95%) of the share. The sample is drawn without replacement,
 * so it counts as a larger one (n / (1 - n/N), the finite population
 * correction): a sample of nearly everyone leaves almost no doubt. The
 * interval never goes below what the sample itself showed.
 */
export function estimateCount(
  matched: number,
  sampled: number,
  total: number,
): PreviewEstimate {
  const z = 1.96;
  const p = matched / sampled;
  const unsampled = (total - sampled) / Math.max(1, total - 1);
  let low = p;
  let high = p;
  if (unsampled > 0) {
    const n = sampled / unsampled;
    const z2n = (z * z) / n;
    const center = (p + z2n / 2) / (1 + z2n);
    const half = (z * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n))) / (1 + z2n);
    low = center - half;
    high = center + half;
  }
  return {
    sampledCustomers: sampled,
    matchedInSample: matched,
    low: Math.max(matched, Math.floor(low * total)),
    high: Math.min(total - (sampled - matched), Math.ceil(high * total)),
    confidence: 0.95,
  };
}

function sortByPriority(rules: SegmentRule[]): SegmentRule[] {
  return [...rules].sort(
    (a, b) =>
      a.priority - b.priority ||
      a.createdAt.localeCompare(b.createdAt) ||
      a.id.localeCompare(b.id),
  );
}

function describeStep(
  rule: SegmentRule,
  step: SegmentStepResult,
  incremental: boolean,
) {
  if (incremental && !step.resultId) return `${rule.name}: no change`;
  return `${rule.name}: ${step.customerCount} members (+${step.added} / -${step.removed})`;
}

export { rowsOf } from './rowsOf';
