import { HeaderLabel } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { segmentsAuditReadPermission } from '@internal/plugin-segments-common';
import { auditRouteRef } from '../../routes';

/** A header link to the audit page, for users allowed to read the audit trail. */
export function AuditHeaderLink() {
  const auditLink = useRouteRef(auditRouteRef);
  const { allowed } = usePermission({
    permission: segmentsAuditReadPermission,
  });
  if (!allowed) return null;
  return <HeaderLabel label="Admin" value="Audit trail" url={auditLink()} />;
}
