import { Knex } from 'knex';
import {
  getFieldDefinition,
  OPERATORS_BY_TYPE,
  SEGMENT_FIELDS,
  SegmentFieldInfo,
} from '@internal/plugin-segments-common';
import { dialectOf } from '../database/util';
import { rowsOf } from '../engine/SegmentEngine';

const ENUM_COLUMNS: Record<string, string> = { country: 'country', city: 'city', tier: 'tier', gender: 'gender' };
const MAX_VALUES = 500;
const CACHE_MS = 60_000;

/**
 * Lists the fields conditions can use, with value options for enumerations and
 * the custom attribute keys found in the data. Cached briefly: it scans data.
 */
export class FieldCatalog {
  private cached?: { at: number; fields: SegmentFieldInfo[] };

  private constructor(private readonly db: Knex) {}

  static create(options: { database: Knex }) {
    return new FieldCatalog(options.database);
  }

  async listFields(): Promise<SegmentFieldInfo[]> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.fields;
    const fields: SegmentFieldInfo[] = [];
    for (const f of SEGMENT_FIELDS) {
      const info: SegmentFieldInfo = { ...f, operators: OPERATORS_BY_TYPE[f.dataType] };
      if (ENUM_COLUMNS[f.name]) info.values = await this.distinct('customers', ENUM_COLUMNS[f.name]);
      if (f.name === 'categories') info.values = await this.distinct('orders', 'category');
      fields.push(info);
    }
    for (const { key, type } of await this.attributeKeys()) {
      fields.push(getFieldDefinition(`attributes.${key}`, type)!);
    }
    this.cached = { at: Date.now(), fields };
    return fields;
  }

  private async distinct(table: string, column: string): Promise<string[]> {
    const rows = await this.db(table).distinct(column).whereNotNull(column).orderBy(column).limit(MAX_VALUES);
    return rows.map(r => r[column]);
  }

  private async attributeKeys(): Promise<Array<{ key: string; type: 'string' | 'number' | 'boolean' }>> {
    const sql =
      dialectOf(this.db) === 'pg'
        ? `SELECT DISTINCT k.key AS key, jsonb_typeof(k.value) AS type FROM customers c, jsonb_each(c.attributes) k WHERE c.attributes IS NOT NULL ORDER BY 1 LIMIT 200`
        : `SELECT DISTINCT k.key AS key, k.type AS type FROM customers c, json_each(c.attributes) k WHERE c.attributes IS NOT NULL ORDER BY 1 LIMIT 200`;
    const toType = (t: string): 'string' | 'number' | 'boolean' => {
      if (t === 'true' || t === 'false' || t === 'boolean') return 'boolean';
      return t === 'integer' || t === 'real' || t === 'number' ? 'number' : 'string';
    };
    const seen = new Map<string, 'string' | 'number' | 'boolean'>();
    for (const r of rowsOf(await this.db.raw(sql))) {
      if (!seen.has(r.key)) seen.set(r.key, toType(r.type));
    }
    return [...seen].map(([key, type]) => ({ key, type }));
  }
}
