import type {
  Path,
  RuleGroupTypeAny,
  RuleOrGroupArray,
} from 'react-querybuilder';
import type { RuleValidationError } from '@internal/plugin-segments-common';

/** Which part of a node an error is about. */
export type ErrorTarget =
  | 'node'
  | 'field'
  | 'operator'
  | 'value'
  | 'dataType'
  | 'logicalOperator'
  | 'subConditions'
  | 'other';

/** A validation error attached to one rule or group of the builder. */
export interface NodeError {
  target: ErrorTarget;
  /** Element index, e.g. 1 for `value[1]` (the high end of a range). */
  index?: number;
  message: string;
  path: string;
}

/** Errors by react-querybuilder node id, and those that fit no node. */
export interface ErrorIndex {
  byId: Map<string, NodeError[]>;
  unmatched: RuleValidationError[];
}

const NODE_PATH =
  /^conditions\[(\d+)\]((?:\.subConditions\[\d+\])*)(?:\.([A-Za-z]+)(?:\[(\d+)\])?)?$/;
const KNOWN_TARGETS = new Set<ErrorTarget>([
  'field',
  'operator',
  'value',
  'dataType',
  'logicalOperator',
  'subConditions',
]);

/** Parses `conditions[1].subConditions[0].value[1]` into a node path and a target. */
export function parseErrorPath(
  path: string,
): { nodePath: Path; target: ErrorTarget; index?: number } | undefined {
  if (path === 'conditions' || path === '(rule)') {
    return { nodePath: [], target: 'node' };
  }
  if (path === 'logicalOperator') {
    return { nodePath: [], target: 'logicalOperator' };
  }
  const m = NODE_PATH.exec(path);
  if (!m) return undefined;
  const nodePath = [
    Number(m[1]),
    ...Array.from(m[2].matchAll(/\[(\d+)\]/g), x => Number(x[1])),
  ];
  const prop = m[3];
  let target: ErrorTarget = 'node';
  if (prop) {
    target = KNOWN_TARGETS.has(prop as ErrorTarget)
      ? (prop as ErrorTarget)
      : 'other';
  }
  return {
    nodePath,
    target,
    ...(m[4] !== undefined ? { index: Number(m[4]) } : {}),
  };
}

function findNodeId(query: RuleGroupTypeAny, path: Path): string | undefined {
  let node: RuleGroupTypeAny | RuleOrGroupArray[number] = query;
  for (const i of path) {
    if (typeof node !== 'object' || !('rules' in node)) return undefined;
    node = node.rules[i];
    if (node === undefined) return undefined;
  }
  return typeof node === 'object' ? node.id : undefined;
}

/**
 * Attaches validation errors (paths like `conditions[1].subConditions[0].value`)
 * to the rules and groups of a query built by `ruleToQuery`, whose node paths
 * follow the JSON one to one. Errors about other parts of a segment (name,
 * schedule, ...) are left out; condition errors whose node is missing are
 * returned as `unmatched`.
 */
export function indexErrors(
  errors: RuleValidationError[] | undefined,
  query: RuleGroupTypeAny,
): ErrorIndex {
  const byId = new Map<string, NodeError[]>();
  const unmatched: RuleValidationError[] = [];
  for (const error of errors ?? []) {
    const parsed = parseErrorPath(error.path);
    if (!parsed) {
      if (error.path.startsWith('conditions')) unmatched.push(error);
      continue;
    }
    const id = findNodeId(query, parsed.nodePath);
    if (!id) {
      unmatched.push(error);
      continue;
    }
    const list = byId.get(id) ?? [];
    list.push({
      target: parsed.target,
      ...(parsed.index !== undefined ? { index: parsed.index } : {}),
      message: error.message,
      path: error.path,
    });
    byId.set(id, list);
  }
  return { byId, unmatched };
}
