import { useState } from 'react';
import {
  Content,
  Header,
  Page,
  ResponseErrorPanel,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { segmentsAuditReadPermission } from '@internal/plugin-segments-common';
import Chip from '@mui/material/Chip';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import { AuditRecord, segmentsApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { formatDateTime } from '../shared/format';
import {
  AuditFilters,
  AuditFilterValues,
  auditQuery,
  NO_AUDIT_FILTERS,
} from './AuditFilters';

const OUTCOME_COLOR = {
  success: 'success',
  denied: 'warning',
  failure: 'error',
} as const;

const columns: TableColumn<AuditRecord>[] = [
  { title: 'Time', field: 'at', render: r => formatDateTime(r.at) },
  { title: 'Actor', field: 'actor' },
  { title: 'Action', field: 'action' },
  {
    title: 'Target',
    field: 'targetId',
    render: r =>
      r.targetType ? `${r.targetType} ${r.targetId ?? ''}`.trim() : '—',
  },
  {
    title: 'Outcome',
    field: 'outcome',
    render: r => (
      <Chip
        size="small"
        label={r.status ? `${r.outcome} (${r.status})` : r.outcome}
        color={OUTCOME_COLOR[r.outcome] ?? 'default'}
        variant="outlined"
      />
    ),
  },
  { title: 'Severity', field: 'severity' },
  {
    title: 'Request',
    field: 'requestId',
    render: r => `${r.method ?? ''} ${r.path ?? ''} · ${r.requestId}`.trim(),
  },
];

/**
 * The audit trail for administrators (`/segments/audit`): who did what to
 * which segment or customer, with the outcome, filtered and paged on the
 * server.
 * @public
 */
export function AuditPage() {
  const api = useApi(segmentsApiRef);
  const rootLink = useRouteRef(rootRouteRef);
  const permission = usePermission({ permission: segmentsAuditReadPermission });
  const [filters, setFilters] = useState<AuditFilterValues>(NO_AUDIT_FILTERS);
  const [query, setQuery] = useState(() => auditQuery(NO_AUDIT_FILTERS));
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(20);
  useDebounce(() => setQuery(auditQuery(filters)), 300, [filters]);

  const queryKey = JSON.stringify(query);
  const records = useAsync(
    () =>
      permission.allowed
        ? api.listAudit({ ...query, limit: pageSize, offset: page * pageSize })
        : Promise.resolve(undefined),
    [api, queryKey, page, pageSize, permission.allowed],
  );

  let body: JSX.Element;
  if (!permission.loading && !permission.allowed) {
    body = (
      <WarningPanel
        severity="info"
        title="The audit trail needs the permission to read it"
      />
    );
  } else {
    body = (
      <>
        <AuditFilters
          value={filters}
          onChange={next => {
            setFilters(next);
            setPage(0);
          }}
        />
        {records.error && <ResponseErrorPanel error={records.error} />}
        <Table<AuditRecord>
          title="Audit trail"
          subtitle="Newest first; records hold identifiers and counts, never personal data"
          isLoading={records.loading || permission.loading}
          columns={columns}
          data={records.value?.items ?? []}
          page={page}
          totalCount={records.value?.totalCount ?? 0}
          onPageChange={setPage}
          onRowsPerPageChange={size => {
            setPageSize(size);
            setPage(0);
          }}
          options={{
            search: false,
            paging: true,
            pageSize,
            pageSizeOptions: [20, 50, 100],
            padding: 'dense',
          }}
        />
      </>
    );
  }
  return (
    <Page themeId="tool">
      <Header title="Audit trail" type="Segments" typeLink={rootLink()} />
      <Content>{body}</Content>
    </Page>
  );
}
