/** Deepest allowed segment hierarchy (PRD FR-CRM-CS-003): a root is level 1. */
export const MAX_HIERARCHY_DEPTH = 5;

/**
 * Checks that giving `ruleId` the parent `parentId` keeps the hierarchy a
 * forest no deeper than {@link MAX_HIERARCHY_DEPTH}. `parents` maps every
 * existing rule id to its parent id. Returns a message when it would not.
 */
export function checkParent(options: {
  ruleId: string | undefined;
  parentId: string;
  parents: Map<string, string | undefined>;
}): string | undefined {
  const { ruleId, parentId, parents } = options;
  if (!parents.has(parentId)) return `parent segment ${parentId} does not exist`;
  if (ruleId === parentId) return 'a segment cannot be its own parent';
  const chain: string[] = [];
  for (let id: string | undefined = parentId; id; id = parents.get(id)) {
    if (id === ruleId) return `parent ${parentId} is a descendant of this segment; that would create a cycle`;
    if (chain.includes(id)) return `the hierarchy above ${parentId} already contains a cycle`;
    chain.push(id);
  }
  const height = ruleId ? subtreeHeight(ruleId, parents) : 1;
  const depth = chain.length + height;
  if (depth > MAX_HIERARCHY_DEPTH) {
    return `the hierarchy would be ${depth} levels deep; at most ${MAX_HIERARCHY_DEPTH} are allowed`;
  }
  return undefined;
}

/** Levels from `id` down to its deepest descendant (a leaf counts 1). */
export function subtreeHeight(id: string, parents: Map<string, string | undefined>): number {
  let best = 0;
  for (const [child, parent] of parents) {
    if (parent === id) best = Math.max(best, subtreeHeight(child, parents));
  }
  return best + 1;
}

/** Ids from the root down to `id` (inclusive). */
export function ancestry(id: string, parents: Map<string, string | undefined>): string[] {
  const chain: string[] = [];
  for (let cur: string | undefined = id; cur && !chain.includes(cur); cur = parents.get(cur)) {
    chain.unshift(cur);
  }
  return chain;
}
