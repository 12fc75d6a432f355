/** Minimal `--name value` / `--flag` / `--name=value` parser for the repo scripts. */
export function parseArgs(
  argv: string[],
  spec: { flags?: string[]; values?: string[] },
) {
  const flags = new Set(spec.flags ?? []);
  const values = new Set(spec.values ?? []);
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`Unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (flags.has(name)) {
      if (eq !== -1) throw new Error(`--${name} takes no value`);
      out[name] = true;
    } else if (values.has(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || (eq === -1 && value.startsWith('--')))
        throw new Error(`--${name} needs a value`);
      out[name] = value;
    } else {
      const known = [...flags, ...values].map(n => `--${n}`).join(', ');
      throw new Error(`Unknown option --${name} (known: ${known})`);
    }
  }
  return out;
}

/** A positive integer option, e.g. `1000000` or `1_000_000` or `1e6` or `100k` / `1m`. */
export function intOption(
  value: string | boolean | undefined,
  name: string,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw new Error(`--${name} needs a value`);
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)([km]?)$/i.exec(value.replace(/_/g, ''));
  const n = m
    ? Number(m[1]) *
      ({ '': 1, k: 1e3, m: 1e6 } as Record<string, number>)[m[2].toLowerCase()]
    : NaN;
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--${name} must be a non-negative integer, got ${value}`);
  return n;
}

/**
 * Runs a script's `parse`: on a bad argument prints the error and the usage
 * and exits with 2; undefined (e.g. for --help) prints the usage.
 */
export function parseOrExit<T>(
  parse: (argv: string[]) => T | undefined,
  usage: string,
): T | undefined {
  let args: T | undefined;
  try {
    args = parse(process.argv.slice(2));
  } catch (e) {
    console.error(`${(e as Error).message}\n${usage}`);
    process.exit(2);
  }
  if (!args) console.log(usage);
  return args;
}
