import { createPermissionResourceRef } from '@backstage/plugin-permission-node';
import { SEGMENT_RULE_RESOURCE_TYPE, SegmentRule } from '@internal/plugin-segments-common';

/**
 * A database-independent filter on segment rules that a permission rule's
 * `toQuery` yields; the segments backend translates it to SQL. A rule matches
 * when its property equals one of `values` (for `visibility`: when one of the
 * rule's visibility entries is among `values`). Entity refs compare
 * case-insensitively.
 * @public
 */
export type SegmentRuleFilter = {
  property: 'createdBy' | 'visibility' | 'status';
  values: string[];
};

/**
 * Permission resource reference of segment rules (resource type
 * `segments-rule`), for permission rules and conditional decisions.
 * @public
 */
export const segmentRuleResourceRef = createPermissionResourceRef<SegmentRule, SegmentRuleFilter>().with({
  pluginId: 'segments',
  resourceType: SEGMENT_RULE_RESOURCE_TYPE,
});
