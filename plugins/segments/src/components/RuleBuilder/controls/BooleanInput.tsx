import type { HTMLAttributes } from 'react';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';

/** Props of {@link BooleanInput}. */
export interface BooleanInputProps {
  value: unknown;
  onChange(value: boolean): void;
  disabled?: boolean;
  error?: boolean;
  testId: string;
  ariaLabel: string;
}

/** A true / false select. */
export function BooleanInput(props: BooleanInputProps) {
  const { value, onChange, disabled, error, testId, ariaLabel } = props;
  return (
    <TextField
      select
      size="small"
      sx={{ minWidth: 110 }}
      value={typeof value === 'boolean' ? String(value) : ''}
      disabled={disabled}
      error={error}
      onChange={e => onChange(e.target.value === 'true')}
      inputProps={{ 'aria-label': ariaLabel }}
      SelectProps={{
        SelectDisplayProps: {
          'aria-label': ariaLabel,
          'data-testid': testId,
        } as HTMLAttributes<HTMLDivElement>,
      }}
    >
      <MenuItem value="true">true</MenuItem>
      <MenuItem value="false">false</MenuItem>
    </TextField>
  );
}
