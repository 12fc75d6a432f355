import { InfoCard } from '@backstage/core-components';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import type { ChangeSide } from '../../api';
import { formatDateTime, formatNumber } from '../shared/format';
import type { ChangeEffectState } from './useChangeEffect';

const SAMPLE = 5;

function Side(props: { title: string; side: ChangeSide; testId: string }) {
  const { title, side, testId } = props;
  return (
    <Box sx={{ mt: 1.5 }} data-testid={testId}>
      <Typography variant="subtitle2">
        {title}: {formatNumber(side.count)}
      </Typography>
      {side.sample.slice(0, SAMPLE).map(c => (
        <Typography key={c.id} variant="body2" color="text.secondary">
          {c.name ? `${c.name} (${c.id})` : c.id}
        </Typography>
      ))}
      {side.count > SAMPLE && (
        <Typography variant="caption" color="text.secondary">
          and {formatNumber(side.count - Math.min(SAMPLE, side.sample.length))}{' '}
          more
        </Typography>
      )}
    </Box>
  );
}

/**
 * Before saving a stored rule: who would join and who would leave compared
 * with its current members, from `POST /rules/:id/preview-change`.
 */
export function ChangeEffectPanel(props: { state: ChangeEffectState }) {
  const { loading, value, error } = props.state;
  return (
    <InfoCard
      title="Effect of your changes"
      subheader="Compared with the current members, before you save"
    >
      <Box aria-live="polite" aria-busy={loading} data-testid="change-effect">
        <Box sx={{ height: 4, mb: 1 }}>{loading && <LinearProgress />}</Box>
        {error && (
          <Alert severity="error">
            Could not compute the effect: {error.message}
          </Alert>
        )}
        {!value && !error && !loading && (
          <Typography variant="body2" color="text.secondary">
            Edit the rule to see who would join or leave.
          </Typography>
        )}
        {value && (
          <>
            <Typography variant="body1" data-testid="change-effect-counts">
              {formatNumber(value.currentCount)} →{' '}
              {formatNumber(value.proposedCount)} members (
              {formatNumber(value.unchanged)} unchanged)
            </Typography>
            {!value.basedOn && (
              <Typography variant="caption" color="text.secondary">
                The segment has not run yet: everyone matching would join.
              </Typography>
            )}
            {value.basedOn && (
              <Typography variant="caption" color="text.secondary">
                Current members from the run of{' '}
                {formatDateTime(value.basedOn.executedAt)}.
              </Typography>
            )}
            <Side title="Would join" side={value.added} testId="effect-added" />
            <Side
              title="Would leave"
              side={value.removed}
              testId="effect-removed"
            />
          </>
        )}
      </Box>
    </InfoCard>
  );
}
