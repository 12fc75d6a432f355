import { createConditionExports } from '@backstage/plugin-permission-node';
import { segmentRuleResourceRef } from '@internal/plugin-segments-node';
import { segmentRulePermissionRules } from './rules';

const { conditions, createConditionalDecision } = createConditionExports({
  resourceRef: segmentRuleResourceRef,
  rules: segmentRulePermissionRules,
});

/**
 * Conditions on segments for permission policies: `isOwner({ claims })`,
 * `hasVisibility({ claims })`, `hasStatus({ statuses })`.
 * @public
 */
export const segmentsConditions = conditions;

/**
 * Builds a conditional decision on a segment permission (resource type
 * `segments-rule`), e.g. in a policy:
 *
 * ```ts
 * if (isResourcePermission(request.permission, SEGMENT_RULE_RESOURCE_TYPE)) {
 *   return createSegmentsConditionalDecision(request.permission, {
 *     anyOf: [
 *       segmentsConditions.isOwner({ claims: info.ownershipEntityRefs }),
 *       segmentsConditions.hasVisibility({ claims: info.ownershipEntityRefs }),
 *     ],
 *   });
 * }
 * ```
 * @public
 */
export const createSegmentsConditionalDecision = createConditionalDecision;
