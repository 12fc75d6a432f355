import { LoggerService, UserInfoService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  AuthorizeResult,
  isResourcePermission,
  Permission,
  PermissionCondition,
  PermissionCriteria,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { PermissionPolicy, PolicyQuery, PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  SEGMENT_RULE_RESOURCE_TYPE,
  segmentsAuditReadPermission,
  segmentsCustomerErasePermission,
  segmentsCustomerExportPermission,
  segmentsCustomerReadPermission,
  segmentsDataReadPermission,
  segmentsDataWritePermission,
  segmentsExecutionReadPermission,
  segmentsMemberExportPermission,
  segmentsMemberReadPermission,
  segmentsResultReadPermission,
  segmentsRfmManagePermission,
  segmentsRuleCreatePermission,
  segmentsRuleDeletePermission,
  segmentsRuleExecutePermission,
  segmentsRuleReadPermission,
  segmentsRuleUpdatePermission,
} from '@internal/plugin-segments-common';

/** Roles of the Segments role policy, highest first. @public */
export type SegmentsRole = 'admin' | 'editor' | 'viewer';

/** Entity refs (lower-cased) that hold each role. @public */
export type SegmentsRoleMapping = Record<SegmentsRole, string[]>;

const ROLES: SegmentsRole[] = ['admin', 'editor', 'viewer'];
const ENTITY_REF = /^(group|user):[a-z0-9][\w.-]*\/[a-z0-9][\w.-]*$/i;

/**
 * What each role may do with each Segments permission: `allow`, `deny`, or a
 * condition on the segment: `own` (created by the user), `shared` (its
 * visibility lists one of the user's groups), `ownOrShared`. Permissions not
 * listed here (e.g. added by a later version) are allowed to admins only.
 * @public
 */
export const SEGMENTS_ROLE_MATRIX: Record<string, Record<SegmentsRole, Access>> = {
  [segmentsRuleCreatePermission.name]: { admin: 'allow', editor: 'allow', viewer: 'deny' },
  [segmentsRuleReadPermission.name]: { admin: 'allow', editor: 'allow', viewer: 'shared' },
  [segmentsRuleUpdatePermission.name]: { admin: 'allow', editor: 'own', viewer: 'deny' },
  [segmentsRuleDeletePermission.name]: { admin: 'allow', editor: 'own', viewer: 'deny' },
  [segmentsRuleExecutePermission.name]: { admin: 'allow', editor: 'own', viewer: 'deny' },
  [segmentsResultReadPermission.name]: { admin: 'allow', editor: 'allow', viewer: 'shared' },
  [segmentsMemberReadPermission.name]: { admin: 'allow', editor: 'ownOrShared', viewer: 'deny' },
  [segmentsMemberExportPermission.name]: { admin: 'allow', editor: 'ownOrShared', viewer: 'deny' },
  [segmentsExecutionReadPermission.name]: { admin: 'allow', editor: 'allow', viewer: 'deny' },
  [segmentsDataReadPermission.name]: { admin: 'allow', editor: 'allow', viewer: 'allow' },
  [segmentsDataWritePermission.name]: { admin: 'allow', editor: 'deny', viewer: 'deny' },
  [segmentsCustomerReadPermission.name]: { admin: 'allow', editor: 'deny', viewer: 'deny' },
  [segmentsCustomerExportPermission.name]: { admin: 'allow', editor: 'deny', viewer: 'deny' },
  [segmentsCustomerErasePermission.name]: { admin: 'allow', editor: 'deny', viewer: 'deny' },
  [segmentsRfmManagePermission.name]: { admin: 'allow', editor: 'deny', viewer: 'deny' },
  [segmentsAuditReadPermission.name]: { admin: 'allow', editor: 'deny', viewer: 'deny' },
};

/** One cell of {@link SEGMENTS_ROLE_MATRIX}. @public */
export type Access = 'allow' | 'deny' | 'own' | 'shared' | 'ownOrShared';

/**
 * A permission policy with three Segments roles mapped from groups in
 * app-config (`segments.roles.admin|editor|viewer`):
 *
 * - admin: everything;
 * - editor: create segments, change, delete and run their own, read every
 *   definition and result, members of their own segments and of segments
 *   shared with their groups; no customer records, erasure, ingestion, RFM
 *   settings or audit trail;
 * - viewer: segments shared with their groups and their results, data
 *   statistics; no personal data.
 *
 * Users without a role are denied every Segments permission. Other plugins'
 * permissions are allowed (or denied with `segments.roles.otherPermissions:
 * deny`). Service-to-service requests never reach a policy.
 * @public
 */
export class SegmentsRolePolicy implements PermissionPolicy {
  private constructor(
    private readonly roles: SegmentsRoleMapping,
    private readonly otherPermissions: AuthorizeResult.ALLOW | AuthorizeResult.DENY,
    private readonly userInfo: UserInfoService,
    private readonly logger?: LoggerService,
  ) {}

  static fromConfig(config: Config, options: { userInfo: UserInfoService; logger?: LoggerService }) {
    const roles = {} as SegmentsRoleMapping;
    for (const role of ROLES) {
      const refs = config.getOptionalStringArray(`segments.roles.${role}`) ?? [];
      for (const ref of refs) {
        if (!ENTITY_REF.test(ref)) {
          throw new Error(`segments.roles.${role}: '${ref}' is not an entity ref like group:default/segment-admins`);
        }
      }
      roles[role] = refs.map(r => r.toLowerCase());
    }
    const other = config.getOptionalString('segments.roles.otherPermissions') ?? 'allow';
    if (other !== 'allow' && other !== 'deny') {
      throw new Error(`segments.roles.otherPermissions must be allow or deny, got '${other}'`);
    }
    if (!roles.admin.length) options.logger?.warn('segments.roles.admin is empty: nobody can administer Segments');
    return new SegmentsRolePolicy(
      roles,
      other === 'allow' ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
      options.userInfo,
      options.logger,
    );
  }

  /** The highest role held by a user with these ownership refs (user ref and groups). */
  roleOf(ownershipEntityRefs: string[]): SegmentsRole | undefined {
    const refs = new Set(ownershipEntityRefs.map(r => r.toLowerCase()));
    return ROLES.find(role => this.roles[role].some(ref => refs.has(ref)));
  }

  async handle(request: PolicyQuery, user?: PolicyQueryUser): Promise<PolicyDecision> {
    const { permission } = request;
    if (!permission.name.startsWith('segments.')) return { result: this.otherPermissions };
    if (!user) return { result: AuthorizeResult.DENY };

    const claims = await this.claimsOf(user);
    const role = this.roleOf(claims);
    if (!role) return { result: AuthorizeResult.DENY };
    const access = SEGMENTS_ROLE_MATRIX[permission.name]?.[role] ?? (role === 'admin' ? 'allow' : 'deny');
    return decide(permission, access, claims);
  }

  /** The user's ref and groups, from the user info service (the token's ownership claims). */
  private async claimsOf(user: PolicyQueryUser): Promise<string[]> {
    try {
      const info = await this.userInfo.getUserInfo(user.credentials);
      return [...new Set([info.userEntityRef, ...info.ownershipEntityRefs])];
    } catch (error) {
      this.logger?.warn(`No user info for a permission request, using the user ref only: ${error}`);
      const principal = user.credentials.principal as { userEntityRef?: string };
      return principal.userEntityRef ? [principal.userEntityRef] : [];
    }
  }
}

function decide(permission: Permission, access: Access, claims: string[]): PolicyDecision {
  if (access === 'allow') return { result: AuthorizeResult.ALLOW };
  if (access === 'deny' || !isResourcePermission(permission, SEGMENT_RULE_RESOURCE_TYPE)) {
    return { result: AuthorizeResult.DENY };
  }
  const own = condition('IS_OWNER', claims);
  const shared = condition('HAS_VISIBILITY', claims);
  const byAccess: Record<typeof access, PermissionCriteria<PermissionCondition>> = {
    own,
    shared,
    ownOrShared: { anyOf: [own, shared] },
  };
  const conditions = byAccess[access];
  return {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'segments',
    resourceType: SEGMENT_RULE_RESOURCE_TYPE,
    conditions,
  };
}

/**
 * A condition on the segments backend's permission rules `IS_OWNER` and
 * `HAS_VISIBILITY` (what its `segmentsConditions` build), written out so that
 * this module does not load the whole segments backend.
 */
function condition(
  rule: 'IS_OWNER' | 'HAS_VISIBILITY',
  claims: string[],
): PermissionCriteria<PermissionCondition<typeof SEGMENT_RULE_RESOURCE_TYPE>> {
  return { rule, resourceType: SEGMENT_RULE_RESOURCE_TYPE, params: { claims } };
}
