import { Knex } from 'knex';
import { chunks } from '../database/util';
import { yieldToRequests } from '../engine/slicing';

/** Remembers which customers' data changed since their last re-evaluation. */
export class ChangeTracker {
  private constructor(private readonly db: Knex) {}

  static create(options: { database: Knex }) {
    return new ChangeTracker(options.database);
  }

  /** Marks customers as changed now. */
  async mark(customerIds: Iterable<string>): Promise<void> {
    const now = Date.now();
    const ids = [...new Set(customerIds)];
    for (const part of chunks(ids, 500)) {
      await this.db('customer_changes')
        .insert(part.map(customer_id => ({ customer_id, changed_at: now })))
        .onConflict('customer_id')
        .merge(['changed_at']);
    }
  }

  /** Up to `limit` customers that changed at or before `before`, oldest first. */
  async pending(
    before: number,
    limit: number,
  ): Promise<Array<{ id: string; changedAt: number }>> {
    const rows = await this.db('customer_changes')
      .where('changed_at', '<=', before)
      .orderBy([{ column: 'changed_at' }, { column: 'customer_id' }])
      .limit(limit);
    return rows.map(r => ({
      id: r.customer_id,
      changedAt: Number(r.changed_at),
    }));
  }

  /** Forgets changes that were taken, unless the customer changed again since. */
  async clear(taken: Array<{ id: string; changedAt: number }>): Promise<void> {
    // Changes are marked in batches, so few distinct times: a statement per time and 500
    // customers, each committed on its own (a customer's row is all or nothing), and the
    // connection left to requests in between (SQLite has only one).
    const byTime = new Map<number, string[]>();
    for (const t of taken) {
      const ids = byTime.get(t.changedAt) ?? [];
      ids.push(t.id);
      byTime.set(t.changedAt, ids);
    }
    for (const [changedAt, ids] of byTime) {
      for (const part of chunks(ids, 500)) {
        await this.db('customer_changes')
          .whereIn('customer_id', part)
          .where('changed_at', '<=', changedAt)
          .delete();
        await yieldToRequests(this.db);
      }
    }
  }
}
