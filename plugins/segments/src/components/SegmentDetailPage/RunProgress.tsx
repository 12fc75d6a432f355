import type { SegmentExecution } from '@internal/plugin-segments-common';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import { durationBetween, formatDuration } from '../shared/format';

/**
 * A banner with a progress bar while a run covering the segment is going.
 */
export function RunProgress(props: { execution?: SegmentExecution }) {
  const { execution } = props;
  const processed = execution?.progress.processed ?? 0;
  const total = execution?.progress.total ?? 0;
  const lastLog = execution?.log[execution.log.length - 1];
  let title: string;
  if (!execution) {
    title = 'Starting the run…';
  } else if (execution.status === 'queued') {
    title = 'Run queued: waiting for the previous run to finish';
  } else {
    const scope = execution.segmentRuleId ? '' : ' all active segments';
    title = `Running${scope}: ${processed} of ${total || '…'} segment(s) done`;
  }
  return (
    <Alert
      severity="info"
      icon={false}
      sx={{ mb: 3, '& .MuiAlert-message': { width: '100%' } }}
      data-testid="run-progress"
    >
      <AlertTitle>{title}</AlertTitle>
      <LinearProgress
        variant={total ? 'determinate' : 'indeterminate'}
        value={total ? (100 * processed) / total : undefined}
        sx={{ height: 6, borderRadius: 3 }}
        aria-label="Run progress"
      />
      <Box
        sx={{ display: 'flex', justifyContent: 'space-between', mt: 1, gap: 2 }}
      >
        <Typography variant="caption" color="text.secondary" noWrap>
          {lastLog?.message ?? ''}
        </Typography>
        <Typography variant="caption" color="text.secondary">
          {execution?.startedAt
            ? `${formatDuration(durationBetween(execution.startedAt))} elapsed`
            : ''}
        </Typography>
      </Box>
    </Alert>
  );
}
