import { useState } from 'react';
import SearchIcon from '@mui/icons-material/Search';
import InputAdornment from '@mui/material/InputAdornment';
import TextField from '@mui/material/TextField';
import useDebounce from 'react-use/esm/useDebounce';

/**
 * A search box that reports its trimmed text once typing pauses. It keeps its
 * own state so that key strokes do not re-render the page around it.
 */
export function SearchField(props: {
  value: string;
  onChange(value: string): void;
  label: string;
  placeholder?: string;
  delayMs?: number;
}) {
  const { value, onChange, label, placeholder, delayMs = 300 } = props;
  const [text, setText] = useState(value);
  const [lastValue, setLastValue] = useState(value);
  if (value !== lastValue) {
    // Cleared from outside (e.g. "Clear filters").
    setLastValue(value);
    setText(value);
  }
  useDebounce(
    () => {
      if (text.trim() !== value) onChange(text.trim());
    },
    delayMs,
    [text],
  );
  return (
    <TextField
      size="small"
      placeholder={placeholder}
      value={text}
      onChange={e => setText(e.target.value)}
      inputProps={{ 'aria-label': label }}
      InputProps={{
        startAdornment: (
          <InputAdornment position="start">
            <SearchIcon fontSize="small" />
          </InputAdornment>
        ),
      }}
      sx={{ width: 280 }}
    />
  );
}
