import type { Path } from 'react-querybuilder';

/**
 * Key of a node path used in test ids: `[]` (the root group) is `root`,
 * `[1, 0]` (first child of the second top-level condition) is `1-0`.
 * Paths follow the JSON: `conditions[1].subConditions[0]` is `[1, 0]`.
 * @public
 */
export function pathKey(path: Path): string {
  return path.length === 0 ? 'root' : path.join('-');
}

/**
 * The `data-testid`s of the rule builder, for end-to-end and component tests.
 * @public
 */
export const ruleBuilderTestIds = {
  /** The builder's outer element. */
  builder: 'segments-rule-builder',
  /** AND / OR toggle of a group (buttons inside are named "AND" and "OR"). */
  combinator: (groupPath: Path) => `segments-combinator-${pathKey(groupPath)}`,
  /** NOT toggle of a nested group (`aria-pressed` tells its state). */
  groupNot: (groupPath: Path) => `segments-group-not-${pathKey(groupPath)}`,
  addRule: (groupPath: Path) => `segments-add-rule-${pathKey(groupPath)}`,
  addGroup: (groupPath: Path) => `segments-add-group-${pathKey(groupPath)}`,
  removeGroup: (groupPath: Path) =>
    `segments-remove-group-${pathKey(groupPath)}`,
  /** Error messages of a group. */
  groupErrors: (groupPath: Path) =>
    `segments-group-errors-${pathKey(groupPath)}`,
  /** NOT toggle of a rule (`aria-pressed` tells its state). */
  ruleNot: (rulePath: Path) => `segments-rule-not-${pathKey(rulePath)}`,
  /** The field input (a searchable combobox: type the label, pick the option). */
  field: (rulePath: Path) => `segments-field-${pathKey(rulePath)}`,
  /** The operator select (click it, then pick `li[data-value="<operator>"]`). */
  operator: (rulePath: Path) => `segments-operator-${pathKey(rulePath)}`,
  /** The value input of single-value operators and of lists (type, then Enter). */
  value: (rulePath: Path) => `segments-value-${pathKey(rulePath)}`,
  /** Low end of `between` / `notBetween`. */
  valueFrom: (rulePath: Path) => `segments-value-${pathKey(rulePath)}-from`,
  /** High end of `between` / `notBetween`. */
  valueTo: (rulePath: Path) => `segments-value-${pathKey(rulePath)}-to`,
  removeRule: (rulePath: Path) => `segments-remove-rule-${pathKey(rulePath)}`,
  /** Error messages of a rule. */
  ruleErrors: (rulePath: Path) => `segments-rule-errors-${pathKey(rulePath)}`,
  /** Errors whose condition is not in the builder (e.g. answered for an older version). */
  otherErrors: 'segments-rule-errors-other',
};
