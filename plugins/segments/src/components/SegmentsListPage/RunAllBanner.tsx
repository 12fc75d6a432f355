import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import type { SegmentExecution } from '@internal/plugin-segments-common';
import { isExecutionActive } from '../shared/useExecutionPolling';
import { durationBetween, formatDuration } from '../shared/format';

/**
 * Progress and outcome of a "Run all" execution.
 */
export function RunAllBanner(props: {
  execution?: SegmentExecution;
  onClose(): void;
}) {
  const { execution, onClose } = props;
  if (!execution) {
    return (
      <Alert severity="info" sx={{ mb: 2 }}>
        <AlertTitle>Starting a run of all active segments…</AlertTitle>
        <LinearProgress />
      </Alert>
    );
  }
  const { processed, total } = execution.progress;
  if (isExecutionActive(execution)) {
    return (
      <Alert severity="info" sx={{ mb: 2 }} data-testid="run-all-progress">
        <AlertTitle>
          {execution.status === 'queued'
            ? 'Run of all active segments queued'
            : `Running all active segments: ${processed} of ${
                total || '…'
              } done`}
        </AlertTitle>
        <Box sx={{ width: 360, maxWidth: '100%' }}>
          <LinearProgress
            variant={total ? 'determinate' : 'indeterminate'}
            value={total ? (100 * processed) / total : undefined}
          />
        </Box>
      </Alert>
    );
  }
  const duration = formatDuration(
    durationBetween(execution.startedAt, execution.finishedAt),
  );
  const SEVERITY = { success: 'success', partial: 'warning' } as const;
  const severity =
    SEVERITY[execution.status as keyof typeof SEVERITY] ?? 'error';
  return (
    <Alert severity={severity} sx={{ mb: 2 }} onClose={onClose}>
      {execution.status === 'success'
        ? `Ran ${total} segment(s) in ${duration}.`
        : `Run ended ${execution.status}: ${
            execution.error ?? 'see the execution log'
          }.`}
    </Alert>
  );
}
