import Autocomplete from '@mui/material/Autocomplete';
import Chip from '@mui/material/Chip';
import TextField from '@mui/material/TextField';
import type { SegmentDataType } from '@internal/plugin-segments-common';

/** Props of {@link ListInput}. */
export interface ListInputProps {
  value: unknown;
  onChange(value: unknown[]): void;
  /** Element type: numbers are stored as numbers. */
  elementType: SegmentDataType;
  /** Known values to pick from; other values can be typed (Enter adds one). */
  options?: string[];
  disabled?: boolean;
  error?: boolean;
  testId: string;
  ariaLabel: string;
}

function toElement(text: string, type: SegmentDataType): unknown {
  if (type === 'number') {
    const n = Number(text);
    return text.trim() !== '' && Number.isFinite(n) ? n : text;
  }
  return text;
}

/**
 * A multi-select for "is one of", "is not one of" and "has all of": known
 * values are offered, anything else can be typed; pasting `a, b, c` adds three.
 */
export function ListInput(props: ListInputProps) {
  const {
    value,
    onChange,
    elementType,
    options = [],
    disabled,
    error,
    testId,
    ariaLabel,
  } = props;
  const items = Array.isArray(value) ? value : [];
  const asText = items.map(v => String(v));
  const placeholder = options.length
    ? 'Pick or type values'
    : 'Type a value, then Enter';
  const commit = (texts: string[]) => {
    const parts = texts
      .flatMap(t => t.split(','))
      .map(t => t.trim())
      .filter(t => t !== '');
    onChange(Array.from(new Set(parts)).map(t => toElement(t, elementType)));
  };
  return (
    <Autocomplete
      multiple
      freeSolo
      autoSelect
      filterSelectedOptions
      size="small"
      sx={{ minWidth: 260, maxWidth: 520 }}
      options={options}
      disabled={disabled}
      value={asText}
      onChange={(_e, next) => commit(next as string[])}
      renderTags={(tags, getTagProps) =>
        tags.map((tag, index) => {
          const { key, ...tagProps } = getTagProps({ index });
          return <Chip key={key} size="small" label={tag} {...tagProps} />;
        })
      }
      renderInput={params => (
        <TextField
          {...params}
          error={error}
          placeholder={items.length ? undefined : placeholder}
          inputProps={{
            ...params.inputProps,
            'aria-label': ariaLabel,
            'data-testid': testId,
          }}
        />
      )}
    />
  );
}
