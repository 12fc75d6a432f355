import { useState } from 'react';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { SegmentResult } from '@internal/plugin-segments-common';
import Box from '@mui/material/Box';
import Tab from '@mui/material/Tab';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TablePagination from '@mui/material/TablePagination';
import TableRow from '@mui/material/TableRow';
import Tabs from '@mui/material/Tabs';
import Typography from '@mui/material/Typography';
import useAsync from 'react-use/esm/useAsync';
import { ChangeType, segmentsApiRef } from '../../api';
import { formatNumber } from '../shared/format';

const PAGE_SIZE = 10;

const EMPTY: Record<ChangeType, string> = {
  added: 'Nobody joined the segment in this run.',
  removed: 'Nobody left the segment in this run.',
  maintained: 'No member stayed from the previous run.',
};

/**
 * Who joined, left and stayed in a segment in one run.
 */
export function ChangeReport(props: { result: SegmentResult }) {
  const { result } = props;
  // Open the first list that has someone in it.
  const [type, setType] = useState<ChangeType>(() => {
    if (result.changes.added > 0) return 'added';
    if (result.changes.removed > 0) return 'removed';
    return result.changes.maintained > 0 ? 'maintained' : 'added';
  });
  const [page, setPage] = useState(0);
  const api = useApi(segmentsApiRef);
  const changes = useAsync(
    () =>
      api.listChanges(result.id, {
        type,
        limit: PAGE_SIZE,
        offset: page * PAGE_SIZE,
      }),
    [api, result.id, type, page],
  );

  const tab = (value: ChangeType, label: string, count: number) => (
    <Tab
      value={value}
      label={`${label} (${formatNumber(count)})`}
      id={`change-tab-${value}`}
    />
  );

  return (
    <InfoCard
      title="Change report"
      subheader="Customers who joined, left or stayed compared with the previous run"
      variant="gridItem"
      noPadding
    >
      <Tabs
        value={type}
        onChange={(_e, value: ChangeType) => {
          setType(value);
          setPage(0);
        }}
        variant="fullWidth"
        sx={{ borderBottom: 1, borderColor: 'divider' }}
      >
        {tab('added', 'Added', result.changes.added)}
        {tab('removed', 'Removed', result.changes.removed)}
        {tab('maintained', 'Maintained', result.changes.maintained)}
      </Tabs>
      <Box
        role="tabpanel"
        aria-labelledby={`change-tab-${type}`}
        sx={{ minHeight: 200 }}
      >
        {changes.loading && <Progress />}
        {changes.error && (
          <Box sx={{ p: 2 }}>
            <ResponseErrorPanel error={changes.error} />
          </Box>
        )}
        {changes.value && changes.value.totalCount === 0 && (
          <Typography color="text.secondary" sx={{ p: 3, textAlign: 'center' }}>
            {EMPTY[type]}
          </Typography>
        )}
        {changes.value && changes.value.totalCount > 0 && (
          <>
            <Table size="small" aria-label={`${type} customers`}>
              <TableBody>
                {changes.value.items.map(customerId => (
                  <TableRow key={customerId}>
                    <TableCell sx={{ fontFamily: 'monospace', pl: 3 }}>
                      {customerId}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            <TablePagination
              component="div"
              count={changes.value.totalCount}
              page={page}
              rowsPerPage={PAGE_SIZE}
              rowsPerPageOptions={[PAGE_SIZE]}
              onPageChange={(_e, p) => setPage(p)}
            />
          </>
        )}
      </Box>
    </InfoCard>
  );
}
