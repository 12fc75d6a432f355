import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { SegmentsRolePolicy } from './SegmentsRolePolicy';

/**
 * Installs {@link SegmentsRolePolicy} as the permission policy:
 * `backend.add(import('@internal/plugin-segments-backend-module-permission-policy'))`
 * instead of an allow-all policy. Roles come from `segments.roles` in app-config.
 * @public
 */
export const segmentsPermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'segments-role-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
        logger: coreServices.logger,
      },
      async init({ policy, config, userInfo, logger }) {
        policy.setPolicy(SegmentsRolePolicy.fromConfig(config, { userInfo, logger }));
      },
    });
  },
});
