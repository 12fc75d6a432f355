import { Link, Table, TableColumn } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import Box from '@mui/material/Box';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { SegmentRuleWithResult } from '../../api';
import { segmentRouteRef } from '../../routes';
import { ChangeDelta } from '../shared/ChangeDelta';
import { ExecutionStatusChip } from '../shared/ExecutionStatusChip';
import {
  formatDateTime,
  formatNumber,
  formatRelative,
  formatSchedule,
} from '../shared/format';
import { SegmentStatusChip } from '../shared/SegmentStatusChip';

const PAGE_SIZE = 20;

/**
 * The table of segments with their latest run.
 */
export function SegmentsTable(props: {
  rules: SegmentRuleWithResult[];
  /** Names of every segment seen, to show parents outside a filtered list. */
  names: Map<string, string>;
  loading: boolean;
  title: string;
  emptyContent: JSX.Element;
}) {
  const { rules, names, loading, title, emptyContent } = props;
  const segmentLink = useRouteRef(segmentRouteRef);

  const columns: TableColumn<SegmentRuleWithResult>[] = [
    {
      title: 'Name',
      field: 'name',
      highlight: true,
      render: rule => (
        <Box sx={{ minWidth: 160 }}>
          <Link to={segmentLink({ id: rule.id })}>{rule.name}</Link>
          {rule.description && (
            <Typography
              variant="caption"
              color="text.secondary"
              component="div"
              noWrap
              sx={{ maxWidth: 240 }}
              title={rule.description}
            >
              {rule.description}
            </Typography>
          )}
        </Box>
      ),
    },
    {
      title: 'Status',
      field: 'status',
      render: rule => <SegmentStatusChip status={rule.status} />,
    },
    {
      title: 'Priority',
      field: 'priority',
      type: 'numeric',
      align: 'left',
      width: '90px',
    },
    {
      title: 'Parent',
      field: 'parentSegmentId',
      render: rule =>
        rule.parentSegmentId ? (
          <Link to={segmentLink({ id: rule.parentSegmentId })}>
            {names.get(rule.parentSegmentId) ??
              rule.parentSegmentId.slice(0, 8)}
          </Link>
        ) : (
          <Typography variant="body2" color="text.secondary">
            —
          </Typography>
        ),
    },
    {
      title: 'Members',
      field: 'latestResult.customerCount',
      type: 'numeric',
      align: 'right',
      render: rule =>
        rule.latestResult ? (
          <Typography variant="body2" sx={{ fontWeight: 500 }}>
            {formatNumber(rule.latestResult.customerCount)}
          </Typography>
        ) : (
          <Typography variant="body2" color="text.secondary">
            Not run yet
          </Typography>
        ),
    },
    {
      title: (
        <Tooltip title="Customers who joined / left the segment in its last run, compared with the run before">
          <span>Change</span>
        </Tooltip>
      ),
      sorting: false,
      render: rule =>
        rule.latestResult ? (
          <ChangeDelta
            added={rule.latestResult.added}
            removed={rule.latestResult.removed}
          />
        ) : (
          '—'
        ),
    },
    {
      title: 'Last run',
      field: 'latestResult.executedAt',
      render: rule =>
        rule.latestResult ? (
          <Box
            sx={{
              display: 'flex',
              alignItems: 'center',
              gap: 1,
              flexWrap: 'wrap',
            }}
          >
            <Tooltip title={formatDateTime(rule.latestResult.executedAt)}>
              <Typography variant="body2" noWrap>
                {formatRelative(rule.latestResult.executedAt)}
              </Typography>
            </Tooltip>
            <ExecutionStatusChip status={rule.latestResult.status} />
          </Box>
        ) : (
          <Typography variant="body2" color="text.secondary">
            Never
          </Typography>
        ),
    },
    {
      title: 'Schedule',
      sorting: false,
      render: rule => (
        <Typography
          variant="body2"
          color={rule.schedule ? 'text.primary' : 'text.secondary'}
        >
          {formatSchedule(rule.schedule)}
        </Typography>
      ),
    },
  ];

  return (
    <Table<SegmentRuleWithResult>
      title={title}
      columns={columns}
      data={rules}
      isLoading={loading}
      emptyContent={emptyContent}
      options={{
        search: false,
        paging: rules.length > PAGE_SIZE,
        pageSize: PAGE_SIZE,
        pageSizeOptions: [20, 50, 100],
        draggable: false,
        padding: 'dense',
      }}
    />
  );
}
