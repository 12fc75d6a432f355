import { Config } from '@backstage/config';
import { LoggerService } from '@backstage/backend-plugin-api';
import { parseDateValue, toYmd } from '@internal/plugin-segments-common';
import { PersonalDataCipher, PersonalDataKeyConfig, PersonalDataKeyError } from './PersonalDataCipher';

/**
 * How much of the birth date stays in clear (column `birth_ymd`) for `age`
 * conditions:
 * - `day`: the exact date as YYYYMMDD, so `age` is exact (the default; the
 *   engine's documented semantics). The birth date is then derivable from the
 *   database even though `birth_date` itself is encrypted.
 * - `month`: year and month only, stored as YYYYMM99: `age` is exact except
 *   in the birth month, where it is one year lower until the month ends.
 *   Never overstated (an `age >= 18` rule never admits a minor).
 */
export type AgePrecision = 'day' | 'month';

/** The personal data fields of a customer, in clear. */
export interface CustomerPersonalData {
  name?: string;
  email?: string;
  phone?: string;
  /** YYYY-MM-DD */
  birthDate?: string;
}

/** The `customers` columns that hold personal data or are derived from it. */
export interface PersonalDataColumns {
  name: string | null;
  email: string | null;
  phone: string | null;
  birth_date: string | null;
  /** Clear, for `age` in SQL; see {@link AgePrecision}. */
  birth_ymd: number | null;
  /** Keyed hash of the normalized email, for equality lookups. */
  email_hmac: string | null;
  /** Key of the row's encrypted values and email hash; null when it has none. */
  pd_key_id: string | null;
}

const FIELDS = [
  ['name', 'name'],
  ['email', 'email'],
  ['phone', 'phone'],
  ['birthDate', 'birth_date'],
] as const;

/** Columns of `customers` holding encrypted values. */
export const ENCRYPTED_CUSTOMER_COLUMNS = FIELDS.map(([, column]) => column);

/**
 * A key published in app-config.yaml for local development. Data encrypted
 * with it is not protected; the backend refuses it when NODE_ENV is production.
 */
export const DEVELOPMENT_KEY_SECRET = 'c2VnbWVudHMtZGV2LWtleS1OT1QtQS1TRUNSRVQtMDE=';

/**
 * Maps a customer's personal data to encrypted `customers` columns and back.
 * Every personal value is encrypted with {@link PersonalDataCipher}, bound to
 * its column and customer id; the email also gets a keyed hash for lookups.
 */
export class PersonalDataCodec {
  private constructor(
    readonly cipher: PersonalDataCipher,
    readonly agePrecision: AgePrecision,
  ) {}

  static create(options: { keys: PersonalDataKeyConfig[]; agePrecision?: AgePrecision }): PersonalDataCodec {
    const agePrecision = options.agePrecision ?? 'day';
    if (agePrecision !== 'day' && agePrecision !== 'month') {
      throw new PersonalDataKeyError(`agePrecision must be day or month`);
    }
    return new PersonalDataCodec(PersonalDataCipher.create({ keys: options.keys }), agePrecision);
  }

