import Autocomplete from '@mui/material/Autocomplete';
import TextField from '@mui/material/TextField';

/** Props of {@link TextInput}. */
export interface TextInputProps {
  value: unknown;
  onChange(value: string): void;
  /** Known values offered as suggestions; any text is still allowed. */
  suggestions?: string[];
  disabled?: boolean;
  error?: boolean;
  testId: string;
  ariaLabel: string;
}

/** A text input, with suggestions when the field has known values. */
export function TextInput(props: TextInputProps) {
  const { value, onChange, suggestions, disabled, error, testId, ariaLabel } =
    props;
  const text = typeof value === 'string' ? value : String(value ?? '');
  const inputProps = { 'aria-label': ariaLabel, 'data-testid': testId };
  if (!suggestions?.length) {
    return (
      <TextField
        size="small"
        sx={{ width: 200 }}
        value={text}
        disabled={disabled}
        error={error}
        placeholder="Text"
        onChange={e => onChange(e.target.value)}
        inputProps={inputProps}
      />
    );
  }
  return (
    <Autocomplete
      freeSolo
      size="small"
      sx={{ width: 220 }}
      options={suggestions}
      disabled={disabled}
      inputValue={text}
      value={text}
      onInputChange={(_e, next, reason) => {
        if (reason !== 'reset' || next !== '') onChange(next);
      }}
      renderInput={params => (
        <TextField
          {...params}
          error={error}
          placeholder="Value"
          inputProps={{ ...params.inputProps, ...inputProps }}
        />
      )}
    />
  );
}
