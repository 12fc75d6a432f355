import Box from '@mui/material/Box';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import type { ListAuditRequest } from '../../api';

/** The filters of the audit page, as typed (dates as `datetime-local` text). */
export interface AuditFilterValues {
  actor: string;
  action: string;
  outcome: '' | NonNullable<ListAuditRequest['outcome']>;
  from: string;
  to: string;
}

/** No filter. */
export const NO_AUDIT_FILTERS: AuditFilterValues = {
  actor: '',
  action: '',
  outcome: '',
  from: '',
  to: '',
};

function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const t = new Date(local);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

/** The query of `GET /audit` for the typed filters. */
export function auditQuery(values: AuditFilterValues): ListAuditRequest {
  return {
    actor: values.actor.trim() || undefined,
    action: values.action.trim() || undefined,
    outcome: values.outcome || undefined,
    from: toIso(values.from),
    to: toIso(values.to),
  };
}

/** Actor, action, outcome and time range filters of the audit trail. */
export function AuditFilters(props: {
  value: AuditFilterValues;
  onChange(value: AuditFilterValues): void;
}) {
  const { value, onChange } = props;
  const set = (patch: Partial<AuditFilterValues>) =>
    onChange({ ...value, ...patch });
  return (
    <Box sx={{ display: 'flex', gap: 2, flexWrap: 'wrap', mb: 2 }}>
      <TextField
        size="small"
        label="Actor"
        placeholder="user:default/ada"
        value={value.actor}
        onChange={e => set({ actor: e.target.value })}
      />
      <TextField
        size="small"
        label="Action"
        placeholder="rule-update,rule-delete"
        value={value.action}
        onChange={e => set({ action: e.target.value })}
      />
      <TextField
        select
        size="small"
        label="Outcome"
        value={value.outcome}
        onChange={e =>
          set({ outcome: e.target.value as AuditFilterValues['outcome'] })
        }
        sx={{ minWidth: 140 }}
        SelectProps={{ inputProps: { 'data-testid': 'outcome-filter' } }}
      >
        <MenuItem value="">Any</MenuItem>
        <MenuItem value="success">Success</MenuItem>
        <MenuItem value="denied">Denied</MenuItem>
        <MenuItem value="failure">Failure</MenuItem>
      </TextField>
      <TextField
        size="small"
        type="datetime-local"
        label="From"
        InputLabelProps={{ shrink: true }}
        value={value.from}
        onChange={e => set({ from: e.target.value })}
      />
      <TextField
        size="small"
        type="datetime-local"
        label="To"
        InputLabelProps={{ shrink: true }}
        value={value.to}
        onChange={e => set({ to: e.target.value })}
      />
    </Box>
  );
}
