import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { formatNumber } from './format';

/**
 * `+N / -M`: customers who joined and left a segment in its last run.
 * @public
 */
export function ChangeDelta(props: {
  added: number;
  removed: number;
  variant?: 'body2' | 'h5' | 'h4';
}) {
  const { added, removed, variant = 'body2' } = props;
  return (
    <Box
      component="span"
      sx={{ display: 'inline-flex', alignItems: 'baseline', gap: 0.75 }}
      aria-label={`${added} added, ${removed} removed`}
    >
      <Typography
        component="span"
        variant={variant}
        sx={{
          color: added > 0 ? 'success.main' : 'text.secondary',
          fontWeight: 500,
        }}
      >
        +{formatNumber(added)}
      </Typography>
      <Typography component="span" variant={variant} color="text.secondary">
        /
      </Typography>
      <Typography
        component="span"
        variant={variant}
        sx={{
          color: removed > 0 ? 'error.main' : 'text.secondary',
          fontWeight: 500,
        }}
      >
        -{formatNumber(removed)}
      </Typography>
    </Box>
  );
}
