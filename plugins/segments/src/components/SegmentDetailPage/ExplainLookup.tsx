import { FormEvent, useState } from 'react';
import { InfoCard, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { CustomerExplanation, segmentsApiRef } from '../../api';
import { formatDateTime } from '../shared/format';
import { ExplainTree } from './ExplainTree';

/**
 * "Why is this customer in / not in?": a customer id → the segment's rule
 * tree (with its parents) with the customer's values, each node's outcome,
 * the result, and the single condition that kept them out, if any.
 */
export function ExplainLookup(props: { ruleId: string }) {
  const { ruleId } = props;
  const api = useApi(segmentsApiRef);
  const [customerId, setCustomerId] = useState('');
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<Error>();
  const [answer, setAnswer] = useState<CustomerExplanation>();

  const handleSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const id = customerId.trim();
    if (!id) return;
    setLoading(true);
    setError(undefined);
    try {
      setAnswer(await api.explainCustomer(id, { ruleId }));
    } catch (e) {
      setAnswer(undefined);
      setError(e as Error);
    } finally {
      setLoading(false);
    }
  };

  const missed = answer?.missedByOneCondition ?? [];
  return (
    <InfoCard
      title="Why is this customer in / not in?"
      subheader="Evaluates the rule for one customer, condition by condition"
    >
      <Box
        component="form"
        onSubmit={handleSubmit}
        sx={{ display: 'flex', gap: 1, alignItems: 'center' }}
      >
        <TextField
          size="small"
          label="Customer id"
          value={customerId}
          onChange={e => setCustomerId(e.target.value)}
        />
        <Button type="submit" variant="outlined" disabled={loading}>
          Explain
        </Button>
      </Box>
      <Box sx={{ height: 4, my: 1 }}>{loading && <LinearProgress />}</Box>
      {error && <ResponseErrorPanel error={error} />}
      {answer && (
        <Box data-testid="explanation">
          <Alert
            severity={answer.member ? 'success' : 'info'}
            data-testid="explain-result"
          >
            <AlertTitle>
              {answer.customerId}{' '}
              {answer.member ? 'is a member' : 'is not a member'}
            </AlertTitle>
            {answer.summary}
            <Typography variant="caption" component="div">
              Evaluated as of {formatDateTime(answer.asOf)}
              {answer.latestRun &&
                answer.latestRun.member !== answer.member &&
                `; the latest run (${formatDateTime(
                  answer.latestRun.asOf,
                )}) has them ${answer.latestRun.member ? 'in' : 'out'}`}
            </Typography>
          </Alert>
          {missed.length > 0 && (
            <Alert
              severity="warning"
              sx={{ mt: 1 }}
              data-testid="missed-by-one"
            >
              <AlertTitle>
                Missed by one condition
                {missed.length > 1 ? ' (any one of these)' : ''}
              </AlertTitle>
              {missed.map(m => (
                <div key={`${m.level}-${m.path}`}>{m.message}</div>
              ))}
            </Alert>
          )}
          {answer.levels.map((level, i) => {
            const own = i === answer.levels.length - 1;
            return (
              <Box key={level.ruleId ?? i} sx={{ mt: 2 }}>
                <Typography variant="subtitle2">
                  {own ? 'This segment' : `Parent segment ${level.name ?? ''}`}{' '}
                  — {level.passed ? 'met' : 'not met'}
                </Typography>
                <ExplainTree
                  nodes={level.conditions}
                  logicalOperator={level.logicalOperator}
                  missed={missed.filter(m => m.level === i).map(m => m.path)}
                />
              </Box>
            );
          })}
        </Box>
      )}
    </InfoCard>
  );
}
