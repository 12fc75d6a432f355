import { useMemo, useState } from 'react';
import {
  Content,
  Header,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { alertApiRef, useApi, useRouteRef } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  applyLintFix,
  LintFix,
  RuleValidationError,
  segmentsRuleCreatePermission,
  segmentsRuleExecutePermission,
  segmentsRuleUpdatePermission,
  SegmentRule,
  validateRule,
} from '@internal/plugin-segments-common';
import DataObjectIcon from '@mui/icons-material/DataObject';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import SaveIcon from '@mui/icons-material/Save';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Grid from '@mui/material/Grid';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useNavigate, useParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { segmentsApiRef, SegmentRuleWithResult } from '../../api';
import {
  editSegmentRouteRef,
  rootRouteRef,
  segmentRouteRef,
} from '../../routes';
import { RuleBuilder, RuleJsonDialog } from '../RuleBuilder';
import { startExecution } from '../shared/startExecution';
import { PreviewPanel } from './PreviewPanel';
import { SaveErrorPanel } from './SaveErrorPanel';
import { SegmentDetailsForm } from './SegmentDetailsForm';
import {
  draftFromRule,
  EMPTY_DRAFT,
  inputFromDraft,
  SegmentDraft,
} from './SegmentDraft';
import { useRulePreview } from './useRulePreview';
import { ChangeEffectPanel } from './ChangeEffectPanel';
import { RuleChecks } from './RuleChecks';
import { useChangeEffect } from './useChangeEffect';
import { useRuleLint, withoutLocalIssues } from './useRuleLint';

/**
 * Creates (`/segments/new`) or edits (`/segments/:id/edit`) a segment: its
 * details, the rule builder, a live preview, Save and Run now.
 * @public
 */
export function RuleEditorPage() {
  const { id } = useParams<{ id: string }>();
  const api = useApi(segmentsApiRef);

  const loaded = useAsync(async () => {
    return id ? api.getRule(id) : undefined;
  }, [api, id]);

  // The loaded rule may still be the previous route's while the next loads.
  const rule =
    loaded.value && loaded.value.id === id ? loaded.value : undefined;
  let body: JSX.Element;
  if (loaded.error) {
    body = <ResponseErrorPanel error={loaded.error} />;
  } else if (id && !rule) {
    body = <Progress />;
  } else {
    // A fresh editor per rule: its state starts from the stored rule.
    body = <RuleEditor key={rule?.id ?? 'new'} rule={rule} />;
  }
  const rootLink = useRouteRef(rootRouteRef);
  return (
    <Page themeId="tool">
      <Header
        title={headerTitle(rule, id)}
        type="Segments"
        typeLink={rootLink()}
      />
      <Content>{body}</Content>
    </Page>
  );
}

function headerTitle(rule: SegmentRule | undefined, id: string | undefined) {
  if (rule) return `Edit ${rule.name}`;
  return id ? 'Edit segment' : 'New segment';
}

