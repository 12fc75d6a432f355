import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { AuthorizeResult, createPermission, PolicyDecision } from '@backstage/plugin-permission-common';
import {
  segmentsPermissions,
  segmentsAuditReadPermission,
  segmentsCustomerErasePermission,
  segmentsMemberReadPermission,
  segmentsResultReadPermission,
  segmentsRuleCreatePermission,
  segmentsRuleReadPermission,
  segmentsRuleUpdatePermission,
} from '@internal/plugin-segments-common';
import { SEGMENTS_ROLE_MATRIX, SegmentsRolePolicy } from './SegmentsRolePolicy';

const GROUPS: Record<string, string[]> = {
  'user:default/ada': ['group:default/segment-admins'],
  'user:default/eddie': ['group:default/segment-editors', 'group:default/marketing'],
  'user:default/vera': ['group:default/Segment-Viewers', 'group:default/marketing'],
  'user:default/nora': ['group:default/engineering'],
  'user:default/boss': ['group:default/segment-viewers', 'group:default/segment-admins'],
};

const userInfo = {
  async getUserInfo(credentials: any) {
    const ref = credentials.principal.userEntityRef;
    return { userEntityRef: ref, ownershipEntityRefs: [ref, ...(GROUPS[ref] ?? [])] };
  },
};

const config = (roles: object = {}) =>
  new ConfigReader({
    segments: {
      roles: {
        admin: ['group:default/segment-admins'],
        editor: ['group:default/segment-editors'],
        viewer: ['group:default/segment-viewers'],
        ...roles,
      },
    },
  });

const policy = SegmentsRolePolicy.fromConfig(config(), { userInfo });

const decide = (permission: any, user?: string): Promise<PolicyDecision> =>
  policy.handle(
    { permission },
    user ? { credentials: mockCredentials.user(user), info: { userEntityRef: user, ownershipEntityRefs: [] } } : undefined,
  );

const claimsOf = (user: string) => [user, ...GROUPS[user]];
const own = (user: string) => ({ rule: 'IS_OWNER', resourceType: 'segments-rule', params: { claims: claimsOf(user) } });
const shared = (user: string) => ({
  rule: 'HAS_VISIBILITY',
  resourceType: 'segments-rule',
  params: { claims: claimsOf(user) },
});
const conditional = (conditions: object) => ({
  result: AuthorizeResult.CONDITIONAL,
  pluginId: 'segments',
  resourceType: 'segments-rule',
  conditions,
});
const ALLOW = { result: AuthorizeResult.ALLOW };
const DENY = { result: AuthorizeResult.DENY };

