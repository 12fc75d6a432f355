import Chip from '@mui/material/Chip';
import CircularProgress from '@mui/material/CircularProgress';

const COLORS: Record<
  string,
  'default' | 'info' | 'success' | 'warning' | 'error'
> = {
  queued: 'default',
  running: 'info',
  success: 'success',
  partial: 'warning',
  failed: 'error',
};

/**
 * The status of an execution or of a segment result as a small chip.
 * @public
 */
export function ExecutionStatusChip(props: { status: string }) {
  const { status } = props;
  const busy = status === 'running' || status === 'queued';
  return (
    <Chip
      size="small"
      variant="outlined"
      color={COLORS[status] ?? 'default'}
      icon={busy ? <CircularProgress size={12} color="inherit" /> : undefined}
      label={status.charAt(0).toUpperCase() + status.slice(1)}
    />
  );
}
