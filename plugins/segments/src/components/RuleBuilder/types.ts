import type {
  RuleValidationError,
  SegmentFieldInfo,
} from '@internal/plugin-segments-common';

import type { RuleBuilderValue } from '../../ruleMapping';

export type { RuleBuilderValue };

/**
 * Props of {@link RuleBuilder}.
 * @public
 */
export interface RuleBuilderProps {
  /** Fields as listed by `GET /api/segments/fields`. */
  fields: SegmentFieldInfo[];
  value: RuleBuilderValue;
  onChange(value: RuleBuilderValue): void;
  /** Validation errors, paths like `conditions[1].subConditions[0].value`. */
  errors?: RuleValidationError[];
  disabled?: boolean;
}

/**
 * Props of {@link RuleJsonDialog}.
 * @public
 */
export interface RuleJsonDialogProps {
  open: boolean;
  value: RuleBuilderValue;
  onClose(): void;
  onImport(value: RuleBuilderValue): void;
}
