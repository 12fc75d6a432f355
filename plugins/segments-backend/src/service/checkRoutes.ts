import { InputError, NotFoundError } from '@backstage/errors';
import {
  segmentsMemberReadPermission,
  segmentsResultReadPermission,
  subsumes,
  validateRule,
  idSchema,
} from '@internal/plugin-segments-common';
import Router from 'express-promise-router';
import { z } from 'zod';
import { ResultStore } from '../database/ResultStore';
import { RuleStore } from '../database/RuleStore';
import { explainCustomer } from '../engine/explainCustomer';
import { SegmentAnalysis } from '../engine/SegmentAnalysis';
import { asOfSchema, parseOrThrow, RequestContext } from './requestHelpers';
import { levelsOf, lintLevels, NamedLevel } from './ruleChecks';
import { ruleInputError } from './SegmentService';
import { normalizeId } from './requestGuards';

/** Most segments one overlap request may compare. */
export const MAX_OVERLAP_IDS = 50;
/** Up to this many segments, overlap answers also say which contain which by definition. */
export const MAX_CONTAINMENT_IDS = 20;

const overlapQuery = z.object({
  ids: z
    .string({ required_error: 'is required, e.g. ?ids=a,b' })
    .transform(v => [
      ...new Set(
        v
          .split(',')
          .map(s => s.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(
      z
        .array(idSchema)
        .min(2, 'needs at least two segment ids')
        .max(MAX_OVERLAP_IDS, `at most ${MAX_OVERLAP_IDS} ids`),
    ),
});
const explainQuery = z.object({ ruleId: idSchema, asOf: asOfSchema });
const previewChangeBody = z
  .object({ rule: z.unknown(), asOf: asOfSchema })
  .strict();

/**
 * Rule checks that need data: segment overlaps, why a customer is (not) in a
 * segment, and how a rule edit would change the current members.
 */
export function createCheckRoutes(options: {
  ctx: RequestContext;
  rules: RuleStore;
  results: ResultStore;
  analysis: SegmentAnalysis;
}) {
  const { ctx, rules, results, analysis } = options;
  const router = Router();
  router.param('id', normalizeId);

  const getRule = async (id: string) => {
    const rule = await rules.getRule(id);
    if (!rule) throw new NotFoundError(`No segment rule with id ${id}`);
    return rule;
  };

  /**
   * Pairwise member counts of current memberships:
   * `{ segments: [{ id, name, memberCount, latestResultId? }], pairs: [{ a, b, both, onlyA, onlyB, jaccard,
   * aContainsB?, bContainsA? }], matrix }` where `matrix[i][j]` counts customers in both `ids[i]` and
   * `ids[j]` (the diagonal: the sizes). `aContainsB` ('yes' | 'no' | 'unknown', up to
   * {@link MAX_CONTAINMENT_IDS} segments) says whether every customer B can ever select is in A by
   * definition (with ancestors), decided from the rules, not from the data.
   */
  // Counts only (no personal data): the result permission on every segment compared.
  router.get('/overlap', async (req, res) => {
    const { ids } = parseOrThrow(overlapQuery, req.query, 'query');
    const found = new Map((await rules.getRules(ids)).map(r => [r.id, r]));
    // Segments the caller may not read are reported like unknown ids.
    const visible = await ctx.readable(req, [...found.keys()]);
    const unknown = ids.filter(id => !found.has(id) || !visible.has(id));
    if (unknown.length)
      throw new NotFoundError(`No segment rule with id ${unknown.join(', ')}`);
    await ctx.authorizeEach(req, segmentsResultReadPermission, ids);
    const counts = await analysis.overlap(ids);
    const both = (a: string, b: string) =>
      counts.find(c => (c.a === a && c.b === b) || (c.a === b && c.b === a))
        ?.count ?? 0;
    const matrix = ids.map(a => ids.map(b => both(a, b)));
    // Containment by definition (at every asOf), decided from the rules' domains.
    const levels = new Map<string, NamedLevel[]>();
    if (ids.length <= MAX_CONTAINMENT_IDS) {
      const parents = await rules.getParents();
      const byId = new Map(
        (await rules.getRules([...parents.keys()])).map(r => [r.id, r]),
      );
      for (const id of ids)
        levels.set(
          id,
          await levelsOf(rules, found.get(id)!, { parents, byId }),
        );
    }
    const contains = (a: string, b: string) =>
      levels.size
        ? subsumes(levels.get(a)!, levels.get(b)!, { budget: 5_000 })
        : undefined;
    const pairs = [];
    for (let i = 0; i < ids.length; i++) {
      for (let j = i + 1; j < ids.length; j++) {
        const n = matrix[i][j];
        const union = matrix[i][i] + matrix[j][j] - n;
        pairs.push({
          a: ids[i],
          b: ids[j],
          both: n,
          onlyA: matrix[i][i] - n,
          onlyB: matrix[j][j] - n,
          jaccard: union > 0 ? Math.round((n / union) * 10000) / 10000 : 0,
          ...(levels.size
            ? {
                aContainsB: contains(ids[i], ids[j]),
                bContainsA: contains(ids[j], ids[i]),
              }
            : {}),
        });
      }
    }
    res.json({
      segments: ids.map((id, i) => ({
        id,
        name: found.get(id)!.name,
        memberCount: matrix[i][i],
        ...((found.get(id) as any).latestResult?.resultId
          ? { latestResultId: (found.get(id) as any).latestResult.resultId }
          : {}),
      })),
      pairs,
      matrix,
    });
  });

  /**
   * Why a customer is, or is not, in a segment: the rule tree (with its
   * ancestors' levels) with the customer's values and outcomes, evaluated by
   * the TypeScript evaluator on that customer's data at `asOf` (default: the
   * `asOf` of the segment's latest run, else now), plus the current membership.
   */
  router.get('/customers/:id/explain', async (req, res) => {
    const customerId = req.params.id;
    const query = parseOrThrow(explainQuery, req.query, 'query');
    const answer = await ctx.audit(
      req,
      'customer-explain',
      { ruleId: query.ruleId, customerId },
      async () => {
        // A customer's values against the segment: personal data, like member lists.
        await ctx.authorize(req, segmentsMemberReadPermission, query.ruleId);
        const rule = await getRule(query.ruleId);
        const data = await analysis.loadCustomerData(customerId);
        if (!data) throw new NotFoundError(`No customer with id ${customerId}`);
        const latest = rule.latestResult?.resultId
          ? await results.getResult(rule.latestResult.resultId)
          : undefined;
        const asOf =
          query.asOf ?? (latest ? Date.parse(latest.asOf) : Date.now());
        const levels = (await levelsOf(rules, rule)).map(l => ({
          ...l,
          ruleId: l.id,
        }));
        const explanation = explainCustomer({ levels, ...data, asOf });
        return {
          ruleId: rule.id,
          ...explanation,
          latestRun: latest
            ? {
                resultId: latest.id,
                asOf: latest.asOf,
                member: await analysis.isMember(rule.id, customerId),
              }
            : undefined,
        };
      },
      'low',
    );
    res.json(answer);
  });

  /**
   * How an edit of a rule would change its current members:
   * `{ added: { count, sample }, removed: { count, sample }, unchanged, currentCount, proposedCount, asOf, basedOn?, lint }`.
   */
  router.post('/rules/:id/preview-change', async (req, res) => {
    const id = req.params.id;
    const answer = await ctx.audit(
      req,
      'rule-preview-change',
      { ruleId: id },
      async () => {
        // Samples of added and removed customers: personal data, like member lists.
        await ctx.authorize(req, segmentsMemberReadPermission, id);
        const body = parseOrThrow(
          previewChangeBody,
          req.body ?? {},
          'preview-change request',
        );
        const current = await getRule(id);
        const validation = validateRule(body.rule);
        if (!validation.valid) throw ruleInputError(validation.errors);
        if (validation.rule.parentSegmentId === id)
          throw new InputError(
            'parentSegmentId: a segment cannot be its own parent',
          );
        const levels = await levelsOf(rules, { ...validation.rule, id });
        const asOf = body.asOf ?? Date.now();
        const change = await analysis.previewChange({
          ruleId: id,
          levels,
          asOf,
        });
        return {
          ...change,
          asOf: new Date(asOf).toISOString(),
          ...(current.latestResult
            ? {
                basedOn: {
                  resultId: current.latestResult.resultId,
                  executedAt: current.latestResult.executedAt,
                },
              }
            : {}),
          lint: lintLevels(levels).issues,
        };
      },
      'low',
    );
    res.json(answer);
  });

  return router;
}
