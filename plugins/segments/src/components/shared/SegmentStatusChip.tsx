import Chip from '@mui/material/Chip';
import type { SegmentStatus } from '@internal/plugin-segments-common';

const COLORS: Record<SegmentStatus, 'success' | 'default' | 'warning'> = {
  active: 'success',
  inactive: 'default',
  draft: 'warning',
};

/**
 * The lifecycle status of a segment rule as a small chip.
 * @public
 */
export function SegmentStatusChip(props: { status: SegmentStatus }) {
  const { status } = props;
  return (
    <Chip
      size="small"
      variant={status === 'active' ? 'filled' : 'outlined'}
      color={COLORS[status] ?? 'default'}
      label={status.charAt(0).toUpperCase() + status.slice(1)}
    />
  );
}
