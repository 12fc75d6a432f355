import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, KeyObject, randomBytes } from 'crypto';

/** Format version prefix of every encrypted value. */
export const CIPHERTEXT_VERSION = 'v1';

/** Key ids: short, printable and free of the `:` separator. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const ENCRYPTION_INFO = 'segments/personal-data/aes-256-gcm/v1';
const LOOKUP_INFO = 'segments/personal-data/lookup-hmac-sha256/v1';

/** One key of the ring, as configured: `secret` is 32 random bytes in base64. */
export interface PersonalDataKeyConfig {
  id: string;
  secret: string;
}

interface RingKey {
  id: string;
  encryptionKey: KeyObject;
  lookupKey: KeyObject;
}

/**
 * A problem with the configured keys. Messages name the key id and the
 * problem, never a secret or a personal data value.
 */
export class PersonalDataKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PersonalDataKeyError';
  }
}

/**
 * A stored value that cannot be decrypted: unknown key id, wrong secret,
 * tampering, or a value moved to another column or customer. The message
 * names the key id and the context, never the value.
 */
export class PersonalDataDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PersonalDataDecryptionError';
  }
}

/**
 * AES-256-GCM encryption of single values with a key ring, and keyed hashes
 * (HMAC-SHA256) for equality lookups.
 *
 * - The first key of the ring encrypts; every key decrypts, so keys can be
 *   rotated without downtime (see `rotatePersonalData`).
 * - Each configured 32-byte secret is split with HKDF-SHA256 into an
 *   encryption key and a lookup (HMAC) key, so the same bytes never serve two
 *   algorithms.
 * - A value is `v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64url parts) with a
 *   random 96-bit IV per value. The caller's `context` (e.g.
 *   `customers.email:<customerId>`) is bound as additional authenticated
 *   data: a value copied to another column or customer does not decrypt.
 */
export class PersonalDataCipher {
  private readonly byId: Map<string, RingKey>;

  private constructor(private readonly ring: RingKey[]) {
    this.byId = new Map(ring.map(k => [k.id, k]));
  }

  /**
   * Builds the ring from configured keys; throws {@link PersonalDataKeyError}
   * for an empty ring, a bad or duplicate id, or a secret that is not exactly
   * 32 bytes of base64.
   */
  static create(options: { keys: PersonalDataKeyConfig[] }): PersonalDataCipher {
    const { keys } = options;
    if (!Array.isArray(keys) || keys.length === 0) {
      throw new PersonalDataKeyError('keys: at least one key is required');
    }
    const seen = new Set<string>();
    const ring = keys.map((k, index) => {
      const where = `keys[${index}]`;
      if (typeof k?.id !== 'string' || !KEY_ID_PATTERN.test(k.id)) {
        throw new PersonalDataKeyError(`${where}.id must be 1-64 letters, digits, '.', '_' or '-'`);
      }
      if (seen.has(k.id)) throw new PersonalDataKeyError(`${where}.id "${k.id}" is used twice`);
      seen.add(k.id);
      const secret = decodeSecret(k.secret);
      if (!secret) {
        throw new PersonalDataKeyError(
          `${where}.secret (key "${k.id}") must be ${KEY_BYTES} random bytes in base64, e.g. from \`openssl rand -base64 32\``,
        );
      }
      return {
        id: k.id,
        encryptionKey: derive(secret, ENCRYPTION_INFO),
        lookupKey: derive(secret, LOOKUP_INFO),
      };
    });
    return new PersonalDataCipher(ring);
  }

  /** Id of the key new values are encrypted with (the first of the ring). */
  get activeKeyId(): string {
    return this.ring[0].id;
  }

  /** Ids of every key of the ring, the active one first. */
  get keyIds(): string[] {
    return this.ring.map(k => k.id);
  }

  hasKey(id: string): boolean {
    return this.byId.has(id);
  }

