import {
  AuditorService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { segmentsRuleReadPermission } from '@internal/plugin-segments-common';
import { Config } from '@backstage/config';
import express from 'express';
import Router from 'express-promise-router';
import { createAuditRoutes } from '../audit/auditRoutes';
import { AuditStore } from '../audit/AuditStore';
import { RuleConditionsToKnex } from '../permissions/conditionsToKnex';
import { CustomerStore } from '../database/CustomerStore';
import { ExecutionStore } from '../database/ExecutionStore';
import { ResultStore } from '../database/ResultStore';
import { RuleStore } from '../database/RuleStore';
import { SegmentAnalysis } from '../engine/SegmentAnalysis';
import { SegmentEngine } from '../engine/SegmentEngine';
import { createCheckRoutes } from './checkRoutes';
import { createDataRoutes } from './dataRoutes';
import { FieldCatalog } from './FieldCatalog';
import { errorHandler } from './errorHandler';
import { expensiveRouteLimit, EXPENSIVE_ROUTES } from './rateLimit';
import { jsonBody, rejectBadText } from './requestGuards';
import { RequestContext, requestIdMiddleware } from './requestHelpers';
import { createResultRoutes } from './resultRoutes';
import { createRuleRoutes } from './ruleRoutes';
import { SegmentService } from './SegmentService';

/** Everything the REST API needs. */
export interface RouterOptions {
  /** `segments.rateLimit` (no limits without it, e.g. in unit tests). */
  config?: Config;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  customers: CustomerStore;
  rules: RuleStore;
  results: ResultStore;
  executions: ExecutionStore;
  engine: SegmentEngine;
  service: SegmentService;
  fields: FieldCatalog;
  /** Overlaps, explanations, edit previews and "no match" breakdowns (rule checks). */
  analysis?: SegmentAnalysis;
  /** The audit trail store (`GET /audit`, and a record per audited request). */
  audit?: AuditStore;
  /** Conditional permission decisions on segments to SQL (`GET /rules`). */
  ruleConditions?: RuleConditionsToKnex;
}

/** The `/api/segments` router. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const ctx = new RequestContext(
    options.httpAuth,
    options.permissions,
    options.auditor,
    options.audit,
    options.ruleConditions,
  );
  const router = Router();
  router.use(requestIdMiddleware());
  const limit =
    options.config &&
    expensiveRouteLimit({ config: options.config, httpAuth: options.httpAuth });
  if (limit) {
    for (const [method, path] of EXPENSIVE_ROUTES) router[method](path, limit);
  }
  router.use(jsonBody());
  router.use(rejectBadText());

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/fields', async (req, res) => {
    // Anybody who may read some segments may see which fields rules use.
    await ctx.authorizeSome(req, segmentsRuleReadPermission);
    res.json({ items: await options.fields.listFields() });
  });

  router.use(createDataRoutes({ ctx, customers: options.customers }));
  router.use(
    createRuleRoutes({
      ctx,
      rules: options.rules,
      service: options.service,
      engine: options.engine,
      analysis: options.analysis,
    }),
  );
  if (options.analysis)
    router.use(
      createCheckRoutes({
        ctx,
        rules: options.rules,
        results: options.results,
        analysis: options.analysis,
      }),
    );
  router.use(
    createResultRoutes({
      ctx,
      results: options.results,
      executions: options.executions,
      engine: options.engine,
    }),
  );
  router.use(createAuditRoutes({ ctx, audit: options.audit! }));
  router.use(errorHandler(options.logger));
  return router;
}
