import { useEffect, useMemo, useState } from 'react';
import {
  Content,
  EmptyState,
  Header,
  HeaderLabel,
  Page,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { alertApiRef, useApi, useRouteRef } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  segmentsRuleCreatePermission,
  SegmentStatus,
} from '@internal/plugin-segments-common';
import AddIcon from '@mui/icons-material/Add';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Link as RouterLink } from 'react-router-dom';
import { segmentsApiRef } from '../../api';
import { newSegmentRouteRef } from '../../routes';
import { formatDateTime, formatNumber } from '../shared/format';
import { startExecution } from '../shared/startExecution';
import { useExecutionPolling } from '../shared/useExecutionPolling';
import { useRunAllPermission } from '../shared/useRunAllPermission';
import { AuditHeaderLink } from '../AuditPage/AuditHeaderLink';
import { RunAllBanner } from './RunAllBanner';
import { SearchField } from './SearchField';
import { SegmentsTable } from './SegmentsTable';

type StatusFilter = SegmentStatus | 'all';

/**
 * The Segments home page: every segment with its latest run, search and
 * status filter, and the "New segment" and "Run all" actions.
 * @public
 */
export function SegmentsListPage() {
  const api = useApi(segmentsApiRef);
  const alertApi = useApi(alertApiRef);
  const newSegmentLink = useRouteRef(newSegmentRouteRef);
  const canCreate = usePermission({ permission: segmentsRuleCreatePermission });

  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<StatusFilter>('all');
  const filtered = Boolean(search) || status !== 'all';

  const rules = useAsyncRetry(
    () =>
      api.listRules({
        status: status === 'all' ? undefined : status,
        search: search || undefined,
        limit: 1000,
      }),
    [api, status, search],
  );
  const stats = useAsync(() => api.getDataStats(), [api]);

  // Every segment seen so far (the first load is unfiltered): names of
  // parents outside a filtered list, and the active ones "Run all" covers.
  const [known, setKnown] = useState(
    () => new Map<string, { name: string; status: SegmentStatus }>(),
  );
  useEffect(() => {
    if (!rules.value) return;
    setKnown(prev => {
      const next = new Map(prev);
      rules.value!.items.forEach(r =>
        next.set(r.id, { name: r.name, status: r.status }),
      );
      return next;
    });
  }, [rules.value]);
  const names = useMemo(
    () => new Map([...known].map(([id, r]) => [id, r.name])),
    [known],
  );
  const activeIds = useMemo(
    () => [...known].filter(([, r]) => r.status === 'active').map(([id]) => id),
    [known],
  );
  const canRunAll = useRunAllPermission(activeIds);

  const [runAll, setRunAll] = useState<{ id?: string; starting: boolean }>();
  const { execution } = useExecutionPolling(runAll?.id, {
    onFinished: () => rules.retry(),
  });
  const handleRunAll = async () => {
    setRunAll({ starting: true });
    try {
      const { executionId, alreadyRunning } = await startExecution(api);
      if (alreadyRunning) {
        alertApi.post({
          message: 'A run is already going; showing its progress.',
          severity: 'info',
          display: 'transient',
        });
      }
      setRunAll({ id: executionId, starting: false });
    } catch (error) {
      setRunAll(undefined);
      alertApi.post({
        message: `Could not start the run: ${(error as Error).message}`,
        severity: 'error',
      });
    }
  };
  const running =
    runAll?.starting ||
    execution?.status === 'queued' ||
    execution?.status === 'running';

  const newButton = canCreate.allowed ? (
    <Button
      component={RouterLink}
      to={newSegmentLink()}
      variant="contained"
      startIcon={<AddIcon />}
    >
      New segment
    </Button>
  ) : undefined;

  // Stable, so the table does not remount its body on every render.
  const noMatch = useMemo(
    () => (
      <Box sx={{ p: 4, textAlign: 'center' }}>
        <Typography variant="body1">No segment matches the filter.</Typography>
        <Button
          sx={{ mt: 1 }}
          onClick={() => {
            setSearch('');
            setStatus('all');
          }}
        >
          Clear filters
        </Button>
      </Box>
    ),
    [],
  );

  const total = rules.value?.totalCount ?? 0;
  const empty = !rules.error && !rules.loading && !filtered && total === 0;
  let body: JSX.Element;
  if (rules.error) {
    body = <ResponseErrorPanel error={rules.error} />;
  } else if (empty) {
    body = (
      <EmptyState
        missing="content"
        title="No segments yet"
        description={
          <>
            A segment groups customers by rules on their profile and orders, for
            example VIP customers who spent over 100,000 and ordered in the last
            30 days. Create one, preview how many customers it selects, then run
            it to get its members.
          </>
        }
        action={newButton}
      />
    );
  } else {
    const shown = rules.value?.items ?? [];
    body = (
      <SegmentsTable
        title={
          rules.loading && !rules.value
            ? 'Segments'
            : `Segments (${formatNumber(total)}${
                shown.length < total ? `, first ${shown.length} shown` : ''
              })`
        }
        rules={shown}
        names={names}
        loading={rules.loading}
        emptyContent={noMatch}
      />
    );
  }

  return (
    <Page themeId="tool">
      <Header
        title="Segments"
        subtitle="Group customers by their profile and purchases, run the rules, and follow who joins and leaves"
      >
        {stats.value && (
          <>
            <HeaderLabel
              label="Customers"
              value={formatNumber(stats.value.customers)}
            />
            <HeaderLabel
              label="Orders"
              value={formatNumber(stats.value.orders)}
            />
            <HeaderLabel
              label="Orders through"
              value={formatDateTime(stats.value.lastOrderAt)}
            />
          </>
        )}
        <AuditHeaderLink />
      </Header>
      <Content>
        <Box
          sx={{
            display: 'flex',
            flexWrap: 'wrap',
            alignItems: 'center',
            gap: 2,
            mb: 2,
          }}
        >
          <SearchField
            value={search}
            onChange={setSearch}
            label="Search segments"
            placeholder="Search by name"
          />
          <ToggleButtonGroup
            size="small"
            exclusive
            value={status}
            onChange={(_e, value: StatusFilter | null) =>
              value && setStatus(value)
            }
            aria-label="Filter by status"
          >
            <ToggleButton value="all">All</ToggleButton>
            <ToggleButton value="active">Active</ToggleButton>
            <ToggleButton value="inactive">Inactive</ToggleButton>
            <ToggleButton value="draft">Draft</ToggleButton>
          </ToggleButtonGroup>
          <Box sx={{ flexGrow: 1 }} />
          {canRunAll.allowed && (
            <Button
              variant="outlined"
              startIcon={<PlayArrowIcon />}
              onClick={handleRunAll}
              disabled={running}
            >
              Run all
            </Button>
          )}
          {!empty && newButton}
        </Box>
        {runAll && (
          <RunAllBanner
            execution={execution}
            onClose={() => setRunAll(undefined)}
          />
        )}
        {body}
      </Content>
    </Page>
  );
}
