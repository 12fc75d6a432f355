import { ConfigReader } from '@backstage/config';
import { mockServices } from '@backstage/backend-test-utils';
import {
  PersonalDataCipher,
  PersonalDataDecryptionError,
  PersonalDataKeyError,
} from './PersonalDataCipher';
import { DEVELOPMENT_KEY_SECRET, PersonalDataCodec } from './PersonalDataCodec';
import { TEST_KEYS, testPersonalDataCodec } from './testKeys';

const CTX = 'customers.email:c1';

describe('PersonalDataCipher', () => {
  const cipher = PersonalDataCipher.create({ keys: [TEST_KEYS.a] });

  it('round-trips values, with a fresh IV per value and the key id in the value', () => {
    for (const clear of ['alice@example.com', '', '王小明', 'x'.repeat(5000), 'emoji 😀 "quotes" :colons:']) {
      const a = cipher.encrypt(clear, CTX);
      const b = cipher.encrypt(clear, CTX);
      expect(a).not.toEqual(b);
      expect(a).toMatch(/^v1:test-a:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]*$/);
      expect(cipher.keyIdOf(a)).toBe('test-a');
      expect(cipher.isEncrypted(a)).toBe(true);
      expect(cipher.decrypt(a, CTX)).toBe(clear);
      expect(cipher.decrypt(b, CTX)).toBe(clear);
      expect(clear === '' || !a.includes(clear)).toBe(true);
    }
  });

  it('binds a value to its context: moved to another column or customer, it does not decrypt', () => {
    const value = cipher.encrypt('alice@example.com', CTX);
    expect(() => cipher.decrypt(value, 'customers.email:c2')).toThrow(PersonalDataDecryptionError);
    expect(() => cipher.decrypt(value, 'customers.name:c1')).toThrow(PersonalDataDecryptionError);
  });

  it('detects tampering and names neither the value nor the customer in errors', () => {
    const value = cipher.encrypt('alice@example.com', CTX);
    const parts = value.split(':');
    const flipped = Buffer.from(parts[4], 'base64url');
    flipped[0] ^= 1;
    const tampered = [...parts.slice(0, 4), flipped.toString('base64url')].join(':');
    let error: Error | undefined;
    try {
      cipher.decrypt(tampered, CTX);
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(PersonalDataDecryptionError);
    expect(error!.message).toContain('customers.email');
    expect(error!.message).toContain('test-a');
    expect(error!.message).not.toMatch(/alice|c1/);
    expect(() => cipher.decrypt('alice@example.com', CTX)).toThrow(/not an encrypted value/);
    expect(() => cipher.decrypt('v1:test-a:AAAA:AAAA:AAAA', CTX)).toThrow(PersonalDataDecryptionError);
  });

  it('decrypts with every key of the ring and encrypts with the first', () => {
    const old = cipher.encrypt('bob', CTX);
    const rotated = PersonalDataCipher.create({ keys: [TEST_KEYS.b, TEST_KEYS.a] });
    expect(rotated.activeKeyId).toBe('test-b');
    expect(rotated.keyIds).toEqual(['test-b', 'test-a']);
    expect(rotated.decrypt(old, CTX)).toBe('bob');
    expect(rotated.keyIdOf(rotated.encrypt('bob', CTX))).toBe('test-b');
    const onlyB = PersonalDataCipher.create({ keys: [TEST_KEYS.b] });
    expect(() => onlyB.decrypt(old, CTX)).toThrow(/key "test-a", which is not in segments.encryption.keys/);
  });

  it('a wrong secret under the same key id fails authentication', () => {
    const value = cipher.encrypt('carol', CTX);
    const impostor = PersonalDataCipher.create({ keys: [{ id: 'test-a', secret: TEST_KEYS.b.secret }] });
    expect(() => impostor.decrypt(value, CTX)).toThrow(/authentication failed with key "test-a"/);
  });

  it('lookup hashes are stable per key, differ between keys, and are listed for every key', () => {
    const rotated = PersonalDataCipher.create({ keys: [TEST_KEYS.b, TEST_KEYS.a] });
    expect(cipher.lookupHash('alice@example.com')).toBe(cipher.lookupHash('alice@example.com'));
    expect(cipher.lookupHash('alice@example.com')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.lookupHash('alice@example.com')).not.toBe(cipher.lookupHash('alice@example.com'));
    expect(rotated.lookupHashes('alice@example.com')).toEqual([
      rotated.lookupHash('alice@example.com'),
      cipher.lookupHash('alice@example.com'),
    ]);
  });

  it('rejects bad rings with messages that name the key, never the secret', () => {
    const cases: Array<[unknown, RegExp]> = [
      [[], /at least one key/],
      [[{ id: 'has:colon', secret: TEST_KEYS.a.secret }], /keys\[0\]\.id/],
      [[{ id: '', secret: TEST_KEYS.a.secret }], /keys\[0\]\.id/],
      [[TEST_KEYS.a, { ...TEST_KEYS.b, id: 'test-a' }], /"test-a" is used twice/],
      [[{ id: 'short', secret: Buffer.alloc(16, 1).toString('base64') }], /key "short".*32 random bytes/],
      [[{ id: 'long', secret: Buffer.alloc(48, 1).toString('base64') }], /key "long"/],
      [[{ id: 'text', secret: 'correct horse battery staple, 32b' }], /key "text"/],
    ];
    for (const [keys, message] of cases) {
      let error: Error | undefined;
      try {
        PersonalDataCipher.create({ keys: keys as any });
      } catch (e) {
        error = e as Error;
      }
      expect(error).toBeInstanceOf(PersonalDataKeyError);
      expect(error!.message).toMatch(message);
      expect(error!.message).not.toContain('correct horse');
      expect(error!.message).not.toContain(TEST_KEYS.a.secret);
    }
  });
});

