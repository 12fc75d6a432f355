import { createHash } from 'crypto';
import { AgePrecision, PersonalDataCodec } from './PersonalDataCodec';

/** A fixed 32-byte test secret, base64, derived from a label. For tests only. */
export function testSecret(label: string): string {
  return createHash('sha256').update(`segments test key: ${label}`).digest('base64');
}

/** Two fixed test keys, for rotation tests. */
export const TEST_KEYS = {
  a: { id: 'test-a', secret: testSecret('a') },
  b: { id: 'test-b', secret: testSecret('b') },
};

/** `segments.encryption` for test backends: key A only. */
export const TEST_ENCRYPTION_CONFIG = { keys: [TEST_KEYS.a] };

/** A codec with test key A (or the given keys). */
export function testPersonalDataCodec(
  options: { keys?: Array<{ id: string; secret: string }>; agePrecision?: AgePrecision } = {},
): PersonalDataCodec {
  return PersonalDataCodec.create({ keys: options.keys ?? [TEST_KEYS.a], agePrecision: options.agePrecision });
}
