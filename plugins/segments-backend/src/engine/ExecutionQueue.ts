import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { ExecutionStore, NewExecution } from '../database/ExecutionStore';
import { describeError } from './runErrors';
import { SegmentEngine } from './SegmentEngine';

/** Timeouts and retries of executions (config `segments.execution`). */
export interface ExecutionPolicy {
  /** A run (one attempt) longer than this is aborted. */
  timeoutMs: number;
  /** Attempts of a failed run, the first included. */
  maxAttempts: number;
  /** Wait before the second attempt; doubles for each further one. */
  retryBaseMs: number;
  /** A queued or running execution whose heartbeat is older is orphaned. */
  staleAfterMs: number;
}

const ALL = '*';

const conflict = (executionId: string) =>
  new ConflictError(
    `An execution covering this segment is already running: ${executionId}`,
  );

/** Defaults of {@link ExecutionPolicy}. */
export const DEFAULT_EXECUTION_POLICY: ExecutionPolicy = {
  timeoutMs: 30 * 60_000,
  maxAttempts: 3,
  retryBaseMs: 30_000,
  staleAfterMs: 2 * 60_000,
};

/**
 * Runs executions one at a time in this process (SQLite has one writer, and
 * serial runs cannot deadlock), with a deadline per attempt, retries with
 * exponential backoff, a heartbeat while it holds them, and the resumption of
 * executions orphaned by a dead process.
 */
export class ExecutionQueue {
  private chain: Promise<void> = Promise.resolve();
  /** Serializes "is one running? then create" so two simultaneous requests cannot both pass the check. */
  private requests: Promise<unknown> = Promise.resolve();
  private readonly held = new Set<string>();
  /** Full runs this process requested and still holds: execution id → segment id (ALL for a run of all). */
  private readonly fullRuns = new Map<string, string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private heartbeatTimer?: NodeJS.Timeout;

  private constructor(
    private readonly engine: SegmentEngine,
    private readonly executions: ExecutionStore,
    private readonly logger: LoggerService,
    private readonly policy: ExecutionPolicy,
  ) {}

  static create(options: {
    engine: SegmentEngine;
    executions: ExecutionStore;
    logger: LoggerService;
    policy?: Partial<ExecutionPolicy>;
  }) {
    return new ExecutionQueue(
      options.engine,
      options.executions,
      options.logger,
      {
        ...DEFAULT_EXECUTION_POLICY,
        ...options.policy,
      },
    );
  }

  /**
   * Throws the 409 of {@link ExecutionQueue.request} at once when this process
   * already holds a full run covering the segment. Callers check this before
   * anything that waits for the database: on SQLite a running execution holds
   * the only connection, so a concurrent request would otherwise reach the
   * database check only after that run had finished.
   */
  assertNoFullRun(segmentRuleId: string | undefined) {
    for (const [id, covered] of this.fullRuns) {
      if (covered === ALL || !segmentRuleId || covered === segmentRuleId)
        throw conflict(id);
    }
  }

  /**
   * Creates and queues an execution. A full run of a segment that a queued or
   * running full run already covers (in this process or, through the
   * database, in another) answers 409 naming that execution.
   */
  async request(options: NewExecution): Promise<string> {
    const full = !options.customerIds;
    const created = this.requests.then(async () => {
      if (full) {
        this.assertNoFullRun(options.segmentRuleId);
        const active = await this.executions.findActive(options.segmentRuleId);
        if (active) throw conflict(active);
      }
      const id = await this.executions.createExecution({
        maxAttempts: this.policy.maxAttempts,
        ...options,
      });
      if (full) this.fullRuns.set(id, options.segmentRuleId ?? ALL);
      return id;
    });
    this.requests = created.catch(() => undefined);
    const id = await created;
    this.enqueue(id);
    return id;
  }

  /** Picks up executions whose process died (heartbeat stale) and resumes them from their checkpoint. */
  async resumeOrphans(now = Date.now()): Promise<string[]> {
    const ids = (
      await this.executions.findOrphaned(now - this.policy.staleAfterMs)
    ).filter(id => !this.held.has(id));
    for (const id of ids) {
      await this.executions.log(id, {
        level: 'warn',
        message: 'resuming: the process running this execution stopped',
      });
      this.enqueue(id);
    }
    return ids;
  }

  /** Executions held: queued, running or waiting for a retry (the queue length metric). */
  get length(): number {
    return this.held.size;
  }

  /** Resolves when nothing is queued, running or waiting for a retry. */
  async idle(): Promise<void> {
    while (this.held.size > 0) {
      await this.chain;
      if (this.held.size > 0) await new Promise(r => setTimeout(r, 20));
    }
  }

  /** Stops timers (shutdown); executions still held are resumed by another instance or the next start. */
  stop() {
    this.timers.forEach(t => clearTimeout(t));
    this.timers.clear();
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private enqueue(id: string) {
    this.held.add(id);
    this.startHeartbeat();
    this.chain = this.chain
      .then(() => this.attempt(id))
      .catch(e =>
        this.logger.error(`Execution ${id} crashed: ${describeError(e)}`),
      );
  }

  private async attempt(id: string) {
    const execution = await this.executions.getExecution(id);
    if (!execution) {
      this.release(id);
      return;
    }
    const willRetry = execution.attempt < execution.maxAttempts;
    const controller = new AbortController();
    const deadline = Date.now() + this.policy.timeoutMs;
    const timer = setTimeout(
      () =>
        controller.abort(
          new Error(
            `timed out after ${Math.round(this.policy.timeoutMs / 1000)} s`,
          ),
        ),
      this.policy.timeoutMs,
    );
    let status;
    try {
      status = await this.engine.runExecution(id, {
        signal: controller.signal,
        deadline,
        willRetry,
        // A new request may come as soon as clients can see the run ended.
        onSettled: settled => {
          if (settled !== 'failed' || !willRetry) this.fullRuns.delete(id);
        },
      });
    } finally {
      clearTimeout(timer);
    }
    if (status === 'failed' && willRetry) {
      const delay = this.policy.retryBaseMs * 2 ** (execution.attempt - 1);
      await this.executions.scheduleRetry(id, Date.now() + delay);
      await this.executions.log(id, {
        level: 'warn',
        message: `retrying in ${Math.round(delay / 1000)} s (attempt ${
          execution.attempt + 1
        } of ${execution.maxAttempts})`,
      });
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.chain = this.chain
          .then(() => this.attempt(id))
          .catch(e =>
            this.logger.error(`Execution ${id} crashed: ${describeError(e)}`),
          );
      }, delay);
      this.timers.add(t);
      return;
    }
    this.release(id);
  }

  private release(id: string) {
    this.held.delete(id);
    this.fullRuns.delete(id);
  }

  private startHeartbeat() {
    if (this.heartbeatTimer) return;
    this.heartbeatTimer = setInterval(() => {
      if (!this.held.size) return;
      this.executions
        .heartbeat([...this.held])
        .catch(e => this.logger.warn(`Heartbeat failed: ${describeError(e)}`));
    }, Math.max(1000, this.policy.staleAfterMs / 4));
    this.heartbeatTimer.unref?.();
  }
}