describe('PersonalDataCodec', () => {
  it('encodes a customer: encrypted columns, email hash of the normalized email, key id, clear birth_ymd', () => {
    const codec = testPersonalDataCodec();
    const row = codec.encodeCustomer('c1', {
      name: 'Alice Wang',
      email: ' Alice@Example.com ',
      phone: '+886 912 345 678',
      birthDate: '1990-06-15',
    });
    expect(row).toEqual({
      name: expect.stringMatching(/^v1:test-a:/),
      email: expect.stringMatching(/^v1:test-a:/),
      phone: expect.stringMatching(/^v1:test-a:/),
      birth_date: expect.stringMatching(/^v1:test-a:/),
      birth_ymd: 19900615,
      email_hmac: codec.emailHash('alice@example.com'),
      pd_key_id: 'test-a',
    });
    expect(codec.decodeCustomer({ id: 'c1', ...row })).toEqual({
      name: 'Alice Wang',
      email: ' Alice@Example.com ',
      phone: '+886 912 345 678',
      birthDate: '1990-06-15',
    });
    // Values are bound to the customer id.
    expect(() => codec.decodeCustomer({ id: 'c2', ...row })).toThrow(PersonalDataDecryptionError);
    expect(codec.encodeCustomer('c2', {})).toEqual({
      name: null,
      email: null,
      phone: null,
      birth_date: null,
      birth_ymd: null,
      email_hmac: null,
      pd_key_id: null,
    });
  });

  it('month precision keeps YYYYMM99: ages never overstated, one year low in the birth month', () => {
    const codec = testPersonalDataCodec({ agePrecision: 'month' });
    expect(codec.birthYmd('1990-06-15')).toBe(19900699);
    expect(codec.birthYmd('2000-02-29')).toBe(20000299);
    expect(codec.birthYmd(undefined)).toBeNull();
    // The engine's age expression: floor((asOfYmd - birth_ymd) / 10000).
    const age = (asOfYmd: number, birth: number) => Math.floor((asOfYmd - birth) / 10000);
    expect(age(20250531, 19900699)).toBe(34);
    expect(age(20250615, 19900699)).toBe(34); // exact: 35
    expect(age(20250630, 19900699)).toBe(34); // exact: 35
    expect(age(20250701, 19900699)).toBe(35);
  });

  describe('fromConfig', () => {
    const config = (segments: object) => new ConfigReader({ segments });

    it('fails without keys, saying what to configure', () => {
      expect(() => PersonalDataCodec.fromConfig(config({}))).toThrow(
        /segments\.encryption\.keys is not configured.*openssl rand -base64 32/s,
      );
      expect(() => PersonalDataCodec.fromConfig(config({ encryption: { keys: [] } }))).toThrow(/not configured/);
    });

    it('fails for a missing secret (unset environment variable) and malformed keys', () => {
      expect(() => PersonalDataCodec.fromConfig(config({ encryption: { keys: [{ id: 'k1' }] } }))).toThrow(
        /keys\[0\]\.secret is missing \(key "k1"\)/,
      );
      expect(() =>
        PersonalDataCodec.fromConfig(config({ encryption: { keys: [{ id: 'k1', secret: 'dG9vIHNob3J0' }] } })),
      ).toThrow(/segments\.encryption\.keys\[0\]\.secret \(key "k1"\) must be 32 random bytes/);
      expect(() =>
        PersonalDataCodec.fromConfig(
          config({ encryption: { keys: [TEST_KEYS.a] }, personalData: { agePrecision: 'week' } }),
        ),
      ).toThrow(/agePrecision must be day or month/);
    });

    it('reads the ring and precision', () => {
      const codec = PersonalDataCodec.fromConfig(
        config({ encryption: { keys: [TEST_KEYS.b, TEST_KEYS.a] }, personalData: { agePrecision: 'month' } }),
      );
      expect(codec.cipher.keyIds).toEqual(['test-b', 'test-a']);
      expect(codec.agePrecision).toBe('month');
    });

    it('warns about the public development key, and refuses it in production', () => {
      const logger = mockServices.logger.mock();
      const dev = config({ encryption: { keys: [{ id: 'dev-insecure', secret: DEVELOPMENT_KEY_SECRET }] } });
      PersonalDataCodec.fromConfig(dev, { logger });
      expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('public development key'));
      const nodeEnv = process.env.NODE_ENV;
      process.env.NODE_ENV = 'production';
      try {
        expect(() => PersonalDataCodec.fromConfig(dev, { logger })).toThrow(/public development key/);
      } finally {
        process.env.NODE_ENV = nodeEnv;
      }
    });
  });
});
