import { createPermission } from '@backstage/plugin-permission-common';

/** Resource type of segment rules, for conditional permission decisions. @public */
export const SEGMENT_RULE_RESOURCE_TYPE = 'segments-rule';

/** Create a segment rule (and preview unsaved rules). @public */
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

/**
 * Read a segment's results: member counts, revenue, churn and change counts
 * over runs (aggregates, no personal data). @public
 */
export const segmentsResultReadPermission = createPermission({
  name: 'segments.result.read',
  attributes: { action: 'read' },
  resourceType: SEGMENT_RULE_RESOURCE_TYPE,
});

/**
 * Read a segment's members and change lists (who joined or left): personal
 * data. @public
 */
export const segmentsMemberReadPermission = createPermission({
  name: 'segments.member.read',
  attributes: { action: 'read' },
  resourceType: SEGMENT_RULE_RESOURCE_TYPE,
});

/** Export a segment's members (personal data) to a file or another system. @public */
export const segmentsMemberExportPermission = createPermission({
  name: 'segments.member.export',
  attributes: { action: 'read' },
  resourceType: SEGMENT_RULE_RESOURCE_TYPE,
});

/** Read execution status, progress and logs. @public */
export const segmentsExecutionReadPermission = createPermission({
  name: 'segments.execution.read',
  attributes: { action: 'read' },
});

/** Ingest customer and order data. @public */
export const segmentsDataWritePermission = createPermission({
  name: 'segments.data.write',
  attributes: { action: 'update' },
});

/** Read data statistics (counts, no personal data). @public */
export const segmentsDataReadPermission = createPermission({
  name: 'segments.data.read',
  attributes: { action: 'read' },
});

/** Read one customer's stored data and segments: personal data. @public */
export const segmentsCustomerReadPermission = createPermission({
  name: 'segments.customer.read',
  attributes: { action: 'read' },
});

/** Export everything stored about one customer (GDPR/PDPA access request). @public */
export const segmentsCustomerExportPermission = createPermission({
  name: 'segments.customer.export',
  attributes: { action: 'read' },
});

/** Erase a customer everywhere (GDPR/PDPA erasure request). @public */
export const segmentsCustomerErasePermission = createPermission({
  name: 'segments.customer.erase',
  attributes: { action: 'delete' },
});

/** Change RFM settings (score bands and weights). @public */
export const segmentsRfmManagePermission = createPermission({
  name: 'segments.rfm.manage',
  attributes: { action: 'update' },
});

/** Read the audit trail. @public */
export const segmentsAuditReadPermission = createPermission({
  name: 'segments.audit.read',
  attributes: { action: 'read' },
});

/** Permissions on one segment (resource type `segments-rule`), for conditional decisions. @public */
export const segmentsRulePermissions = [
  segmentsRuleReadPermission,
  segmentsRuleUpdatePermission,
  segmentsRuleDeletePermission,
  segmentsRuleExecutePermission,
  segmentsResultReadPermission,
  segmentsMemberReadPermission,
  segmentsMemberExportPermission,
];

/** Permissions that do not concern one segment. @public */
export const segmentsBasicPermissions = [
  segmentsRuleCreatePermission,
  segmentsExecutionReadPermission,
  segmentsDataWritePermission,
  segmentsDataReadPermission,
  segmentsCustomerReadPermission,
  segmentsCustomerExportPermission,
  segmentsCustomerErasePermission,
  segmentsRfmManagePermission,
  segmentsAuditReadPermission,
];

/** Every permission of the Segments plugin. @public */
export const segmentsPermissions = [...segmentsBasicPermissions, ...segmentsRulePermissions];
