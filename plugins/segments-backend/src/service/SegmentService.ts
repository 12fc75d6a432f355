import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  RuleValidationError,
  SegmentRule,
  SegmentRuleInput,
  validateRule,
} from '@internal/plugin-segments-common';
import { RuleStore } from '../database/RuleStore';
import { ExecutionQueue } from '../engine/ExecutionQueue';
import { checkParent } from '../engine/hierarchy';
import { checkBeforeSave, ReadableFilter, takeForce } from './ruleChecks';

/** Options of saving a rule: `force` skips the contradiction and duplicate checks. */
export interface SaveOptions {
  force?: boolean;
  /** Limits duplicate detection to the rules the caller may read. */
  readable?: ReadableFilter;
}

/** How to treat children when deleting a segment that has some. */
export type ChildrenMode = 'reparent' | 'delete' | undefined;

/** Rule life cycle and execution requests on top of the stores and engine. */
export class SegmentService {
  private constructor(
    private readonly rules: RuleStore,
    private readonly queue: ExecutionQueue,
  ) {}

  static create(options: { rules: RuleStore; queue: ExecutionQueue }) {
    return new SegmentService(options.rules, options.queue);
  }

  /** Validates a rule body; throws InputError listing every problem with its path. */
  parseRule(body: unknown): SegmentRuleInput {
    const result = validateRule(body);
    if (!result.valid) throw ruleInputError(result.errors);
    return result.rule;
  }

  /**
   * Creates a rule. A rule that can never match answers 400 and one
   * equivalent to a stored segment 409, unless `force` (body or option).
   */
  async createRule(body: unknown, createdBy: string, options: SaveOptions = {}): Promise<SegmentRule> {
    const taken = takeForce(body);
    const input = this.parseRule(taken.body);
    await this.checkHierarchy(undefined, input.parentSegmentId);
    await checkBeforeSave({ rules: this.rules, rule: input, force: taken.force || options.force, readable: options.readable });
    return this.rules.createRule(input, createdBy);
  }

  /** Replaces a rule, with the checks of {@link SegmentService.createRule}. */
  async updateRule(id: string, body: unknown, options: SaveOptions = {}): Promise<SegmentRule> {
    await this.getRule(id);
    const taken = takeForce(body);
    const input = this.parseRule(taken.body);
    await this.checkHierarchy(id, input.parentSegmentId);
    await checkBeforeSave({
      rules: this.rules,
      rule: input,
      ruleId: id,
      force: taken.force || options.force,
      readable: options.readable,
    });
    return this.rules.updateRule(id, input);
  }

  async getRule(id: string) {
    const rule = await this.rules.getRule(id);
    if (!rule) throw new NotFoundError(`No segment rule with id ${id}`);
    return rule;
  }

  /**
   * Deletes a rule. With children and no mode: 409 naming them. `reparent`
   * moves them to the deleted rule's parent (their membership changes on the
   * next run); `delete` removes the whole subtree.
   */
  async deleteRule(id: string, mode: ChildrenMode) {
    const rule = await this.getRule(id);
    const parents = await this.rules.getParents();
    const childIds = [...parents].filter(([, p]) => p === id).map(([c]) => c);
    if (childIds.length && !mode) {
      throw new ConflictError(
        `Segment ${id} has child segments ${childIds.join(', ')}; pass ?children=reparent or ?children=delete`,
      );
    }
    if (mode === 'delete') {
      const descendants = collectDescendants(id, parents);
      await this.rules.deleteRule(id, { deleteIds: descendants });
      return { deleted: [id, ...descendants], reparented: [] as string[] };
    }
    await this.rules.deleteRule(id, {
      deleteIds: [],
      reparent: { childIds, parentId: rule.parentSegmentId },
    });
    return {
      deleted: [id],
      reparented: childIds,
      ...(childIds.length
        ? { note: 'Reparented segments no longer inherit the deleted segment\'s conditions; their members change on their next run.' }
        : {}),
    };
  }

  /**
   * Queues a run of one rule or of every active rule. A run already queued or
   * going for the same rule (or a run of all) answers 409 with its id.
   */
  async requestExecution(options: { segmentRuleId?: string; asOf: number; createdBy: string }) {
    this.queue.assertNoFullRun(options.segmentRuleId);
    if (options.segmentRuleId) await this.getRule(options.segmentRuleId);
    return this.queue.request(options);
  }

  /** Resolves when every queued execution has finished (tests, shutdown). */
  async idle() {
    await this.queue.idle();
  }

  private async checkHierarchy(ruleId: string | undefined, parentId: string | undefined) {
    if (!parentId) return;
    const problem = checkParent({ ruleId, parentId, parents: await this.rules.getParents() });
    if (problem) throw new InputError(`parentSegmentId: ${problem}`);
  }
}

/** An InputError whose message lists each problem as `path: message`. */
export function ruleInputError(errors: RuleValidationError[]) {
  return new InputError(
    `Invalid rule: ${errors.map(e => `${e.path}: ${e.message}`).join('; ')}`,
  );
}

function collectDescendants(id: string, parents: Map<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const [child, parent] of parents) {
    if (parent === id) out.push(child, ...collectDescendants(child, parents));
  }
  return out;
}
