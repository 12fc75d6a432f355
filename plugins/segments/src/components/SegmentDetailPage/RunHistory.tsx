import { InfoCard } from '@backstage/core-components';
import type {
  SegmentExecution,
  SegmentResult,
} from '@internal/plugin-segments-common';
import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { DateTime } from 'luxon';
import { ChangeDelta } from '../shared/ChangeDelta';
import { ExecutionStatusChip } from '../shared/ExecutionStatusChip';
import {
  durationBetween,
  formatDateTime,
  formatDuration,
  formatNumber,
  formatRelative,
} from '../shared/format';
import { isExecutionActive } from '../shared/useExecutionPolling';

/** One line of the run history. */
interface RunRow {
  key: string;
  at?: string;
  status: string;
  scope: 'This segment' | 'All segments';
  durationMs?: number;
  members?: number;
  added?: number;
  removed?: number;
  error?: string;
  progress?: { processed: number; total: number };
}

const MAX_ROWS = 15;

/**
 * Merges a segment's results with its executions: every result is a run;
 * executions without a result (running, queued or failed) are runs too.
 */
export function buildRunRows(options: {
  results: SegmentResult[];
  executions: SegmentExecution[];
  active?: SegmentExecution;
}): RunRow[] {
  const { results, active } = options;
  const executions = [...options.executions];
  if (active && !executions.some(e => e.id === active.id))
    executions.push(active);
  const byExecution = new Map(executions.map(e => [e.id, e]));
  const withResult = new Set(results.map(r => r.executionId));
  const rows: RunRow[] = results.map(r => {
    const e = byExecution.get(r.executionId);
    return {
      key: r.id,
      at: r.executedAt,
      status: r.status,
      scope: e && !e.segmentRuleId ? 'All segments' : 'This segment',
      durationMs: e
        ? durationBetween(e.startedAt, e.finishedAt) ?? r.executionTime
        : r.executionTime,
      members: r.customerCount,
      added: r.changes.added,
      removed: r.changes.removed,
    };
  });
  for (const e of executions) {
    if (withResult.has(e.id)) continue;
    // A finished run of all segments without a result did not include this one.
    if (!e.segmentRuleId && !isExecutionActive(e)) continue;
    rows.push({
      key: e.id,
      at: e.startedAt ?? e.asOf,
      status: e.status,
      scope: e.segmentRuleId ? 'This segment' : 'All segments',
      durationMs: e.startedAt
        ? durationBetween(e.startedAt, e.finishedAt)
        : undefined,
      error: e.error,
      progress: isExecutionActive(e) ? e.progress : undefined,
    });
  }
  const time = (row: RunRow) =>
    row.at ? DateTime.fromISO(row.at).toMillis() : Infinity;
  return rows.sort((a, b) => time(b) - time(a)).slice(0, MAX_ROWS);
}

/**
 * The latest runs of a segment with status, duration and outcome.
 */
export function RunHistory(props: { rows: RunRow[] }) {
  const { rows } = props;
  return (
    <InfoCard
      title="Run history"
      subheader="Latest runs of this segment"
      variant="gridItem"
      noPadding
    >
      {rows.length === 0 ? (
        <Typography color="text.secondary" sx={{ p: 3 }}>
          No run yet.
        </Typography>
      ) : (
        <Table size="small" aria-label="Run history">
          <TableHead>
            <TableRow>
              <TableCell sx={{ pl: 3 }}>Started</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>Duration</TableCell>
              <TableCell align="right">Members</TableCell>
              <TableCell sx={{ pr: 3 }}>Change</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map(row => (
              <TableRow key={row.key} data-testid="run-row">
                <TableCell sx={{ pl: 3 }}>
                  <Tooltip title={formatDateTime(row.at)}>
                    <span>{formatRelative(row.at)}</span>
                  </Tooltip>
                  <Typography
                    variant="caption"
                    color="text.secondary"
                    component="div"
                  >
                    {row.scope}
                  </Typography>
                </TableCell>
                <TableCell>
                  <ExecutionStatusChip status={row.status} />
                  {row.error && (
                    <Typography variant="caption" color="error" component="div">
                      {row.error}
                    </Typography>
                  )}
                </TableCell>
                <TableCell>
                  {row.progress ? (
                    <Box sx={{ minWidth: 100 }}>
                      <LinearProgress
                        variant={
                          row.progress.total ? 'determinate' : 'indeterminate'
                        }
                        value={
                          row.progress.total
                            ? (100 * row.progress.processed) /
                              row.progress.total
                            : undefined
                        }
                        aria-label="Run progress"
                      />
                      <Typography variant="caption" color="text.secondary">
                        {row.progress.processed} / {row.progress.total || '…'}{' '}
                        segments
                      </Typography>
                    </Box>
                  ) : (
                    formatDuration(row.durationMs)
                  )}
                </TableCell>
                <TableCell align="right">{formatNumber(row.members)}</TableCell>
                <TableCell sx={{ pr: 3 }}>
                  {row.added !== undefined && row.removed !== undefined ? (
                    <ChangeDelta added={row.added} removed={row.removed} />
                  ) : (
                    '—'
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </InfoCard>
  );
}
