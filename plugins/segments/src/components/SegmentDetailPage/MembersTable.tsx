import { useState } from 'react';
import {
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@mui/material/Box';
import { CustomerSample, segmentsApiRef } from '../../api';
import { formatNumber } from '../shared/format';

const columns: TableColumn<CustomerSample>[] = [
  { title: 'Customer ID', field: 'id', cellStyle: { whiteSpace: 'nowrap' } },
  { title: 'Name', field: 'name', highlight: true, render: c => c.name ?? '—' },
  { title: 'Country', field: 'country', render: c => c.country ?? '—' },
  { title: 'Tier', field: 'tier', render: c => c.tier ?? '—' },
  {
    title: 'Total spent',
    field: 'totalSpent',
    type: 'numeric',
    cellStyle: { whiteSpace: 'nowrap' },
    headerStyle: { whiteSpace: 'nowrap' },
    render: c => formatNumber(c.totalSpent),
  },
];

/**
 * Members of a segment result, paged and searched on the server.
 */
export function MembersTable(props: { resultId: string; memberCount: number }) {
  const { resultId, memberCount } = props;
  const api = useApi(segmentsApiRef);
  const [error, setError] = useState<Error>();

  return (
    <Box data-testid="members-table">
      {error && (
        <Box sx={{ mb: 2 }}>
          <ResponseErrorPanel
            error={error}
            title="Could not load the members"
          />
        </Box>
      )}
      <Table<CustomerSample>
        key={resultId}
        title={`Members (${formatNumber(memberCount)})`}
        columns={columns}
        options={{
          search: true,
          searchFieldAlignment: 'right',
          debounceInterval: 300,
          paging: true,
          pageSize: 10,
          pageSizeOptions: [10, 25, 50],
          sorting: false,
          draggable: false,
          padding: 'dense',
        }}
        localization={{
          toolbar: { searchPlaceholder: 'Search by ID or exact email' },
          body: { emptyDataSourceMessage: 'No member matches the search' },
        }}
        data={async query => {
          try {
            const page = await api.listMembers(resultId, {
              search: query.search?.trim() || undefined,
              limit: query.pageSize,
              offset: query.page * query.pageSize,
            });
            setError(undefined);
            return {
              data: page.items,
              page: query.page,
              totalCount: page.totalCount,
            };
          } catch (e) {
            setError(e as Error);
            return { data: [], page: 0, totalCount: 0 };
          }
        }}
      />
    </Box>
  );
}
