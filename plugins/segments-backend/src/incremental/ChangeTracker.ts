import { Knex } from 'knex';
import { chunks } from '../database/util';

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
    // 500 deletes a transaction: one commit (an fsync on SQLite) each would take ~40 s for 10,000.
    for (const part of chunks(taken, 500)) {
      await this.db.transaction(async tx => {
        for (const t of part) {
          await tx('customer_changes')
            .where({ customer_id: t.id })
            .where('changed_at', '<=', t.changedAt)
            .delete();
        }
      });
    }
  }
}
