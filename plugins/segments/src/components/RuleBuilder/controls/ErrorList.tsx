import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import ErrorOutlineIcon from '@mui/icons-material/ErrorOutline';
import type { NodeError } from '../indexErrors';

const TARGET_LABELS: Record<string, string> = {
  field: 'Field',
  operator: 'Operator',
  value: 'Value',
  dataType: 'Data type',
  logicalOperator: 'AND/OR',
  subConditions: 'Group',
};

function valueLabel(index: number, rangeValue: boolean): string {
  if (!rangeValue) return `Value ${index + 1}`;
  return index === 0 ? 'From' : 'To';
}

function describe(error: NodeError, rangeValue: boolean): string {
  let label = TARGET_LABELS[error.target];
  if (error.target === 'value' && error.index !== undefined) {
    label = valueLabel(error.index, rangeValue);
  }
  return label ? `${label}: ${error.message}` : error.message;
}

/** Props of {@link ErrorList}. */
export interface ErrorListProps {
  errors: NodeError[];
  testId: string;
  /** True when `value[0]`/`value[1]` are the ends of a range. */
  rangeValue?: boolean;
}

/** Validation messages of a rule or group, on a line of their own under it. */
export function ErrorList(props: ErrorListProps) {
  const { errors, testId, rangeValue = false } = props;
  if (errors.length === 0) return null;
  return (
    <Box
      role="alert"
      data-testid={testId}
      className="segments-errors"
      sx={{
        flexBasis: '100%',
        display: 'flex',
        gap: 0.75,
        alignItems: 'flex-start',
        color: 'error.main',
        pl: 0.5,
      }}
    >
      <ErrorOutlineIcon fontSize="small" sx={{ mt: '1px' }} />
      <Box>
        {errors.map((e, i) => (
          <Typography key={i} variant="body2" color="error">
            {describe(e, rangeValue)}
          </Typography>
        ))}
      </Box>
    </Box>
  );
}