function RuleEditor(props: { rule?: SegmentRule }) {
  const { rule } = props;
  const api = useApi(segmentsApiRef);
  const alertApi = useApi(alertApiRef);
  const navigate = useNavigate();
  const rootLink = useRouteRef(rootRouteRef);
  const segmentLink = useRouteRef(segmentRouteRef);
  const editLink = useRouteRef(editSegmentRouteRef);

  const canCreate = usePermission({ permission: segmentsRuleCreatePermission });
  const canUpdate = usePermission({
    permission: segmentsRuleUpdatePermission,
    resourceRef: rule?.id,
  });
  const canExecute = usePermission({
    permission: segmentsRuleExecutePermission,
    resourceRef: rule?.id,
  });
  const canSave = rule ? canUpdate : canCreate;

  const initial = useMemo(
    () => (rule ? draftFromRule(rule) : EMPTY_DRAFT),
    [rule],
  );
  const [draft, setDraft] = useState<SegmentDraft>(initial);
  const [savedDraft, setSavedDraft] = useState<SegmentDraft | undefined>(
    rule ? initial : undefined,
  );
  const dirty = JSON.stringify(draft) !== JSON.stringify(savedDraft);
  const [saving, setSaving] = useState(false);
  const [running, setRunning] = useState(false);
  const [saveError, setSaveError] = useState<Error>();
  const [formErrors, setFormErrors] = useState<RuleValidationError[]>([]);
  const [jsonOpen, setJsonOpen] = useState(false);

  const fields = useAsync(() => api.getFields(), [api]);
  const allRules = useAsync(() => api.listRules({ limit: 1000 }), [api]);
  const parents = useMemo(
    () => possibleParents(allRules.value?.items ?? [], rule?.id),
    [allRules.value, rule?.id],
  );

  const preview = useRulePreview({
    logicalOperator: draft.rule.logicalOperator,
    conditions: draft.rule.conditions,
    parentSegmentId: draft.parentSegmentId || undefined,
    ruleId: rule?.id,
  });
  // Checked in the browser on every change, before any request.
  const lint = useRuleLint(draft.rule, draft.parentSegmentId || undefined);
  const effectInput = rule && dirty ? inputFromDraft(draft, rule) : undefined;
  const changeEffect = useChangeEffect(
    rule?.id,
    effectInput && validateRule(effectInput).valid ? effectInput : undefined,
  );
  const previewErrors =
    preview.response && !preview.response.validation.valid
      ? preview.response.validation.errors
      : [];
  const ruleErrors = dedupe([
    ...lint.errors,
    ...previewErrors,
    ...formErrors.filter(e => e.path.startsWith('conditions[')),
  ]);
  const fieldErrors: Record<string, string | undefined> = {};
  for (const e of formErrors) {
    const key = e.path.split(/[.[]/)[0];
    if (key !== 'conditions' && !fieldErrors[key]) fieldErrors[key] = e.message;
  }
  const otherErrors = formErrors.filter(
    e =>
      e.path === 'conditions' ||
      ![
        'name',
        'description',
        'priority',
        'parentSegmentId',
        'conditions',
      ].includes(e.path.split(/[.[]/)[0]),
  );

  const update = (patch: Partial<SegmentDraft>) => {
    setDraft(d => ({ ...d, ...patch }));
    setFormErrors(errs =>
      errs.filter(e => !Object.keys(patch).includes(e.path.split(/[.[]/)[0])),
    );
  };

  const handleApplyFix = (fix: LintFix) => {
    try {
      update({ rule: applyLintFix(draft.rule, fix) });
    } catch (error) {
      alertApi.post({
        message: `The fix no longer applies: ${(error as Error).message}`,
        severity: 'warning',
        display: 'transient',
      });
    }
  };

  const handleSave = async (force = false) => {
    setSaveError(undefined);
    const input = inputFromDraft(draft, rule);
    const validation = validateRule(input);
    if (!validation.valid) {
      setFormErrors(validation.errors);
      return;
    }
    setFormErrors([]);
    setSaving(true);
    try {
      const saved = rule
        ? await api.updateRule(rule.id, input, { force })
        : await api.createRule(input, { force });
      setSavedDraft(draft);
      alertApi.post({
        message: `Segment "${saved.name}" saved.`,
        severity: 'success',
        display: 'transient',
      });
      if (!rule) {
        // The editor remounts for the stored rule; Run now becomes available.
        navigate(editLink({ id: saved.id }), { replace: true });
      }
    } catch (error) {
      setSaveError(error as Error);
    } finally {
      setSaving(false);
    }
  };

  const handleRun = async () => {
    if (!rule) return;
    setRunning(true);
    try {
      const { executionId } = await startExecution(api, rule.id);
      navigate(segmentLink({ id: rule.id }), { state: { executionId } });
    } catch (error) {
      setRunning(false);
      alertApi.post({
        message: `Could not start the run: ${(error as Error).message}`,
        severity: 'error',
      });
    }
  };

  const readOnly = !canSave.loading && !canSave.allowed;

  return (
    <>
      <Box
        sx={{
          display: 'flex',
          alignItems: 'center',
          gap: 1.5,
          mb: 3,
          flexWrap: 'wrap',
        }}
      >
        <Typography variant="body2" color="text.secondary" sx={{ flexGrow: 1 }}>
          {!rule && 'Not saved yet'}
          {rule && (dirty ? 'Unsaved changes' : 'All changes saved')}
        </Typography>
        <Button
          onClick={() =>
            navigate(rule ? segmentLink({ id: rule.id }) : rootLink())
          }
        >
          {rule ? 'Back to segment' : 'Cancel'}
        </Button>
        {!readOnly && (
          <Button
            variant="contained"
            startIcon={<SaveIcon />}
            onClick={() => handleSave()}
            disabled={saving || (!!rule && !dirty)}
          >
            {saving ? 'Saving…' : 'Save'}
          </Button>
        )}
        {rule && canExecute.allowed && (
          <Tooltip
            title={
              dirty ? 'Save your changes first' : 'Compute the members now'
            }
          >
            <span>
              <Button
                variant="outlined"
                startIcon={<PlayArrowIcon />}
                onClick={handleRun}
                disabled={dirty || running}
              >
                Run now
              </Button>
            </span>
          </Tooltip>
        )}
      </Box>
      {readOnly && (
        <Alert severity="info" sx={{ mb: 3 }}>
          You can look at this segment but not change it: you lack the
          permission to {rule ? 'update segments' : 'create segments'}.
        </Alert>
      )}
      {saveError && (
        <SaveErrorPanel
          error={saveError}
          onForce={() => handleSave(true)}
          saving={saving}
        />
      )}
      {otherErrors.length > 0 && (
        <Alert severity="error" sx={{ mb: 3 }}>
          {otherErrors.map(e => (
            <div key={`${e.path}:${e.message}`}>
              {e.path === '(rule)' ? '' : `${e.path}: `}
              {e.message}
            </div>
          ))}
        </Alert>
      )}
      <Grid container spacing={3}>
        <Grid item xs={12} lg={8}>
          <InfoCard title="Details">
            <SegmentDetailsForm
              draft={draft}
              onChange={update}
              parents={parents}
              errors={fieldErrors}
              disabled={readOnly}
            />
          </InfoCard>
          <Box sx={{ mt: 3 }}>
            <InfoCard
              title="Rule"
              subheader="Customers who match these conditions become members"
              action={
                <Button
                  size="small"
                  startIcon={<DataObjectIcon />}
                  onClick={() => setJsonOpen(true)}
                  sx={{ mt: 1, mr: 1 }}
                >
                  JSON
                </Button>
              }
            >
              {fields.loading && <Progress />}
              {fields.error && <ResponseErrorPanel error={fields.error} />}
              {fields.value && (
                <RuleBuilder
                  fields={fields.value}
                  value={draft.rule}
                  onChange={value => update({ rule: value })}
                  errors={ruleErrors}
                  disabled={readOnly}
                />
              )}
              <RuleChecks
                issues={lint.issues}
                rule={draft.rule}
                parentLevels={lint.parentLevels}
                onApplyFix={readOnly ? undefined : handleApplyFix}
              />
            </InfoCard>
          </Box>
        </Grid>
        <Grid item xs={12} lg={4}>
          <Box sx={{ position: { lg: 'sticky' }, top: { lg: 16 } }}>
            <PreviewPanel
              onApplyFix={readOnly ? undefined : handleApplyFix}
              state={withoutLocalIssues(preview, lint)}
              hasConditions={draft.rule.conditions.length > 0}
            />
            {rule && dirty && !readOnly && (
              <Box sx={{ mt: 3 }}>
                <ChangeEffectPanel state={changeEffect} />
              </Box>
            )}
          </Box>
        </Grid>
      </Grid>
      <RuleJsonDialog
        open={jsonOpen}
        value={draft.rule}
        onClose={() => setJsonOpen(false)}
        onImport={value => {
          update({ rule: value });
          setJsonOpen(false);
        }}
      />
    </>
  );
}

/** Every segment except `ruleId` and its descendants (they would form a cycle). */
function possibleParents(
  rules: SegmentRuleWithResult[],
  ruleId: string | undefined,
): SegmentRuleWithResult[] {
  if (!ruleId) return rules;
  const excluded = new Set([ruleId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of rules) {
      if (
        r.parentSegmentId &&
        excluded.has(r.parentSegmentId) &&
        !excluded.has(r.id)
      ) {
        excluded.add(r.id);
        grew = true;
      }
    }
  }
  return rules.filter(r => !excluded.has(r.id));
}

function dedupe(errors: RuleValidationError[]): RuleValidationError[] {
  const seen = new Set<string>();
  return errors.filter(e => {
    const key = `${e.path}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
