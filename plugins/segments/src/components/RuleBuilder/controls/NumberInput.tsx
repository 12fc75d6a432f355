import { useEffect, useState } from 'react';
import TextField from '@mui/material/TextField';

/** Props of {@link NumberInput}. */
export interface NumberInputProps {
  value: unknown;
  /** Called with a number, or `null` while the input is empty or not a number. */
  onChange(value: number | null): void;
  disabled?: boolean;
  error?: boolean;
  testId: string;
  ariaLabel: string;
  placeholder?: string;
}

function parse(text: string): number | null {
  if (text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

function toText(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/**
 * A number input that keeps what the user typed (e.g. `1.` or `-`) while the
 * stored value is the parsed number.
 */
export function NumberInput(props: NumberInputProps) {
  const { value, onChange, disabled, error, testId, ariaLabel, placeholder } =
    props;
  const [text, setText] = useState(() => toText(value));
  useEffect(() => {
    // Follow outside changes, but not the echo of our own edits.
    if (parse(text) !== value && toText(value) !== text) setText(toText(value));
  }, [value, text]);
  return (
    <TextField
      size="small"
      type="number"
      sx={{ width: 150 }}
      value={text}
      disabled={disabled}
      error={error}
      placeholder={placeholder ?? 'Number'}
      onChange={e => {
        setText(e.target.value);
        onChange(parse(e.target.value));
      }}
      inputProps={{
        'aria-label': ariaLabel,
        'data-testid': testId,
        step: 'any',
      }}
    />
  );
}
