import { SegmentCondition } from '../types';
import { LintFix, LintRuleInput } from './types';

/** Splits `conditions[0].subConditions[2]` into `[0, 2]`; `(rule)` is `[]`. */
export function parseConditionPath(path: string): number[] | undefined {
  if (path === '(rule)') return [];
  const m = /^conditions\[(\d+)\]((?:\.subConditions\[\d+\])*)$/.exec(path);
  if (!m) return undefined;
  const rest = [...m[2].matchAll(/\[(\d+)\]/g)].map(x => Number(x[1]));
  return [Number(m[1]), ...rest];
}

interface Located {
  list: SegmentCondition[];
  node: SegmentCondition;
}

function locate(rule: LintRuleInput, path: string): Located | undefined {
  const idx = parseConditionPath(path);
  if (!idx || !idx.length) return undefined;
  let list = rule.conditions;
  for (let i = 0; i < idx.length; i++) {
    const node = list?.[idx[i]];
    if (!node) return undefined;
    if (i === idx.length - 1) return { list, node };
    list = (node as any).subConditions;
  }
  return undefined;
}

function removeNode(found: Located) {
  const at = found.list.indexOf(found.node);
  if (at >= 0) found.list.splice(at, 1);
}

/**
 * Applies a lint fix to a copy of a rule (any other properties of the rule are
 * kept). Throws when a path does not exist in the rule.
 * @public
 */
export function applyLintFix<T extends LintRuleInput>(
  rule: T,
  fix: LintFix,
): T {
  const copy: T = JSON.parse(JSON.stringify(rule));
  const must = (path: string) => {
    const found = locate(copy, path);
    if (!found) throw new Error(`No condition at ${path}`);
    return found;
  };
  switch (fix.type) {
    case 'remove':
      removeNode(must(fix.path));
      break;
    case 'replace': {
      const target = must(fix.path);
      const extra = (fix.removePaths ?? []).map(must);
      target.list[target.list.indexOf(target.node)] = JSON.parse(
        JSON.stringify(fix.condition),
      );
      extra.forEach(removeNode);
      break;
    }
    case 'changeOperator': {
      const leaf = must(fix.path).node as any;
      leaf.operator = fix.operator;
      if ('value' in fix) {
        if (fix.value === undefined) delete leaf.value;
        else leaf.value = fix.value;
      }
      break;
    }
    case 'changeLogicalOperator':
      if (fix.path === '(rule)') copy.logicalOperator = fix.logicalOperator;
      else (must(fix.path).node as any).logicalOperator = fix.logicalOperator;
      break;
    default:
      throw new Error(`Unknown fix ${(fix as any).type}`);
  }
  return copy;
}
