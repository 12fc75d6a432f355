import { useEffect, useState } from 'react';
import {
  Content,
  EmptyState,
  Header,
  HeaderLabel,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { alertApiRef, useApi, useRouteRef } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  segmentsMemberReadPermission,
  segmentsRuleExecutePermission,
  segmentsRuleUpdatePermission,
} from '@internal/plugin-segments-common';
import EditIcon from '@mui/icons-material/Edit';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import ScheduleIcon from '@mui/icons-material/Schedule';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Grid from '@mui/material/Grid';
import Typography from '@mui/material/Typography';
import { DateTime } from 'luxon';
import { Link as RouterLink, useLocation, useParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { segmentsApiRef } from '../../api';
import {
  editSegmentRouteRef,
  rootRouteRef,
  segmentRouteRef,
} from '../../routes';
import {
  formatDateTime,
  formatRelative,
  formatSchedule,
} from '../shared/format';
import { startExecution } from '../shared/startExecution';
import {
  isExecutionActive,
  useExecutionPolling,
} from '../shared/useExecutionPolling';
import { ChangeReport } from './ChangeReport';
import { ExplainLookup } from './ExplainLookup';
import { MemberCountChart } from './MemberCountChart';
import { MembersTable } from './MembersTable';
import { buildRunRows, RunHistory } from './RunHistory';
import { RunProgress } from './RunProgress';
import { SummaryCards } from './SummaryCards';

/** Navigation state: a run the previous page just started. */
interface DetailLocationState {
  executionId?: string;
}

/**
 * One segment: headline numbers of its latest run, members, change report,
 * member count over time and run history, with Edit and Run now.
 * @public
 */
export function SegmentDetailPage() {
  const { id = '' } = useParams<{ id: string }>();
  const location = useLocation();
  const api = useApi(segmentsApiRef);
  const alertApi = useApi(alertApiRef);
  const rootLink = useRouteRef(rootRouteRef);
  const segmentLink = useRouteRef(segmentRouteRef);
  const editLink = useRouteRef(editSegmentRouteRef);
  const canUpdate = usePermission({
    permission: segmentsRuleUpdatePermission,
    resourceRef: id,
  });
  const canExecute = usePermission({
    permission: segmentsRuleExecutePermission,
    resourceRef: id,
  });
  const canReadMembers = usePermission({
    permission: segmentsMemberReadPermission,
    resourceRef: id,
  });

  const [refreshKey, setRefreshKey] = useState(0);
  const rule = useAsync(() => api.getRule(id), [api, id, refreshKey]);
  const results = useAsync(
    () => api.listResults({ segmentRuleId: id, limit: 50 }),
    [api, id, refreshKey],
  );
  const executions = useAsync(
    () => api.listExecutions({ segmentRuleId: id, limit: 20 }),
    [api, id, refreshKey],
  );
  // A run of all segments is not listed under the segment's id.
  const recentRuns = useAsync(
    () => api.listExecutions({ limit: 5 }),
    [api, refreshKey],
  );
  const latest = results.value?.items[0];
  const latestDetail = useAsync(
    async () => (latest ? api.getResult(latest.id) : undefined),
    [api, latest?.id],
  );
  const parentId = rule.value?.parentSegmentId;
  const parent = useAsync(
    async () => (parentId ? api.getRule(parentId) : undefined),
    [api, parentId],
  );

  const [pollId, setPollId] = useState<string | undefined>(
    (location.state as DetailLocationState | null)?.executionId,
  );
  useEffect(() => {
    if (pollId || !rule.value) return;
    const own = executions.value?.find(isExecutionActive);
    const all =
      rule.value.status === 'active'
        ? recentRuns.value?.find(e => !e.segmentRuleId && isExecutionActive(e))
        : undefined;
    const active = own ?? all;
    if (active) setPollId(active.id);
  }, [pollId, rule.value, executions.value, recentRuns.value]);
  const { execution } = useExecutionPolling(pollId, {
    onFinished: finished => {
      setPollId(undefined);
      setRefreshKey(k => k + 1);
      if (finished.status !== 'success') {
        alertApi.post({
          message: `The run ended ${finished.status}${
            finished.error ? `: ${finished.error}` : ''
          }`,
          severity: 'error',
        });
      }
    },
  });
  const running =
    Boolean(pollId) && (!execution || isExecutionActive(execution));

  const handleRun = async () => {
    try {
      const started = await startExecution(api, id);
      if (started.alreadyRunning) {
        alertApi.post({
          message:
            'A run covering this segment is already going; following it.',
          severity: 'info',
          display: 'transient',
        });
      }
      setPollId(started.executionId);
    } catch (error) {
      alertApi.post({
        message: `Could not start the run: ${(error as Error).message}`,
        severity: 'error',
      });
    }
  };

  const error = rule.error ?? results.error;
  if (
    error ||
    (!rule.value && rule.loading) ||
    (!results.value && results.loading)
  ) {
    return (
      <Page themeId="tool">
        <Header title="Segment" type="Segments" typeLink={rootLink()} />
        <Content>
          {error ? <ResponseErrorPanel error={error} /> : <Progress />}
        </Content>
      </Page>
    );
  }
  const segment = rule.value!;
  const runButton = canExecute.allowed ? (
    <Button
      variant="contained"
      startIcon={<PlayArrowIcon />}
      onClick={handleRun}
      disabled={running}
    >
      {running ? 'Running…' : 'Run now'}
    </Button>
  ) : undefined;
  const asOf = latestDetail.value?.asOf ?? latest?.executedAt;
  const staleRule =
    latest &&
    DateTime.fromISO(segment.updatedAt) > DateTime.fromISO(latest.executedAt);

  return (
    <Page themeId="tool">
      <Header
        title={segment.name}
        subtitle={segment.description || undefined}
        type="Segments"
        typeLink={rootLink()}
      >
        <HeaderLabel label="Status" value={capitalize(segment.status)} />
        <HeaderLabel label="Priority" value={String(segment.priority)} />
        <HeaderLabel
          label="Parent"
          value={parentId ? parent.value?.name ?? '…' : 'None'}
          url={parentId ? segmentLink({ id: parentId }) : undefined}
        />
        <HeaderLabel
          label="Schedule"
          value={formatSchedule(segment.schedule)}
        />
      </Header>
      <Content>
        <Box
          sx={{
            display: 'flex',
            alignItems: 'center',
            gap: 1.5,
            mb: 3,
            flexWrap: 'wrap',
          }}
        >
          <Box
            sx={{ display: 'flex', alignItems: 'center', gap: 1, flexGrow: 1 }}
          >
            <ScheduleIcon fontSize="small" color="action" />
            <Typography
              variant="body2"
              color="text.secondary"
              data-testid="freshness"
            >
              {asOf
                ? `Members as of ${formatDateTime(asOf)} (${formatRelative(
                    latest?.executedAt,
                  )})`
                : 'Not run yet: no members computed'}
            </Typography>
          </Box>
          {canUpdate.allowed && (
            <Button
              component={RouterLink}
              to={editLink({ id })}
              variant="outlined"
              startIcon={<EditIcon />}
            >
              Edit
            </Button>
          )}
          {runButton}
        </Box>
        {running && <RunProgress execution={execution} />}
        {staleRule && !running && (
          <Alert severity="warning" sx={{ mb: 3 }}>
            The rule changed after the last run. Run the segment again to update
            its members.
          </Alert>
        )}
        {!latest && !running && (
          <EmptyState
            missing="data"
            title="This segment has not run yet"
            description="Run it to compute its members, the change report and the statistics. Active segments also run with “Run all” and on their schedule."
            action={runButton}
          />
        )}
        {latest && (
          <Grid container spacing={3}>
            <Grid item xs={12}>
              <SummaryCards result={latest} />
            </Grid>
            {canReadMembers.allowed && (
              <>
                <Grid item xs={12} lg={7}>
                  <MembersTable
                    resultId={latest.id}
                    memberCount={latest.customerCount}
                  />
                </Grid>
                <Grid item xs={12} lg={5}>
                  <ChangeReport result={latest} />
                </Grid>
                <Grid item xs={12}>
                  <ExplainLookup ruleId={id} />
                </Grid>
              </>
            )}
            {!canReadMembers.allowed && !canReadMembers.loading && (
              <Grid item xs={12}>
                <Alert severity="info" data-testid="members-hidden">
                  Who the members are, and who joined or left, is personal data:
                  it needs the permission to read this segment&apos;s members.
                  The numbers above are aggregates.
                </Alert>
              </Grid>
            )}
            <Grid item xs={12} lg={6}>
              <MemberCountChart results={results.value!.items} />
            </Grid>
            <Grid item xs={12} lg={6}>
              <RunHistory
                rows={buildRunRows({
                  results: results.value!.items,
                  executions: executions.value ?? [],
                  active: execution,
                })}
              />
            </Grid>
          </Grid>
        )}
      </Content>
    </Page>
  );
}

function capitalize(s: string) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
