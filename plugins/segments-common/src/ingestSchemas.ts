import { z } from 'zod';
import { ATTRIBUTE_KEY_PATTERN } from './fields';
import { parseDateValue, timestampSchema } from './dates';
import { idSchema, MAX_ORDER_AMOUNT, textSchema } from './text';

/** Most items one ingestion request may carry. @public */
export const MAX_INGEST_ITEMS = 10_000;

const id = idSchema;
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const text = (max = 200) => textSchema({ max }).optional();
const timestamp = timestampSchema;

/** Validates one customer of `POST /data/customers`. @public */
export const customerSchema = z
  .object({
    id,
    name: text(),
    email: z.string().email('must be an email address').max(320).optional(),
    phone: z
      .string()
      .regex(/^\+?[0-9 ()-]{4,32}$/, 'must be a phone number')
      .optional(),
    country: text(100),
    city: text(100),
    tier: text(50),
    gender: text(50),
    birthDate: z
      .string()
      .refine(
        v => /^\d{4}-\d{2}-\d{2}$/.test(v) && parseDateValue(v) !== undefined,
        'must be a date YYYY-MM-DD',
      )
      .optional(),
    createdAt: timestamp,
    marketingOptOut: z
      .boolean({ invalid_type_error: 'must be true or false' })
      .optional(),
    attributes: z
      .record(
        z
          .string()
          .regex(
            ATTRIBUTE_KEY_PATTERN,
            'attribute keys use letters, digits, _ and - (at most 64)',
          )
          // JSON.parse keeps "__proto__" as a key; objects built from it would drop it silently.
          .refine(
            k => !RESERVED_KEYS.has(k),
            'attribute keys __proto__, constructor and prototype are reserved',
          ),
        z.union([textSchema({ max: 500 }), z.number().finite(), z.boolean()], {
          errorMap: () => ({ message: 'must be a string, number or boolean' }),
        }),
      )
      .refine(r => Object.keys(r).length <= 100, 'at most 100 attributes')
      .optional(),
  })
  .strict();

/** Validates one order of `POST /data/orders`. @public */
export const orderSchema = z
  .object({
    id,
    customerId: id,
    orderedAt: timestamp,
    amount: z
      .number({
        required_error: 'is required',
        invalid_type_error: 'must be a number',
      })
      .finite()
      .min(0, 'must be >= 0')
      .max(
        MAX_ORDER_AMOUNT,
        `must be at most ${MAX_ORDER_AMOUNT.toExponential()}`,
      ),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO currency code')
      .optional(),
    status: z.enum(['completed', 'refunded', 'cancelled'], {
      errorMap: () => ({ message: 'must be completed, refunded or cancelled' }),
    }),
    category: text(100),
    channel: text(50),
  })
  .strict();
