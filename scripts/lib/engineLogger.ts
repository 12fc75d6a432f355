import { LoggerService } from '@backstage/backend-plugin-api';

/** A logger for the engine in benchmarks: errors on stderr, nothing else. */
export const engineLogger: LoggerService = {
  // eslint-disable-next-line no-console
  error: (message: string, meta?: unknown) =>
    console.error(`[engine] ${message}`, meta ?? ''),
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => engineLogger,
};
