import { createPermission } from '@backstage/plugin-permission-common';

/** Resource type of segment rules, for conditional permission decisions. @public */
export const SEGMENT_RULE_RESOURCE_TYPE = 'segments-rule';

/** Create a segment rule. @public */
export const segmentsRuleCreatePermission = createPermission({
  name: 'segments.rule.create',
  attributes: { action: 'create' },
});

/** Read segment definitions (not members). @public */
export const segmentsRuleReadPermission = createPermission({
  name: 'segments.rule.read',
  attributes: { action: 'read' },
  resourceType: SEGMENT_RULE_RESOURCE_TYPE,
});

/** Change a segment rule. @public */
export const segmentsRuleUpdatePermission = createPermission({
  name: 'segments.rule.update',
  attributes: { action: 'update' },
  resourceType: SEGMENT_RULE_RESOURCE_TYPE,
});

/** Delete a segment rule. @public */
export const segmentsRuleDeletePermission = createPermission({
  name: 'segments.rule.delete',
  attributes: { action: 'delete' },
  resourceType: SEGMENT_RULE_RESOURCE_TYPE,
});

/** Run a segment rule (or all of them). @public */
export const segmentsRuleExecutePermission = createPermission({
  name: 'segments.rule.execute',
  attributes: { action: 'update' },
  resourceType: SEGMENT_RULE_RESOURCE_TYPE,
});

/** Read results, change reports and members (personal data) of segments. @public */
export const segmentsResultReadPermission = createPermission({
  name: 'segments.result.read',
  attributes: { action: 'read' },
  resourceType: SEGMENT_RULE_RESOURCE_TYPE,
});

/** Ingest, read and delete customer and order data. @public */
export const segmentsDataWritePermission = createPermission({
  name: 'segments.data.write',
  attributes: { action: 'update' },
});

/** Read customer data and data statistics. @public */
export const segmentsDataReadPermission = createPermission({
  name: 'segments.data.read',
  attributes: { action: 'read' },
});

/** Every permission of the Segments plugin. @public */
export const segmentsPermissions = [
  segmentsRuleCreatePermission,
  segmentsRuleReadPermission,
  segmentsRuleUpdatePermission,
  segmentsRuleDeletePermission,
  segmentsRuleExecutePermission,
  segmentsResultReadPermission,
  segmentsDataWritePermission,
  segmentsDataReadPermission,
];
