import {
  segmentsRuleCreatePermission,
  segmentsRuleDeletePermission,
  segmentsRuleExecutePermission,
  segmentsRuleReadPermission,
  segmentsRuleUpdatePermission,
  validateRule,
} from '@internal/plugin-segments-common';
import Router from 'express-promise-router';
import { z } from 'zod';
import { RuleStore } from '../database/RuleStore';
import { SegmentEngine } from '../engine/SegmentEngine';
import { asOfSchema, pageSchema, parseOrThrow, principalRef, RequestContext } from './requestHelpers';
import { SegmentService } from './SegmentService';

const listQuery = pageSchema.extend({
  status: z.enum(['active', 'inactive', 'draft']).optional(),
  search: z.string().max(200).optional(),
});
const previewBody = z.object({ rule: z.unknown(), asOf: asOfSchema }).strict();
const executeBody = z.object({ asOf: asOfSchema }).strict();
const deleteQuery = z.object({ children: z.enum(['reparent', 'delete']).optional() });

/** Rule CRUD, preview and execution requests. */
export function createRuleRoutes(options: {
  ctx: RequestContext;
  rules: RuleStore;
  service: SegmentService;
  engine: SegmentEngine;
}) {
  const { ctx, rules, service, engine } = options;
  const router = Router();

  router.post('/rules/preview', async (req, res) => {
    await ctx.authorize(req, segmentsRuleCreatePermission);
    const body = parseOrThrow(previewBody, req.body ?? {}, 'preview request');
    const validation = validateRule(body.rule);
    if (!validation.valid) {
      res.json({ validation: { valid: false, errors: validation.errors } });
      return;
    }
    const levels = await engine.levelsFor(validation.rule);
    const preview = await engine.preview({ levels, asOf: body.asOf ?? Date.now() });
    res.json({ ...preview, validation: { valid: true, errors: [] } });
  });

  router.post('/rules', async (req, res) => {
    const credentials = await ctx.authorize(req, segmentsRuleCreatePermission);
    const rule = await ctx.audit(req, 'rule-create', {}, () =>
      service.createRule(req.body, principalRef(credentials)),
    );
    res.status(201).json(rule);
  });

  router.get('/rules', async (req, res) => {
    await ctx.authorize(req, segmentsRuleReadPermission);
    const query = parseOrThrow(listQuery, req.query, 'query');
    res.json(await rules.listRules(query));
  });

  router.get('/rules/:id', async (req, res) => {
    await ctx.authorize(req, segmentsRuleReadPermission, req.params.id);
    res.json(await service.getRule(req.params.id));
  });

  router.put('/rules/:id', async (req, res) => {
    await ctx.authorize(req, segmentsRuleUpdatePermission, req.params.id);
    const rule = await ctx.audit(req, 'rule-update', { ruleId: req.params.id }, () =>
      service.updateRule(req.params.id, req.body),
    );
    res.json(rule);
  });

  router.delete('/rules/:id', async (req, res) => {
    await ctx.authorize(req, segmentsRuleDeletePermission, req.params.id);
    const { children } = parseOrThrow(deleteQuery, req.query, 'query');
    const result = await ctx.audit(req, 'rule-delete', { ruleId: req.params.id, children }, () =>
      service.deleteRule(req.params.id, children),
    );
    res.json(result);
  });

  router.post('/rules/:id/execute', async (req, res) => {
    const credentials = await ctx.authorize(req, segmentsRuleExecutePermission, req.params.id);
    const { asOf } = parseOrThrow(executeBody, req.body ?? {}, 'execute request');
    const executionId = await ctx.audit(req, 'rule-execute', { ruleId: req.params.id }, () =>
      service.requestExecution({
        segmentRuleId: req.params.id,
        asOf: asOf ?? Date.now(),
        createdBy: principalRef(credentials),
      }),
    );
    res.status(202).json({ executionId });
  });

  router.post('/execute', async (req, res) => {
    const credentials = await ctx.authorize(req, segmentsRuleExecutePermission);
    const { asOf } = parseOrThrow(executeBody, req.body ?? {}, 'execute request');
    const executionId = await ctx.audit(req, 'rule-execute', { ruleId: 'all' }, () =>
      service.requestExecution({ asOf: asOf ?? Date.now(), createdBy: principalRef(credentials) }),
    );
    res.status(202).json({ executionId });
  });

  return router;
}
