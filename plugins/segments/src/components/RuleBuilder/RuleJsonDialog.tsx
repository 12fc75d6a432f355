import { RuleJsonDialogProps } from './types';

/**
 * Shows the rule as JSON and imports a rule from JSON (placeholder, being built).
 * @public
 */
export function RuleJsonDialog(props: RuleJsonDialogProps): JSX.Element {
  return props.open ? <pre>{JSON.stringify(props.value, null, 2)}</pre> : <></>;
}
