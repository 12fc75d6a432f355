import fs from 'fs';
import path from 'path';
import { ConfigSources } from '@backstage/config-loader';
import { LoggerService } from '@backstage/backend-plugin-api';
import { PersonalDataCodec } from '../../plugins/segments-backend/src/crypto/PersonalDataCodec';

/**
 * The backend's personal data codec, read from the same app-config files the
 * backend would read (`segments.encryption.keys`, environment substitutions
 * included), so that seeded rows are encrypted with keys the backend holds.
 */
export async function personalDataCodecFromConfig(options: { rootDir: string; files: string[] }): Promise<{
  codec: PersonalDataCodec;
  files: string[];
}> {
  const files = options.files.map(f => path.resolve(options.rootDir, f));
  for (const f of files) if (!fs.existsSync(f)) throw new Error(`Config file ${f} does not exist`);
  const source = ConfigSources.defaultForTargets({
    rootDir: options.rootDir,
    targets: files.map(f => ({ type: 'path' as const, target: f })),
  });
  const config = await ConfigSources.toConfig(source);
  try {
    // eslint-disable-next-line no-console
    const warn = (message: string) => console.warn(`warning: ${message}`);
    const logger: LoggerService = { error: warn, warn, info: () => {}, debug: () => {}, child: () => logger };
    return { codec: PersonalDataCodec.fromConfig(config, { logger }), files };
  } finally {
    config.close();
  }
}
