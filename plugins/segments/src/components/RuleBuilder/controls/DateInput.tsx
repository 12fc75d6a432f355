import TextField from '@mui/material/TextField';

/** Props of {@link DateInput}. */
export interface DateInputProps {
  value: unknown;
  /** Called with `YYYY-MM-DD` (or the edited timestamp text), or `null` when cleared. */
  onChange(value: string | null): void;
  disabled?: boolean;
  error?: boolean;
  testId: string;
  ariaLabel: string;
}

const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A date picker for `YYYY-MM-DD` values (midnight UTC). Values with a time and
 * offset (valid in the JSON, e.g. from an import) are shown as text so they
 * stay exactly as written.
 */
export function DateInput(props: DateInputProps) {
  const { value, onChange, disabled, error, testId, ariaLabel } = props;
  const text = typeof value === 'string' ? value : '';
  const asText = text !== '' && !PLAIN_DATE.test(text);
  return (
    <TextField
      size="small"
      type={asText ? 'text' : 'date'}
      sx={{ width: asText ? 250 : 170 }}
      value={text}
      disabled={disabled}
      error={error}
      title="Dates are midnight UTC"
      onChange={e => onChange(e.target.value === '' ? null : e.target.value)}
      inputProps={{ 'aria-label': ariaLabel, 'data-testid': testId }}
    />
  );
}
