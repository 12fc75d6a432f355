import { setImmediate as nextTurn } from 'timers/promises';
import { ExecutionQueue } from '../engine/ExecutionQueue';
import { ChangeTracker } from './ChangeTracker';

/** Most customers one incremental run re-evaluates; the rest wait for the next tick. */
export const MAX_INCREMENTAL_CUSTOMERS = 10_000;

/**
 * Turns data changes into incremental runs: every tick, the customers marked
 * as changed at least `delayMs` ago are re-evaluated for every active segment.
 * Waiting the delay lets a burst of updates to one customer become one run.
 */
export class IncrementalRunner {
  private constructor(
    private readonly changes: ChangeTracker,
    private readonly queue: ExecutionQueue,
    private readonly delayMs: number,
  ) {}

  static create(options: {
    changes: ChangeTracker;
    queue: ExecutionQueue;
    delayMs: number;
  }) {
    return new IncrementalRunner(
      options.changes,
      options.queue,
      options.delayMs,
    );
  }

  /** Starts an incremental run for due changes; returns its id, if any. */
  async tick(now: number, asOf: number = now): Promise<string | undefined> {
    const taken = await this.changes.pending(
      now - this.delayMs,
      MAX_INCREMENTAL_CUSTOMERS,
    );
    if (!taken.length) return undefined;
    // Reading 10,000 marks blocks a synchronous driver for a while: let requests go first.
    await nextTurn();
    const id = await this.queue.request({
      asOf,
      createdBy: 'data-change',
      customerIds: taken.map(t => t.id),
    });
    await this.changes.clear(taken);
    return id;
  }
}
