import { PermissionsRegistryService } from '@backstage/backend-plugin-api';
import { segmentsBasicPermissions, segmentsRulePermissions } from '@internal/plugin-segments-common';
import { segmentRuleResourceRef } from '@internal/plugin-segments-node';
import { Knex } from 'knex';
import { RuleStore } from '../database/RuleStore';
import { RuleConditionsToKnex } from './conditionsToKnex';
import { segmentRulePermissionRules } from './rules';

/**
 * Registers every Segments permission, the `segments-rule` resource type with
 * its rules and loader, so that `/.well-known/backstage/permissions/metadata`
 * lists them (RBAC admin UIs read it) and the permission backend can apply
 * conditional decisions to single segments. Returns the translator of
 * conditional decisions to SQL for lists.
 */
export function registerSegmentsPermissions(options: {
  permissionsRegistry: PermissionsRegistryService;
  rules: RuleStore;
  database: Knex;
}): RuleConditionsToKnex {
  const { permissionsRegistry, rules } = options;
  permissionsRegistry.addPermissions(segmentsBasicPermissions);
  permissionsRegistry.addResourceType({
    resourceRef: segmentRuleResourceRef,
    permissions: segmentsRulePermissions,
    rules: Object.values(segmentRulePermissionRules),
    getResources: async resourceRefs => {
      // Refs come from the permission backend; anything that cannot be a rule id is simply not found.
      const ids = resourceRefs.filter(ref => typeof ref === 'string' && ref.length <= 100 && !ref.includes('\u0000'));
      const byId = new Map((await rules.getRules(ids)).map(rule => [rule.id, rule]));
      return resourceRefs.map(ref => byId.get(ref));
    },
  });
  return RuleConditionsToKnex.create({
    database: options.database,
    ruleset: permissionsRegistry.getPermissionRuleset(segmentRuleResourceRef),
  });
}