  /**
   * Reads `segments.encryption.keys` and `segments.personalData.agePrecision`.
   * Throws at start-up, with a message saying what to configure, when no key
   * is configured or a key is malformed.
   */
  static fromConfig(config: Config, options: { logger?: LoggerService } = {}): PersonalDataCodec {
    const keyConfigs = config.getOptionalConfigArray('segments.encryption.keys');
    if (!keyConfigs?.length) {
      throw new PersonalDataKeyError(
        'segments.encryption.keys is not configured. Segments stores customer names, emails, phones and birth ' +
          'dates encrypted and does not start without a key: add `segments.encryption.keys: [{ id, secret }]` ' +
          'with a secret from `openssl rand -base64 32` (see the "Personal data" section of the README).',
      );
    }
    const keys = keyConfigs.map((k, i) => ({
      id: k.getOptionalString('id') ?? '',
      secret: readSecret(k, i),
    }));
    const precision = config.getOptionalString('segments.personalData.agePrecision') ?? 'day';
    if (precision !== 'day' && precision !== 'month') {
      throw new PersonalDataKeyError('segments.personalData.agePrecision must be day or month');
    }
    let codec: PersonalDataCodec;
    try {
      codec = PersonalDataCodec.create({ keys, agePrecision: precision });
    } catch (error) {
      throw new PersonalDataKeyError(`segments.encryption.${(error as Error).message}`);
    }
    const devKeys = keys.filter(k => k.secret.trim() === DEVELOPMENT_KEY_SECRET).map(k => k.id);
    if (devKeys.length) {
      const message =
        `segments.encryption.keys: key "${devKeys.join('", "')}" is the public development key from app-config.yaml; ` +
        'set SEGMENTS_ENCRYPTION_KEY (and SEGMENTS_ENCRYPTION_KEY_ID) to a secret key for real data';
      if (process.env.NODE_ENV === 'production') throw new PersonalDataKeyError(message);
      options.logger?.warn(message);
    }
    return codec;
  }

  /** Encrypts a customer's personal data into its columns, with the active key. */
  encodeCustomer(id: string, data: CustomerPersonalData): PersonalDataColumns {
    const columns = {} as PersonalDataColumns;
    let any = false;
    for (const [field, column] of FIELDS) {
      const value = data[field];
      if (value === undefined || value === null) {
        columns[column] = null;
      } else {
        columns[column] = this.cipher.encrypt(value, context(column, id));
        any = true;
      }
    }
    columns.birth_ymd = this.birthYmd(data.birthDate);
    columns.email_hmac = data.email === undefined || data.email === null ? null : this.emailHash(data.email);
    columns.pd_key_id = any ? this.cipher.activeKeyId : null;
    return columns;
  }

  /**
   * Decrypts the personal data of a `customers` row (needs `id` and the
   * encrypted columns); absent values stay absent. Throws
   * `PersonalDataDecryptionError` for values it cannot decrypt.
   */
  decodeCustomer(row: Record<string, any>): CustomerPersonalData {
    const out: CustomerPersonalData = {};
    for (const [field, column] of FIELDS) {
      const value = row[column];
      if (value !== null && value !== undefined) out[field] = this.cipher.decrypt(value, context(column, row.id));
    }
    return out;
  }

  /** The email as hashed: trimmed, Unicode NFC, lower case. */
  normalizeEmail(email: string): string {
    return email.trim().normalize('NFC').toLowerCase();
  }

  /** Keyed hash of an email with the active key, as stored in `email_hmac`. */
  emailHash(email: string): string {
    return this.cipher.lookupHash(this.normalizeEmail(email));
  }

  /** Hashes of an email under every key, to find rows of any key: `email_hmac IN (...)`. */
  emailLookupHashes(email: string): string[] {
    return this.cipher.lookupHashes(this.normalizeEmail(email));
  }

  /** The clear `birth_ymd` for a birth date at the configured {@link AgePrecision}. */
  birthYmd(birthDate: string | undefined | null): number | null {
    const ms = parseDateValue(birthDate ?? undefined);
    if (ms === undefined) return null;
    const ymd = toYmd(ms);
    return this.agePrecision === 'month' ? Math.floor(ymd / 100) * 100 + 99 : ymd;
  }
}

/** Additional authenticated data of a value: its column and customer. */
function context(column: string, customerId: string): string {
  return `customers.${column}:${customerId}`;
}

function readSecret(key: Config, index: number): string {
  const secret = key.getOptionalString('secret');
  if (!secret) {
    throw new PersonalDataKeyError(
      `segments.encryption.keys[${index}].secret is missing (key "${key.getOptionalString('id') ?? '?'}"); ` +
        'is the environment variable it is read from set?',
    );
  }
  return secret;
}
