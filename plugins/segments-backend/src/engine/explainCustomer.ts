import {
  computeCustomerFeatures,
  Customer,
  CustomerFeatures,
  describeCondition,
  evaluateLeaf,
  featureValue,
  getFieldDefinition,
  isGroupCondition,
  Order,
  SegmentCondition,
  SegmentLeafCondition,
  toYmd,
} from '@internal/plugin-segments-common';

/** One level of a segment hierarchy to explain (ancestors first, the segment itself last). */
export interface ExplainLevelInput {
  ruleId?: string;
  name?: string;
  logicalOperator: 'AND' | 'OR';
  conditions: SegmentCondition[];
}

/** A condition of the tree with the customer's value and the outcome. */
export interface ExplainedCondition {
  type: 'condition';
  /** Condition path as in validation and lint (`parentLevels[i].` for ancestors). */
  path: string;
  field: string;
  operator: string;
  value?: unknown;
  not?: boolean;
  /** The customer's value (dates as ISO timestamps); absent when missing. */
  actual?: unknown;
  /** True when the engine treats the value as missing (absent, or of another type). */
  missing: boolean;
  /** The comparison before `not`. */
  holds: boolean;
  /** The node's outcome (after `not`). */
  passed: boolean;
  /** e.g. `totalSpent > 100000`. */
  text: string;
}

/** A group of the tree with its outcome. */
export interface ExplainedGroup {
  type: 'group';
  path: string;
  logicalOperator: 'AND' | 'OR';
  not?: boolean;
  passed: boolean;
  children: ExplainedNode[];
}

/** A node of an explained rule tree. */
export type ExplainedNode = ExplainedCondition | ExplainedGroup;

/** One explained level. */
export interface ExplainedLevel {
  ruleId?: string;
  name?: string;
  logicalOperator: 'AND' | 'OR';
  passed: boolean;
  conditions: ExplainedNode[];
}

/** A single condition whose outcome alone keeps the customer out. */
export interface MissedCondition {
  /** Index in `levels`. */
  level: number;
  ruleId?: string;
  path: string;
  text: string;
  actual?: unknown;
  missing: boolean;
  message: string;
}

/** Why a customer is, or is not, in a segment. */
export interface CustomerExplanation {
  customerId: string;
  asOf: string;
  /** The evaluator's answer: the customer meets every level. */
  member: boolean;
  levels: ExplainedLevel[];
  /**
   * When the customer is out: each condition that, had it come out the other
   * way, would have made the customer a member on its own. One entry means
   * "missed by one condition"; several mean "any one of these"; none means
   * more than one condition would have to change.
   */
  missedByOneCondition: MissedCondition[];
  summary: string;
}

function display(
  leaf: SegmentLeafCondition,
  features: CustomerFeatures,
): { actual?: unknown; missing: boolean } {
  const def = getFieldDefinition(leaf.field, leaf.dataType);
  const raw = featureValue(features, leaf.field);
  if (!def)
    return {
      missing: raw === undefined,
      ...(raw === undefined ? {} : { actual: raw }),
    };
  if (def.dataType === 'array') return { actual: raw ?? [], missing: false };
  const jsType = def.dataType === 'date' ? 'number' : def.dataType;
  const missing = typeof raw !== jsType;
  if (raw === undefined) return { missing };
  const actual =
    def.dataType === 'date' && typeof raw === 'number'
      ? new Date(raw).toISOString()
      : raw;
  return { actual, missing };
}

/**
 * Explains one customer against a segment and its ancestors with the
 * TypeScript evaluator (the engine's reference semantics): every node with
 * the customer's value and outcome, the final answer, and the conditions that
 * alone keep the customer out.
 */
