/**
 * The Segments backend plugin.
 *
 * @packageDocumentation
 */
export { segmentsPlugin as default } from './plugin';
export { segmentsConditions, createSegmentsConditionalDecision } from './permissions/conditionExports';
export { isOwner, hasVisibility, hasStatus, segmentRulePermissionRules } from './permissions/rules';
export type { AuditRecord, AuditOutcome } from './audit/AuditStore';
