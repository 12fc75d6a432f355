/** Formats a count with thousands separators. */
export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Formats milliseconds as `850 ms` or `12.3 s` or `2 min 05 s`. */
export function fmtMs(ms: number): string {
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/**
 * A progress printer for loads: at most one line every `everyMs` (and the
 * final one), with rows per second.
 */
export function loadProgressPrinter(options: { total: number; label: string; everyMs?: number; write?: (line: string) => void }) {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  let last = 0;
  let lastPhase = '';
  return (p: { customers: number; orders: number; elapsedMs: number; phase: string }) => {
    const now = Date.now();
    const phaseChanged = p.phase !== lastPhase;
    if (!phaseChanged && p.phase === 'load' && now - last < (options.everyMs ?? 2000) && p.customers < options.total) return;
    last = now;
    lastPhase = p.phase;
    const rows = p.customers + p.orders;
    const rate = p.elapsedMs > 0 ? (rows / p.elapsedMs) * 1000 : 0;
    const pct = options.total ? ((100 * p.customers) / options.total).toFixed(1) : '100';
    const what =
      p.phase === 'load'
        ? `${pct}% ${fmtInt(p.customers)} customers, ${fmtInt(p.orders)} orders, ${fmtInt(rate)} rows/s`
        : p.phase === 'indexes'
          ? `loaded ${fmtInt(rows)} rows; rebuilding indexes and foreign keys ...`
          : p.phase === 'analyze'
            ? 'analyzing ...'
            : `done: ${fmtInt(p.customers)} customers, ${fmtInt(p.orders)} orders, ${fmtInt(rate)} rows/s overall`;
    write(`[${options.label}] ${fmtMs(p.elapsedMs).padStart(9)}  ${what}`);
  };
}
