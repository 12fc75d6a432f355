import type { RuleType } from 'react-querybuilder';
import {
  getFieldDefinition,
  OPERATORS_BY_TYPE,
  SegmentFieldInfo,
} from '@internal/plugin-segments-common';
import type { SegmentRuleMeta } from '../../ruleMapping';
import type { NodeError } from './indexErrors';
import type { FieldShape } from './valueDefaults';

/**
 * What the rule builder hands every control through react-querybuilder's
 * `context` prop.
 */
export interface RuleBuilderContext {
  fields: SegmentFieldInfo[];
  fieldsByName: Map<string, SegmentFieldInfo>;
  errorsById: Map<string, NodeError[]>;
}

/** Reads the rule builder context from a control's `context` prop. */
export function builderContext(context: unknown): RuleBuilderContext {
  return (
    (context as RuleBuilderContext | undefined) ?? {
      fields: [],
      fieldsByName: new Map(),
      errorsById: new Map(),
    }
  );
}

/** A field as the builder shows it: the listed field, or one derived for unlisted fields. */
export interface ResolvedField extends FieldShape {
  name: string;
  label: string;
  group: SegmentFieldInfo['group'];
  description?: string;
  /** True when `GET /fields` does not list it (e.g. from imported JSON). */
  unlisted?: boolean;
}

/**
 * The field of a rule. The rule's declared data type wins for `attributes.<key>`
 * fields; fields missing from the list fall back to the built-in definitions.
 */
export function resolveField(
  ctx: RuleBuilderContext,
  rule: Pick<RuleType, 'field' | 'meta'>,
): ResolvedField {
  const meta = rule.meta as SegmentRuleMeta | undefined;
  const listed = ctx.fieldsByName.get(rule.field);
  if (listed) {
    const dataType =
      listed.group === 'attributes' && meta?.dataType
        ? meta.dataType
        : listed.dataType;
    return {
      ...listed,
      dataType,
      operators:
        dataType === listed.dataType
          ? listed.operators
          : OPERATORS_BY_TYPE[dataType],
    };
  }
  const def = getFieldDefinition(rule.field, meta?.dataType);
  if (def) return { ...def, unlisted: true };
  const dataType = meta?.dataType ?? 'string';
  return {
    name: rule.field,
    label: rule.field,
    group: 'customer',
    dataType,
    operators: OPERATORS_BY_TYPE[dataType],
    unlisted: true,
  };
}

/** The errors of a node, optionally only those about `targets`. */
export function nodeErrors(
  ctx: RuleBuilderContext,
  id: string | undefined,
  ...targets: NodeError['target'][]
): NodeError[] {
  const all = (id && ctx.errorsById.get(id)) || [];
  return targets.length ? all.filter(e => targets.includes(e.target)) : all;
}
