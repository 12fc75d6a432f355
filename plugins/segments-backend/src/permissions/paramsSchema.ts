import { CreatePermissionRuleOptions } from '@backstage/plugin-permission-node';
import { segmentRuleResourceRef } from '@internal/plugin-segments-node';
import { z } from 'zod/v4';

/** What `createPermissionRule` accepts as `paramsSchema`: a Standard Schema with JSON Schema conversion. */
export type RuleParamsSchema<T> = NonNullable<
  CreatePermissionRuleOptions<typeof segmentRuleResourceRef, T & {}>['paramsSchema']
>;

/**
 * Wraps a zod v4 schema as a Standard JSON Schema, which is what permission
 * rules take. The zod in this package (3.25, with `zod/v4`) validates as a
 * Standard Schema but has no `~standard.jsonSchema` converter yet (zod 4.2+);
 * this adds it with `z.toJSONSchema`, so the metadata endpoint serves each
 * rule's parameters as JSON Schema.
 */
export function ruleParamsSchema<S extends z.ZodType>(schema: S): RuleParamsSchema<z.output<S>> {
  const standard = schema['~standard'];
  const toJsonSchema = (options: { target: string }) =>
    z.toJSONSchema(schema, {
      target: options.target === 'draft-2020-12' ? 'draft-2020-12' : 'draft-7',
      io: 'input',
    }) as Record<string, unknown>;
  return {
    '~standard': {
      version: 1,
      vendor: standard.vendor,
      validate: standard.validate,
      jsonSchema: { input: toJsonSchema, output: toJsonSchema },
    },
  } as unknown as RuleParamsSchema<z.output<S>>;
}
