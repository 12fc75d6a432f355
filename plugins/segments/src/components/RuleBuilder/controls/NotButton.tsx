import ToggleButton from '@mui/material/ToggleButton';
import Tooltip from '@mui/material/Tooltip';

/** Props of {@link NotButton}. */
export interface NotButtonProps {
  checked: boolean;
  onToggle(): void;
  disabled?: boolean;
  testId: string;
  /** What is negated, for the accessible name, e.g. "rule" or "group". */
  subject: string;
  className?: string;
}

/**
 * A compact NOT toggle shared by rules and groups: pressed, it turns red and
 * negates the rule or group.
 */
export function NotButton(props: NotButtonProps) {
  const { checked, onToggle, disabled, testId, subject, className } = props;
  return (
    <Tooltip
      title={
        checked
          ? `Negated: matches when the ${subject} is false`
          : `Negate this ${subject}`
      }
    >
      <span className={className}>
        <ToggleButton
          value="not"
          size="small"
          color="error"
          selected={checked}
          disabled={disabled}
          onChange={onToggle}
          aria-label={`NOT (negate ${subject})`}
          data-testid={testId}
          sx={{
            py: 0.25,
            px: 1,
            fontWeight: 700,
            lineHeight: 1.6,
            minWidth: 44,
          }}
        >
          NOT
        </ToggleButton>
      </span>
    </Tooltip>
  );
}
