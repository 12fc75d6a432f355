import type { NotToggleProps } from 'react-querybuilder';
import { ruleBuilderTestIds } from '../testIds';
import { NotButton } from './NotButton';

/**
 * NOT toggle of nested groups. The root group is the rule itself, which has
 * no `not` in the SegmentRule JSON, so it gets no toggle. Switching off
 * removes `not` rather than writing `not: false`.
 */
export function GroupNotToggle(props: NotToggleProps) {
  const { path, checked, handleOnChange, disabled, className } = props;
  if (path.length === 0) return null;
  return (
    <NotButton
      className={className}
      checked={!!checked}
      disabled={disabled}
      subject="group"
      testId={ruleBuilderTestIds.groupNot(path)}
      onToggle={() => handleOnChange((checked ? undefined : true) as boolean)}
    />
  );
}
