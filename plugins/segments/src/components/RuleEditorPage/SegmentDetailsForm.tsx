import Grid from '@mui/material/Grid';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import type { SegmentRuleWithResult } from '../../api';
import type { SegmentDraft } from './SegmentDraft';

/**
 * Name, description, status, priority and parent of a segment.
 */
export function SegmentDetailsForm(props: {
  draft: SegmentDraft;
  onChange(patch: Partial<SegmentDraft>): void;
  /** Segments that may become the parent (the edited one and its descendants excluded). */
  parents: SegmentRuleWithResult[];
  /** Problems by field: `name`, `priority`, `parentSegmentId`, ... */
  errors: Record<string, string | undefined>;
  disabled?: boolean;
}) {
  const { draft, onChange, parents, errors, disabled } = props;
  return (
    <Grid container spacing={2}>
      <Grid item xs={12} md={8}>
        <TextField
          label="Name"
          required
          fullWidth
          value={draft.name}
          onChange={e => onChange({ name: e.target.value })}
          error={Boolean(errors.name)}
          helperText={
            errors.name ?? 'Shown in lists and reports, e.g. "VIP customers"'
          }
          disabled={disabled}
          inputProps={{ maxLength: 200 }}
        />
      </Grid>
      <Grid item xs={12} md={4}>
        <TextField
          select
          label="Status"
          fullWidth
          value={draft.status}
          onChange={e =>
            onChange({ status: e.target.value as SegmentDraft['status'] })
          }
          helperText="Active segments run with “Run all” and on schedule"
          disabled={disabled}
        >
          <MenuItem value="active">Active</MenuItem>
          <MenuItem value="inactive">Inactive</MenuItem>
          <MenuItem value="draft">Draft</MenuItem>
        </TextField>
      </Grid>
      <Grid item xs={12}>
        <TextField
          label="Description"
          fullWidth
          multiline
          minRows={2}
          value={draft.description}
          onChange={e => onChange({ description: e.target.value })}
          error={Boolean(errors.description)}
          helperText={errors.description}
          disabled={disabled}
          inputProps={{ maxLength: 2000 }}
        />
      </Grid>
      <Grid item xs={12} md={4}>
        <TextField
          label="Priority"
          type="number"
          fullWidth
          value={draft.priority}
          onChange={e => onChange({ priority: e.target.value })}
          error={Boolean(errors.priority)}
          helperText={
            errors.priority ??
            'Decides the primary segment of a customer in several; 1 is highest'
          }
          disabled={disabled}
          inputProps={{ min: 1, max: 100000, step: 1 }}
        />
      </Grid>
      <Grid item xs={12} md={8}>
        <TextField
          select
          label="Parent segment"
          fullWidth
          value={draft.parentSegmentId}
          onChange={e => onChange({ parentSegmentId: e.target.value })}
          error={Boolean(errors.parentSegmentId)}
          helperText={
            errors.parentSegmentId ??
            'Members must also meet every condition of the parent'
          }
          disabled={disabled}
          SelectProps={{ displayEmpty: true }}
          InputLabelProps={{ shrink: true }}
        >
          <MenuItem value="">
            <em>None (top-level segment)</em>
          </MenuItem>
          {parents.map(p => (
            <MenuItem key={p.id} value={p.id}>
              {p.name}
            </MenuItem>
          ))}
        </TextField>
      </Grid>
    </Grid>
  );
}
