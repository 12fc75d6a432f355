import { useApi } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { segmentsRuleExecutePermission } from '@internal/plugin-segments-common';
import useAsync from 'react-use/esm/useAsync';

/**
 * Whether the user may run every active segment at once. The execute
 * permission is a resource permission; `usePermission` denies those without a
 * resource ref, so this asks the permission API without one, as the backend
 * does for `POST /execute`.
 */
export function useRunAllPermission(): { allowed: boolean; loading: boolean } {
  const permissionApi = useApi(permissionApiRef);
  const { value, loading } = useAsync(
    () =>
      permissionApi.authorize({ permission: segmentsRuleExecutePermission }),
    [permissionApi],
  );
  return { allowed: value?.result === 'ALLOW', loading };
}
