export interface Config {
  /** Configuration of the Segments plugin. */
  segments?: {
    demoData?: {
      /** Load synthetic demo customers and orders when the customers table is empty. */
      enabled?: boolean;
      /** How many demo customers to generate (default 20000). */
      customers?: number;
    };
    audit?: {
      /** Days audit records are kept before the daily prune deletes them (default 90). */
      retentionDays?: number;
    };
    /**
     * Scheduled online backups of the embedded SQLite database (ignored on
     * PostgreSQL: see docs/operations.md). Off unless `directory` is set.
     */
    backup?: {
      /** Folder of the backup files, `segments-<UTC timestamp>.sqlite`; relative to the backend's working directory. */
      directory?: string;
      /** How often: `{ hours: 1 }` (default, for the 1 h RPO), an ISO duration, `'1h'`, or `{ cron }`. */
      frequency?: { cron: string } | string | { [unit: string]: number };
      /** Days backup files are kept (default 30). */
      retentionDays?: number;
      /** Every backup of this many recent hours is kept; older ones only the first of each UTC day (default 48). */
      keepAllHours?: number;
    };
    execution?: {
      /** An attempt of a run longer than this is aborted (default 1800). */
      timeoutSeconds?: number;
      /** Attempts of a failed run, the first included (default 3). */
      maxAttempts?: number;
      /** Wait before the second attempt, doubling after (default 30). */
      retryBaseSeconds?: number;
      /** A run whose heartbeat is older is resumed by another process (default 120). */
      staleAfterSeconds?: number;
    };
    incremental?: {
      /** How often, and how long after a change at least, changed customers are re-evaluated (default 60). */
      intervalSeconds?: number;
    };
    notifications?: {
      /** Notify a segment's owner when a run changes its members by more than this share (default 0.2). */
      changeThreshold?: number;
    };
    preview?: {
      /**
       * Previews count every customer up to this many customers (default
       * 200000); above, they evaluate the rule on a sample and estimate the
       * count with a 95% interval (`exact: true` in the request counts all).
       */
      sampleAbove?: number;
      /** Customers a sampled preview evaluates, about (default 20000). */
      sampleSize?: number;
    };
    rateLimit?: {
      /**
       * Previews, edit previews, explanations, overlaps and customer exports
       * one caller (user or service) may request a minute, per backend
       * instance (default 120; 0 turns the limit off). More answer 429 with
       * Retry-After.
       */
      expensivePerMinute?: number;
    };
    results?: {
      /** Results (and their change lists) kept per segment (default 50). */
      retention?: number;
    };
    /**
     * Encryption at rest of customer names, emails, phones and birth dates
     * (AES-256-GCM). Required: the backend does not start without a key.
     */
    encryption?: {
      /**
       * The key ring. The FIRST key encrypts new values; every key decrypts.
       * To rotate: put a new key first, keep the old one after it, restart,
       * run `npm run rotate-keys`, then remove the old key. A key id must
       * never get another secret.
       */
      keys?: Array<{
        /** Stored with every value: 1-64 letters, digits, `.`, `_` or `-`. */
        id: string;
        /**
         * 32 random bytes, base64 (`openssl rand -base64 32`).
         * @visibility secret
         */
        secret: string;
      }>;
    };
    personalData?: {
      /**
       * Birth date precision kept in clear for `age` conditions: `day` (exact
       * ages; default) or `month` (year and month only; ages never overstated,
       * one year low during the birth month). After a change, run
       * `npm run rotate-keys -- --all`.
       */
      agePrecision?: 'day' | 'month';
    };
  };
}
