import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import type { CombinatorSelectorProps } from 'react-querybuilder';
import { ruleBuilderTestIds } from '../testIds';

/** AND / OR switch of a group. */
export function CombinatorSelector(props: CombinatorSelectorProps) {
  const { value, handleOnChange, disabled, path, className, options } = props;
  return (
    <ToggleButtonGroup
      className={className}
      size="small"
      exclusive
      color="primary"
      value={value}
      disabled={disabled}
      onChange={(_e, next) => next && handleOnChange(next)}
      aria-label={
        path.length === 0
          ? 'Match conditions with'
          : 'Match group conditions with'
      }
      data-testid={ruleBuilderTestIds.combinator(path)}
    >
      {options.map(o => (
        <ToggleButton
          key={'name' in o ? o.name : o.label}
          value={'name' in o ? o.name : o.label}
          aria-label={o.label}
          sx={{ py: 0.25, px: 1.25, fontWeight: 700, lineHeight: 1.6 }}
        >
          {o.label}
        </ToggleButton>
      ))}
    </ToggleButtonGroup>
  );
}