export function explainCustomer(options: {
  levels: ExplainLevelInput[];
  customer: Customer;
  orders: Order[];
  asOf: number;
  /**
   * The stored `birth_ymd` (YYYYMMDD; YYYYMM99 at month precision): when
   * given, age is computed from it exactly as in SQL instead of from
   * `customer.birthDate`.
   */
  birthYmd?: number;
}): CustomerExplanation {
  const { levels, customer, orders, asOf, birthYmd } = options;
  const features = computeCustomerFeatures(customer, orders, asOf);
  if (birthYmd !== undefined) {
    const now = toYmd(asOf);
    features.age =
      birthYmd <= now ? Math.floor((now - birthYmd) / 10000) : undefined;
  }
  const own = levels.length - 1;
  const prefix = (level: number) =>
    level === own ? '' : `parentLevels[${level}].`;

  const leaves: Array<{ level: number; node: ExplainedCondition }> = [];
  const explainNode = (
    c: SegmentCondition,
    path: string,
    level: number,
  ): ExplainedNode => {
    if (isGroupCondition(c)) {
      const children = c.subConditions.map((s, i) =>
        explainNode(s, `${path}.subConditions[${i}]`, level),
      );
      return {
        type: 'group',
        path,
        logicalOperator: c.logicalOperator,
        ...(c.not ? { not: true } : {}),
        passed: false,
        children,
      };
    }
    const holds = evaluateLeaf(c, features);
    const node: ExplainedCondition = {
      type: 'condition',
      path,
      field: c.field,
      operator: c.operator,
      ...(c.value === undefined ? {} : { value: c.value }),
      ...(c.not ? { not: true } : {}),
      ...display(c, features),
      holds,
      passed: c.not ? !holds : holds,
      text: describeCondition(c),
    };
    leaves.push({ level, node });
    return node;
  };
  const explained: ExplainedLevel[] = levels.map((l, level) => ({
    ...(l.ruleId ? { ruleId: l.ruleId } : {}),
    ...(l.name ? { name: l.name } : {}),
    logicalOperator: l.logicalOperator,
    passed: false,
    conditions: l.conditions.map((c, i) =>
      explainNode(c, `${prefix(level)}conditions[${i}]`, level),
    ),
  }));

  // Outcomes from the leaves up, optionally with one leaf flipped.
  function combine(
    nodes: ExplainedNode[],
    op: 'AND' | 'OR',
    flip?: ExplainedCondition,
    write = false,
  ): boolean {
    const values = nodes.map(n => evaluate(n, flip, write));
    return op === 'AND' ? values.every(Boolean) : values.some(Boolean);
  }
  function evaluate(
    n: ExplainedNode,
    flip?: ExplainedCondition,
    write = false,
  ): boolean {
    if (n.type === 'condition') return n === flip ? !n.passed : n.passed;
    const inner = combine(n.children, n.logicalOperator, flip, write);
    const passed = n.not ? !inner : inner;
    if (write) n.passed = passed;
    return passed;
  }
  const outcome = (flip?: ExplainedCondition, write = false) =>
    explained.map(l => {
      const passed = combine(l.conditions, l.logicalOperator, flip, write);
      if (write) l.passed = passed;
      return passed;
    });
  const member = outcome(undefined, true).every(Boolean);

  const missed: MissedCondition[] = member
    ? []
    : leaves
        .filter(({ node }) => outcome(node).every(Boolean))
        .map(({ level, node }) => ({
          level,
          ...(levels[level].ruleId ? { ruleId: levels[level].ruleId } : {}),
          path: node.path,
          text: node.text,
          ...(node.actual === undefined ? {} : { actual: node.actual }),
          missing: node.missing,
          message: `${node.field} is ${
            node.missing ? 'missing' : JSON.stringify(node.actual)
          }; the condition "${node.text}" ${
            node.passed ? 'holds but must not' : 'does not hold'
          }`,
        }));

  let summary: string;
  if (member)
    summary =
      'The customer meets every condition of the segment and its parents.';
  else if (missed.length === 1)
    summary = `Missed by one condition: ${missed[0].message}.`;
  else if (missed.length > 1)
    summary = `Any one of ${missed.length} conditions would let the customer in.`;
  else {
    const failedLevel = explained.findIndex(l => !l.passed);
    summary =
      failedLevel < own
        ? `The customer is not in the parent segment${
            explained[failedLevel].name
              ? ` "${explained[failedLevel].name}"`
              : ''
          }.`
        : 'The customer misses more than one condition.';
  }
  return {
    customerId: customer.id,
    asOf: new Date(asOf).toISOString(),
    member,
    levels: explained,
    missedByOneCondition: missed,
    summary,
  };
}
