import type { RuleGroupTypeAny, RuleOrGroupArray } from 'react-querybuilder';

type Node = RuleOrGroupArray[number];

function segmentIdOf(node: Node): string | undefined {
  return typeof node === 'object' ? (node as any).meta?.segmentId : undefined;
}

function countIds(node: Node, counts: Map<string, number>) {
  const id = segmentIdOf(node);
  if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
  if (typeof node === 'object' && 'rules' in node) {
    node.rules.forEach(child => countIds(child, counts));
  }
}

/**
 * Copying a rule or group (drag with the copy modifier) duplicates the
 * condition `id` it carries in `meta.segmentId`. Drops the `id` from copies
 * beyond the number of times it occurred before the change, so the JSON never
 * gets two conditions with the same id that the user did not have.
 * Returns `next` itself when nothing had to change.
 */
export function stripCopiedIds<Q extends RuleGroupTypeAny>(
  previous: RuleGroupTypeAny,
  next: Q,
): Q {
  const allowed = new Map<string, number>();
  countIds(previous, allowed);
  const seen = new Map<string, number>();
  const visit = (node: Node): Node => {
    if (typeof node !== 'object') return node;
    let out: any = node;
    const id = segmentIdOf(node);
    if (id !== undefined) {
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      if (n > (allowed.get(id) ?? 0)) {
        const { segmentId: _dropped, ...meta } = (node as any).meta;
        out = { ...node, meta };
      }
    }
    if ('rules' in node) {
      const rules = node.rules.map(visit);
      if (rules.some((r, i) => r !== node.rules[i])) out = { ...out, rules };
    }
    return out;
  };
  return visit(next) as Q;
}