  /** Encrypts one value with the active key, bound to `context`. */
  encrypt(plaintext: string, context: string): string {
    const key = this.ring[0];
    const iv = nextIv();
    const cipher = createCipheriv('aes-256-gcm', key.encryptionKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(key.id, context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [CIPHERTEXT_VERSION, key.id, b64(iv), b64(tag), b64(ciphertext)].join(':');
  }

  /** Decrypts a value of {@link PersonalDataCipher.encrypt} made with any key of the ring. */
  decrypt(value: string, context: string): string {
    const parts = parse(value);
    if (!parts) throw new PersonalDataDecryptionError(`${contextName(context)}: not an encrypted value`);
    const key = this.byId.get(parts.keyId);
    if (!key) {
      throw new PersonalDataDecryptionError(
        `${contextName(context)}: encrypted with key "${parts.keyId}", which is not in segments.encryption.keys`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.encryptionKey, parts.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(key.id, context));
      decipher.setAuthTag(parts.tag);
      return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new PersonalDataDecryptionError(
        `${contextName(context)}: authentication failed with key "${key.id}" (wrong secret for this key id, or the value was altered or moved)`,
      );
    }
  }

  /** Key id of an encrypted value, or undefined when it is not one. */
  keyIdOf(value: string): string | undefined {
    return parse(value)?.keyId;
  }

  /** Whether a stored value has the encrypted format (not that it decrypts). */
  isEncrypted(value: unknown): boolean {
    return typeof value === 'string' && parse(value) !== undefined;
  }

  /**
   * Keyed hash of a normalized lookup value with the active key (for storing),
   * base64url. Equal inputs give equal hashes under the same key only.
   */
  lookupHash(normalized: string): string {
    return hmac(this.ring[0].lookupKey, normalized);
  }

  /**
   * Hashes of a lookup value under every key of the ring, for
   * `WHERE hash IN (...)`: rows written before a rotation finished are found too.
   */
  lookupHashes(normalized: string): string[] {
    return this.ring.map(k => hmac(k.lookupKey, normalized));
  }
}

function decodeSecret(secret: unknown): Buffer | undefined {
  if (typeof secret !== 'string') return undefined;
  const trimmed = secret.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return undefined;
  const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === KEY_BYTES ? bytes : undefined;
}

function derive(secret: Buffer, info: string): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, KEY_BYTES)));
}

/**
 * Random IVs from a pool refilled 4 KiB at a time: one CSPRNG call per 341
 * IVs instead of one per value (a `randomBytes` call costs more than the
 * encryption of a short value). Every IV is fresh random bytes, used once.
 */
const IV_POOL_BYTES = 4092;
let ivPool = Buffer.alloc(0);
let ivOffset = 0;

function nextIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_POOL_BYTES);
    ivOffset = 0;
  }
  const iv = Buffer.from(ivPool.subarray(ivOffset, ivOffset + IV_BYTES));
  ivPool.fill(0, ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

function aad(keyId: string, context: string): Buffer {
  return Buffer.from(`${CIPHERTEXT_VERSION}:${keyId}:${context}`, 'utf8');
}

function hmac(key: KeyObject, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('base64url');
}

function b64(buf: Buffer): string {
  return buf.toString('base64url');
}

const B64URL = /^[A-Za-z0-9_-]*$/;

function parse(value: string) {
  if (typeof value !== 'string') return undefined;
  const parts = value.split(':');
  if (parts.length !== 5 || parts[0] !== CIPHERTEXT_VERSION) return undefined;
  const [, keyId, iv, tag, ciphertext] = parts;
  if (!KEY_ID_PATTERN.test(keyId) || ![iv, tag, ciphertext].every(p => B64URL.test(p))) return undefined;
  const parsed = {
    keyId,
    iv: Buffer.from(iv, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
    ciphertext: Buffer.from(ciphertext, 'base64url'),
  };
  return parsed.iv.length === IV_BYTES && parsed.tag.length === TAG_BYTES ? parsed : undefined;
}

/** The column part of a context (`customers.email:<id>` → `customers.email`): ids stay out of messages. */
function contextName(context: string): string {
  const i = context.indexOf(':');
  return i < 0 ? context : context.slice(0, i);
}
