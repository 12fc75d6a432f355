import { z } from 'zod';

const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why a piece of text cannot be stored, or undefined when it can: NUL
 * characters (PostgreSQL cannot store them) and lone surrogates (not Unicode;
 * drivers would silently turn them into U+FFFD). The reason never quotes the
 * text, which may be personal data.
 * @public
 */
export function textProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(value))
    return 'must be valid Unicode text (it holds a lone surrogate)';
  return undefined;
}

/**
 * Text as every input takes it: trimmed, at most `max` characters, no NUL and
 * no lone surrogates. `min: 1` makes it required.
 * @public
 */
export function textSchema(options: { max: number; min?: number }) {
  return z
    .string({ invalid_type_error: 'must be a string' })
    .trim()
    .superRefine((v, ctx) => {
      const problem = textProblem(v);
      if (problem)
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
    })
    .pipe(
      z
        .string()
        .min(options.min ?? 0, 'is required')
        .max(options.max, `must be at most ${options.max} characters`),
    );
}

/** An id (of a customer, order or segment): trimmed, 1 to 100 characters. @public */
export const idSchema = textSchema({ min: 1, max: 100 });

/**
 * Largest amount of one order. Sums of millions of orders stay finite and
 * exact enough in doubles and in PostgreSQL's numeric types.
 * @public
 */
export const MAX_ORDER_AMOUNT = 1e12;
