import { InfoCard, Progress } from '@backstage/core-components';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { formatDuration, formatNumber, formatPercent } from '../shared/format';
import type { LintFix } from '@internal/plugin-segments-common';
import type { PreviewCount } from '../../api';
import { LintFindings } from './LintFindings';
import type { PreviewState } from './useRulePreview';

const SAMPLE_ROWS = 8;

/**
 * The live preview of the rule being edited: estimated members, share of all
 * customers and a few sample customers.
 */
export function PreviewPanel(props: {
  state: PreviewState;
  hasConditions: boolean;
  /** Applies a fix the server suggested for a finding. */
  onApplyFix?: (fix: LintFix) => void;
}) {
  const { state, hasConditions, onApplyFix } = props;
  const { countExactly } = state;
  const { response, error, loading } = state;
  const count = response?.validation.valid
    ? (response as PreviewCount)
    : undefined;

  let content: JSX.Element;
  if (!hasConditions) {
    content = (
      <Typography variant="body2" color="text.secondary">
        Add a condition to see how many customers match. The count updates as
        you edit.
      </Typography>
    );
  } else if (!response && !error) {
    content = <Progress />;
  } else if (response && !response.validation.valid) {
    content = (
      <Alert severity="warning" data-testid="preview-invalid">
        <AlertTitle>The rule is not complete yet</AlertTitle>
        {response.validation.errors.length === 1
          ? '1 problem is'
          : `${response.validation.errors.length} problems are`}{' '}
        highlighted in the rule. The preview updates once they are fixed.
      </Alert>
    );
  } else if (count) {
    const share = count.totalCustomers
      ? count.estimatedCount / count.totalCustomers
      : 0;
    content = (
      <>
        <Box sx={{ display: 'flex', alignItems: 'baseline', gap: 1 }}>
          <Typography
            variant="h3"
            component="p"
            data-testid="preview-count"
            sx={{ fontWeight: 600, opacity: loading ? 0.5 : 1 }}
          >
            {count.estimate ? '≈ ' : ''}
            {formatNumber(count.estimatedCount)}
          </Typography>
          <Typography variant="body1" color="text.secondary">
            customers
          </Typography>
        </Box>
        {count.estimate && (
          <Box data-testid="preview-estimate" sx={{ mb: 1 }}>
            <Typography variant="body2" color="text.secondary">
              {formatPercent(count.estimate.confidence)} likely between{' '}
              {formatNumber(count.estimate.low)} and{' '}
              {formatNumber(count.estimate.high)}: estimated from{' '}
              {formatNumber(count.estimate.matchedInSample)} matches among{' '}
              {formatNumber(count.estimate.sampledCustomers)} sampled customers.
            </Typography>
            {countExactly && (
              <Button
                size="small"
                onClick={countExactly}
                disabled={loading}
                sx={{ mt: 0.5, ml: -0.5 }}
              >
                Count exactly
              </Button>
            )}
          </Box>
        )}
        <Typography variant="body2" color="text.secondary">
          {formatPercent(share)} of {formatNumber(count.totalCustomers)}{' '}
          customers
        </Typography>
        <LinearProgress
          variant="determinate"
          value={Math.min(100, share * 100)}
          sx={{ my: 1.5, height: 8, borderRadius: 4 }}
          aria-label="Share of all customers"
        />
        {count.estimatedCount === 0 ? (
          !count.lint?.some(
            i => i.kind === 'noMatch' || i.kind === 'contradiction',
          ) && (
            <Alert severity="warning" sx={{ mt: 1 }}>
              No customer matches this rule today. Check the thresholds and the
              AND / OR of the groups.
            </Alert>
          )
        ) : (
          <>
            <Typography variant="subtitle2" sx={{ mt: 2 }}>
              Sample customers
            </Typography>
            <Table size="small" aria-label="Sample customers">
              <TableHead>
                <TableRow>
                  <TableCell>Customer</TableCell>
                  <TableCell>Country · tier</TableCell>
                  <TableCell align="right">Total spent</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {count.sample.slice(0, SAMPLE_ROWS).map(c => (
                  <TableRow key={c.id}>
                    <TableCell>
                      <Typography variant="body2" noWrap>
                        {c.name ?? c.id}
                      </Typography>
                      {c.name && (
                        <Typography variant="caption" color="text.secondary">
                          {c.id}
                        </Typography>
                      )}
                    </TableCell>
                    <TableCell>
                      {[c.country, c.tier].filter(Boolean).join(' · ') || '—'}
                    </TableCell>
                    <TableCell align="right">
                      {formatNumber(c.totalSpent)}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </>
        )}
        <LintFindings issues={count.lint ?? []} onApplyFix={onApplyFix} />
        <Typography
          variant="caption"
          color="text.secondary"
          component="p"
          sx={{ mt: 1.5 }}
        >
          {count.estimate ? 'Estimated' : 'Counted'} now against live data in{' '}
          {formatDuration(count.durationMs)}. Members are fixed when the segment
          runs.
        </Typography>
      </>
    );
  } else {
    content = <></>;
  }

  return (
    <InfoCard
      title="Live preview"
      subheader="How many customers this rule selects now"
    >
      <Box aria-live="polite" aria-busy={loading}>
        <Box sx={{ height: 4, mb: 1 }}>
          {loading && response && (
            <LinearProgress data-testid="preview-updating" />
          )}
        </Box>
        {error && (
          <Alert severity="error" sx={{ mb: 2 }}>
            The preview failed: {error.message}
          </Alert>
        )}
        {content}
      </Box>
    </InfoCard>
  );
}
