import { useApi } from '@backstage/core-plugin-api';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { segmentsRuleExecutePermission } from '@internal/plugin-segments-common';
import useAsync from 'react-use/esm/useAsync';

/**
 * Whether to offer "Run all": the user may run every one of the given
 * (active) segments. The execute permission is a resource permission, and the
 * permission backend refuses user requests for those without a resource ref,
 * so each segment is asked for (the permission client batches them into one
 * request). A hint only: the backend decides on `POST /execute` itself.
 */
export function useRunAllPermission(segmentIds: string[]): {
  allowed: boolean;
  loading: boolean;
} {
  const permissionApi = useApi(permissionApiRef);
  const key = [...segmentIds].sort().join(',');
  const { value, loading } = useAsync(async () => {
    if (!key) return false;
    const decisions = await Promise.all(
      key.split(',').map(resourceRef =>
        permissionApi.authorize({
          permission: segmentsRuleExecutePermission,
          resourceRef,
        }),
      ),
    );
    return decisions.every(d => d.result === 'ALLOW');
  }, [permissionApi, key]);
  return { allowed: value === true, loading };
}
