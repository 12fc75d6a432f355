import {
  segmentsRuleCreatePermission,
  segmentsRuleDeletePermission,
  segmentsRuleExecutePermission,
  segmentsRuleReadPermission,
  segmentsRuleUpdatePermission,
  validateRule,
  idSchema,
} from '@internal/plugin-segments-common';
import Router from 'express-promise-router';
import { z } from 'zod';
import { RuleStore } from '../database/RuleStore';
import { SegmentAnalysis } from '../engine/SegmentAnalysis';
import { SegmentEngine } from '../engine/SegmentEngine';
import { checkParent } from '../engine/hierarchy';
import { asOfSchema, pageSchema, parseOrThrow, principalRef, RequestContext } from './requestHelpers';
import { previewWarnings, readableRules } from './ruleChecks';
import { SegmentService } from './SegmentService';
import { normalizeId } from './requestGuards';

const listQuery = pageSchema.extend({
  status: z.enum(['active', 'inactive', 'draft']).optional(),
  search: z.string().max(200).optional(),
});
const previewBody = z
  .object({ rule: z.unknown(), asOf: asOfSchema, ruleId: idSchema.optional(), exact: z.boolean().optional() })
  .strict();
const forceQuery = z.object({ force: z.enum(['true', 'false']).optional() });
const executeBody = z.object({ asOf: asOfSchema }).strict();
const deleteQuery = z.object({ children: z.enum(['reparent', 'delete']).optional() });

/** Rule CRUD, preview and execution requests. */
export function createRuleRoutes(options: {
  ctx: RequestContext;
  rules: RuleStore;
  service: SegmentService;
  engine: SegmentEngine;
  /** Enables the "no customer matches" breakdown of previews. */
  analysis?: SegmentAnalysis;
}) {
  const { ctx, rules, service, engine } = options;
  const router = Router();
  router.param('id', normalizeId);

  // The preview's sample names customers: personal data, so it is audited.
  router.post('/rules/preview', async (req, res) => {
    const answer = await ctx.audit(
      req,
      'rule-preview',
      {},
      async () => {
        await ctx.authorize(req, segmentsRuleCreatePermission);
        const body = parseOrThrow(previewBody, req.body ?? {}, 'preview request');
        const validation = validateRule(body.rule);
        if (!validation.valid) {
          return { validation: { valid: false, errors: validation.errors } };
        }
        // A parent that saving would refuse (unknown, cycle, too deep) makes the rule invalid here too,
        // instead of previewing it silently without the parent's conditions.
        const parentId = validation.rule.parentSegmentId;
        const parentProblem = parentId && checkParent({ ruleId: body.ruleId, parentId, parents: await rules.getParents() });
        if (parentProblem) {
          return { validation: { valid: false, errors: [{ path: 'parentSegmentId', message: parentProblem }] } };
        }
        const levels = await engine.levelsFor(validation.rule);
        const asOf = body.asOf ?? Date.now();
        const preview = await engine.preview({ levels, asOf, exact: body.exact });
        const lint = await previewWarnings({
          rules,
          analysis: options.analysis,
          levels,
          asOf,
          estimatedCount: preview.estimatedCount,
          ruleId: body.ruleId,
          readable: readableRules(ctx, req, rules),
        });
        return { ...preview, validation: { valid: true, errors: [] }, lint };
      },
      'low',
    );
    res.json(answer);
  });

  router.post('/rules', async (req, res) => {
    const meta: { ruleId?: string } = {};
    const rule = await ctx.audit(req, 'rule-create', meta, async () => {
      const credentials = await ctx.authorize(req, segmentsRuleCreatePermission);
      const { force } = parseOrThrow(forceQuery, req.query, 'query');
      const created = await service.createRule(req.body, principalRef(credentials), {
        force: force === 'true',
        readable: readableRules(ctx, req, rules),
      });
      meta.ruleId = created.id;
      return created;
    });
    res.status(201).json(rule);
  });

  // Lists only the segments the caller may read: a conditional decision becomes a WHERE clause.
  router.get('/rules', async (req, res) => {
    const { filter } = await ctx.ruleFilter(req, segmentsRuleReadPermission);
    const query = parseOrThrow(listQuery, req.query, 'query');
    res.json(await rules.listRules({ ...query, filter }));
  });

  router.get('/rules/:id', async (req, res) => {
    await ctx.authorize(req, segmentsRuleReadPermission, req.params.id);
    res.json(await service.getRule(req.params.id));
  });

  router.put('/rules/:id', async (req, res) => {
    const rule = await ctx.audit(req, 'rule-update', { ruleId: req.params.id }, async () => {
      await ctx.authorize(req, segmentsRuleUpdatePermission, req.params.id);
      const { force } = parseOrThrow(forceQuery, req.query, 'query');
      return service.updateRule(req.params.id, req.body, { force: force === 'true', readable: readableRules(ctx, req, rules) });
    });
    res.json(rule);
  });

  router.delete('/rules/:id', async (req, res) => {
    const id = req.params.id;
    const { children } = parseOrThrow(deleteQuery, req.query, 'query');
    const result = await ctx.audit(req, 'rule-delete', { ruleId: id, ...(children ? { children } : {}) }, async () => {
      await ctx.authorize(req, segmentsRuleDeletePermission, id);
      // Deleting a subtree deletes other segments, reparenting changes them: both need their own permission.
      if (children) {
        const affected = childrenOf(id, await rules.getParents(), children === 'delete');
        await ctx.authorizeEach(
          req,
          children === 'delete' ? segmentsRuleDeletePermission : segmentsRuleUpdatePermission,
          affected,
        );
      }
      return service.deleteRule(id, children);
    });
    res.json(result);
  });

  router.post('/rules/:id/execute', async (req, res) => {
    const executionId = await ctx.audit(req, 'rule-execute', { ruleId: req.params.id }, async () => {
      const credentials = await ctx.authorize(req, segmentsRuleExecutePermission, req.params.id);
      const { asOf } = parseOrThrow(executeBody, req.body ?? {}, 'execute request');
      return service.requestExecution({
        segmentRuleId: req.params.id,
        asOf: asOf ?? Date.now(),
        createdBy: principalRef(credentials),
      });
    });
    res.status(202).json({ executionId });
  });

  // Running every segment needs the execute permission on all of them (an unconditional ALLOW).
  router.post('/execute', async (req, res) => {
    const executionId = await ctx.audit(req, 'rule-execute', { ruleId: 'all' }, async () => {
      const credentials = await ctx.authorize(req, segmentsRuleExecutePermission);
      const { asOf } = parseOrThrow(executeBody, req.body ?? {}, 'execute request');
      return service.requestExecution({ asOf: asOf ?? Date.now(), createdBy: principalRef(credentials) });
    });
    res.status(202).json({ executionId });
  });

  return router;
}

/** The direct children of a rule, or all its descendants. */
function childrenOf(id: string, parents: Map<string, string | undefined>, deep: boolean): string[] {
  const out: string[] = [];
  for (const [child, parent] of parents) {
    if (parent === id) out.push(child, ...(deep ? childrenOf(child, parents, true) : []));
  }
  return out;
}
