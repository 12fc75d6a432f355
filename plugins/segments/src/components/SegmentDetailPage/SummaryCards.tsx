import { ReactNode } from 'react';
import type { SegmentResult } from '@internal/plugin-segments-common';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Grid from '@mui/material/Grid';
import Typography from '@mui/material/Typography';
import { ChangeDelta } from '../shared/ChangeDelta';
import { formatCompact, formatNumber, formatPercent } from '../shared/format';

function StatCard(props: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  testId: string;
}) {
  return (
    <Card sx={{ height: '100%' }} data-testid={props.testId}>
      <CardContent>
        <Typography
          variant="overline"
          color="text.secondary"
          component="h3"
          sx={{ lineHeight: 1.5 }}
        >
          {props.label}
        </Typography>
        <Typography
          variant="h4"
          component="p"
          sx={{ fontWeight: 600, my: 0.5 }}
        >
          {props.value}
        </Typography>
        {props.hint && (
          <Typography variant="body2" color="text.secondary">
            {props.hint}
          </Typography>
        )}
      </CardContent>
    </Card>
  );
}

/**
 * The headline numbers of a segment's latest result.
 */
export function SummaryCards(props: { result: SegmentResult }) {
  const { result } = props;
  const { changes, statistics } = result;
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} sm={6} md>
        <StatCard
          testId="stat-members"
          label="Members"
          value={formatNumber(result.customerCount)}
          hint={`${formatNumber(
            changes.maintained,
          )} stayed from the previous run`}
        />
      </Grid>
      <Grid item xs={12} sm={6} md>
        <StatCard
          testId="stat-changes"
          label="Since previous run"
          value={
            <ChangeDelta
              added={changes.added}
              removed={changes.removed}
              variant="h4"
            />
          }
          hint="joined / left"
        />
      </Grid>
      <Grid item xs={12} sm={6} md>
        <StatCard
          testId="stat-revenue"
          label="Revenue"
          value={formatCompact(statistics.totalRevenue)}
          hint={`${formatNumber(statistics.orderCount)} completed orders`}
        />
      </Grid>
      <Grid item xs={12} sm={6} md>
        <StatCard
          testId="stat-aov"
          label="Average order value"
          value={formatNumber(statistics.avgOrderValue)}
          hint="revenue per completed order"
        />
      </Grid>
      <Grid item xs={12} sm={6} md>
        <StatCard
          testId="stat-churn"
          label="Churn rate"
          value={formatPercent(statistics.churnRate)}
          hint="members without an order in 90 days"
        />
      </Grid>
    </Grid>
  );
}