describe('SegmentsRolePolicy', () => {
  it('covers every Segments permission in its matrix', () => {
    expect(Object.keys(SEGMENTS_ROLE_MATRIX).sort()).toEqual(segmentsPermissions.map(p => p.name).sort());
  });

  it('maps roles from users and groups, case-insensitively, highest role first', () => {
    expect(policy.roleOf(claimsOf('user:default/ada'))).toBe('admin');
    expect(policy.roleOf(claimsOf('user:default/eddie'))).toBe('editor');
    expect(policy.roleOf(claimsOf('user:default/vera'))).toBe('viewer');
    expect(policy.roleOf(claimsOf('user:default/boss'))).toBe('admin');
    expect(policy.roleOf(claimsOf('user:default/nora'))).toBeUndefined();
    const byUser = SegmentsRolePolicy.fromConfig(config({ admin: ['user:default/Nora'] }), { userInfo });
    expect(byUser.roleOf(claimsOf('user:default/nora'))).toBe('admin');
  });

  it('allows admins everything', async () => {
    for (const permission of segmentsPermissions) {
      expect(await decide(permission, 'user:default/ada')).toEqual(ALLOW);
    }
  });

  it('lets editors create, and change, delete, run and read members of their own segments', async () => {
    const eddie = 'user:default/eddie';
    expect(await decide(segmentsRuleCreatePermission, eddie)).toEqual(ALLOW);
    expect(await decide(segmentsRuleReadPermission, eddie)).toEqual(ALLOW);
    expect(await decide(segmentsResultReadPermission, eddie)).toEqual(ALLOW);
    for (const name of ['segments.rule.update', 'segments.rule.delete', 'segments.rule.execute']) {
      const permission = segmentsPermissions.find(p => p.name === name)!;
      expect(await decide(permission, eddie)).toEqual(conditional(own(eddie)));
    }
    for (const name of ['segments.member.read', 'segments.member.export']) {
      const permission = segmentsPermissions.find(p => p.name === name)!;
      expect(await decide(permission, eddie)).toEqual(conditional({ anyOf: [own(eddie), shared(eddie)] }));
    }
    for (const permission of [segmentsCustomerErasePermission, segmentsAuditReadPermission]) {
      expect(await decide(permission, eddie)).toEqual(DENY);
    }
    for (const name of ['segments.data.write', 'segments.customer.read', 'segments.customer.export', 'segments.rfm.manage']) {
      expect(await decide(segmentsPermissions.find(p => p.name === name)!, eddie)).toEqual(DENY);
    }
  });

  it('lets viewers read the segments shared with their groups, and no personal data', async () => {
    const vera = 'user:default/vera';
    expect(await decide(segmentsRuleReadPermission, vera)).toEqual(conditional(shared(vera)));
    expect(await decide(segmentsResultReadPermission, vera)).toEqual(conditional(shared(vera)));
    expect(await decide(segmentsPermissions.find(p => p.name === 'segments.data.read')!, vera)).toEqual(ALLOW);
    for (const name of [
      'segments.member.read',
      'segments.member.export',
      'segments.customer.read',
      'segments.customer.export',
      'segments.customer.erase',
      'segments.rule.create',
      'segments.rule.update',
      'segments.rule.delete',
      'segments.rule.execute',
      'segments.execution.read',
      'segments.data.write',
      'segments.rfm.manage',
      'segments.audit.read',
    ]) {
      expect([name, await decide(segmentsPermissions.find(p => p.name === name)!, vera)]).toEqual([name, DENY]);
    }
    expect(await decide(segmentsMemberReadPermission, vera)).toEqual(DENY);
  });

  it('denies users without a role and anonymous requests every Segments permission', async () => {
    for (const permission of segmentsPermissions) {
      expect(await decide(permission, 'user:default/nora')).toEqual(DENY);
      expect(await decide(permission)).toEqual(DENY);
    }
  });

  it('denies permissions of a later version to all but admins', async () => {
    const future = createPermission({ name: 'segments.future.thing', attributes: {} });
    expect(await decide(future, 'user:default/ada')).toEqual(ALLOW);
    expect(await decide(future, 'user:default/eddie')).toEqual(DENY);
  });

  it("allows other plugins' permissions unless configured to deny them", async () => {
    const catalogRead = createPermission({ name: 'catalog.entity.read', attributes: { action: 'read' } });
    expect(await decide(catalogRead, 'user:default/nora')).toEqual(ALLOW);
    const strict = SegmentsRolePolicy.fromConfig(config({ otherPermissions: 'deny' }), { userInfo });
    expect(await strict.handle({ permission: catalogRead })).toEqual(DENY);
  });

  it('falls back to the user ref when user info is unavailable', async () => {
    const failing = SegmentsRolePolicy.fromConfig(config({ editor: ['user:default/eddie'] }), {
      userInfo: { getUserInfo: async () => Promise.reject(new Error('no info')) },
      logger: mockServices.logger.mock(),
    });
    const decision = await failing.handle(
      { permission: segmentsRuleUpdatePermission },
      { credentials: mockCredentials.user('user:default/eddie'), info: {} as any },
    );
    expect(decision).toEqual(
      conditional({ rule: 'IS_OWNER', resourceType: 'segments-rule', params: { claims: ['user:default/eddie'] } }),
    );
  });

  it('rejects role entries that are not entity refs', () => {
    expect(() => SegmentsRolePolicy.fromConfig(config({ admin: ['segment-admins'] }), { userInfo })).toThrow(
      /not an entity ref/,
    );
    expect(() => SegmentsRolePolicy.fromConfig(config({ otherPermissions: 'maybe' }), { userInfo })).toThrow(
      /allow or deny/,
    );
  });
});
