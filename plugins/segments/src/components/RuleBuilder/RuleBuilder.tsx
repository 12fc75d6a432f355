import { RuleBuilderProps } from './types';

/**
 * Visual editor of a segment rule (placeholder, being built).
 * @public
 */
export function RuleBuilder(props: RuleBuilderProps): JSX.Element {
  return <pre data-testid="rule-builder">{JSON.stringify(props.value, null, 2)}</pre>;
}
