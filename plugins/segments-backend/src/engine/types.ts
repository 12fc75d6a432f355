/** SQL dialects the engine compiles for. */
export type Dialect = 'sqlite' | 'pg';

/** A SQL fragment with its positional `?` bindings. */
export interface SqlFragment {
  sql: string;
  bindings: any[];
}

/** Order aggregates a rule may need from the feature relation. */
export type Aggregate =
  | 'total_spent'
  | 'order_count'
  | 'first_order_at'
  | 'last_order_at'
  | 'spent_30d'
  | 'spent_90d'
  | 'spent_365d'
  | 'orders_30d'
  | 'orders_90d'
  | 'orders_365d';

/** Every aggregate, in column order. */
export const ALL_AGGREGATES: Aggregate[] = [
  'total_spent',
  'order_count',
  'first_order_at',
  'last_order_at',
  'spent_30d',
  'spent_90d',
  'spent_365d',
  'orders_30d',
  'orders_90d',
  'orders_365d',
];
