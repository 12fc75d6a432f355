import { Knex } from 'knex';
import { SegmentResult } from '@internal/plugin-segments-common';
import { PersonalDataCodec } from '../crypto/PersonalDataCodec';
import { num, optIso } from './util';

/** Which list of a result's change report. */
export type ChangeType = 'added' | 'removed' | 'maintained';

/** A page of a list. */
export interface Page<T> {
  items: T[];
  totalCount: number;
}

/** Read side of segment results, change reports and memberships. */
export interface ResultStore {
  listResults(options: { segmentRuleId?: string; limit: number; offset: number }): Promise<Page<SegmentResult>>;
  getResult(id: string): Promise<(SegmentResult & { seq: number; asOf: string }) | undefined>;
  /** Customer ids of one list of a result's change report. */
  listChanges(options: { resultId: string; type: ChangeType; limit: number; offset: number }): Promise<Page<string>>;
  /**
   * Customer ids that were members at a result. `search`: part of a customer
   * id, or an exact email (found through the keyed email hash; names are
   * encrypted and cannot be searched). `forMarketing`: leave out customers who
   * opted out of marketing.
   */
  listMemberIds(options: MemberListOptions): Promise<Page<string>>;
  getCustomerSegments(customerId: string): Promise<{
    primarySegmentId?: string;
    segments: Array<{ id: string; name: string; priority: number }>;
  }>;
}

/** Options of {@link ResultStore.listMemberIds}. */
export interface MemberListOptions {
  resultId: string;
  search?: string;
  forMarketing?: boolean;
  limit: number;
  offset: number;
}

/** Knex implementation of {@link ResultStore}. */
export class DatabaseResultStore implements ResultStore {
  private constructor(
    private readonly db: Knex,
    private readonly personalData?: PersonalDataCodec,
  ) {}

  /** Without `personalData`, member searches match ids only (no email lookup). */
  static create(options: { database: Knex; personalData?: PersonalDataCodec }) {
    return new DatabaseResultStore(options.database, options.personalData);
  }

  async listResults(options: { segmentRuleId?: string; limit: number; offset: number }) {
    const base = () => {
      const q = this.db('segment_results');
      if (options.segmentRuleId) q.where({ segment_rule_id: options.segmentRuleId });
      return q;
    };
    const [{ n }] = await base().count({ n: '*' });
    const rows = await base()
      .orderBy([{ column: 'executed_at', order: 'desc' }, { column: 'seq', order: 'desc' }])
      .limit(options.limit)
      .offset(options.offset);
    return { items: rows.map(rowToResult), totalCount: num(n) };
  }

  async getResult(id: string) {
    const row = await this.db('segment_results').where({ id }).first();
    return row ? { ...rowToResult(row), seq: num(row.seq), asOf: optIso(row.as_of)! } : undefined;
  }

  async listChanges(options: { resultId: string; type: ChangeType; limit: number; offset: number }) {
    const result = await this.db('segment_results').where({ id: options.resultId }).first();
    if (!result) return { items: [], totalCount: 0 };
    const seq = num(result.seq);
    const base = () => {
      const q = this.db('segment_memberships').where({ segment_rule_id: result.segment_rule_id });
      if (options.type === 'added') q.where({ from_seq: seq });
      if (options.type === 'removed') q.where({ to_seq: seq });
      if (options.type === 'maintained') {
        q.where('from_seq', '<', seq).where(w => w.whereNull('to_seq').orWhere('to_seq', '>', seq));
      }
      return q;
    };
    const [{ n }] = await base().count({ n: '*' });
    const rows = await base().orderBy('customer_id').limit(options.limit).offset(options.offset).select('customer_id');
    return { items: rows.map(r => r.customer_id), totalCount: num(n) };
  }

  async listMemberIds(options: MemberListOptions) {
    const result = await this.db('segment_results').where({ id: options.resultId }).first();
    if (!result) return { items: [], totalCount: 0 };
    const seq = num(result.seq);
    const base = () => {
      const q = this.db('segment_memberships as m')
        .where('m.segment_rule_id', result.segment_rule_id)
        .where('m.from_seq', '<=', seq)
        .where(w => w.whereNull('m.to_seq').orWhere('m.to_seq', '>', seq));
      if (options.search) {
        const term = `%${options.search.toLowerCase().replace(/[\\%_]/g, m => `\\${m}`)}%`;
        const emailHashes =
          this.personalData && options.search.includes('@') ? this.personalData.emailLookupHashes(options.search) : [];
        q.join('customers as c', 'c.id', 'm.customer_id').where(w => {
          w.whereRaw(`lower(c.id) like ? escape '\\'`, [term]);
          if (emailHashes.length) w.orWhereIn('c.email_hmac', emailHashes);
        });
      }
      if (options.forMarketing) {
        q.whereNotExists(
          this.db('customers as o')
            .whereRaw('o.id = m.customer_id')
            .where('o.marketing_opt_out', true)
            .select(this.db.raw('1')),
        );
      }
      return q;
    };
    const [{ n }] = await base().count({ n: '*' });
    const rows = await base().orderBy('m.customer_id').limit(options.limit).offset(options.offset).select('m.customer_id');
    return { items: rows.map(r => r.customer_id), totalCount: num(n) };
  }

  async getCustomerSegments(customerId: string) {
    const rows = await this.db('segment_memberships as m')
      .join('segment_rules as r', 'r.id', 'm.segment_rule_id')
      .where('m.customer_id', customerId)
      .whereNull('m.to_seq')
      .orderBy([{ column: 'r.priority' }, { column: 'r.created_at' }])
      .select('r.id', 'r.name', 'r.priority');
    const primary = await this.db('customer_primary_segments').where({ customer_id: customerId }).first();
    return {
      ...(primary ? { primarySegmentId: primary.segment_rule_id as string } : {}),
      segments: rows.map(r => ({ id: r.id, name: r.name, priority: num(r.priority) })),
    };
  }
}

function rowToResult(row: any): SegmentResult {
  return {
    id: row.id,
    segmentRuleId: row.segment_rule_id,
    executionId: row.execution_id,
    customerCount: num(row.customer_count),
    executedAt: optIso(row.executed_at)!,
    executionTime: num(row.execution_time_ms),
    status: row.status,
    changes: { added: num(row.added), removed: num(row.removed), maintained: num(row.maintained) },
    statistics: {
      avgOrderValue: row.avg_order_value === null ? null : num(row.avg_order_value),
      totalRevenue: num(row.total_revenue),
      orderCount: num(row.order_count),
      churnRate: row.churn_rate === null ? null : num(row.churn_rate),
    },
  };
}
