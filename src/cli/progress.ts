import type { Context } from './context.js';

/** A status line on stderr for a long computation: redrawn in place, erased at the end. */
export interface StatusLine {
  /** Offers a new status; `line` gets the milliseconds since the start and returns the text. */
  update(line: (elapsedMs: number) => string): void;
  end(): void;
}

/**
 * On a terminal only (never in a pipe or a file, never in tests without a clock): nothing for the
 * first second, then at most four redraws a second, and the line erased when the work ends.
 */
export function statusLine(ctx: Context): StatusLine {
  const show = ctx.io.stderrIsTty && ctx.io.now !== undefined;
  const started = ctx.io.now?.() ?? 0;
  let last = started;
  return {
    update: (line) => {
      if (!show) return;
      const now = ctx.io.now?.() ?? 0;
      if (now - last > 250 && now - started > 1000) {
        // Within the width: a line that wrapped would leave its first row behind when erased.
        const width = (ctx.io.stderrColumns ?? 80) - 1;
        ctx.io.stderr(`\r${`${line(now - started)}   `.slice(0, width)}`);
        last = now;
      }
    },
    end: () => {
      if (show && last !== started) ctx.io.stderr('\r\u001b[2K');
    },
  };
}

/** Seconds left if the steps still to do cost what the done ones did on average (0 before any). */
export function etaS(done: number, total: number, elapsedMs: number): number {
  return done > 0 ? ((total - done) * elapsedMs) / done / 1000 : 0;
}

/** `label k/n (p%), ETA s`: steps of roughly equal cost. */
export function stepText(label: string, done: number, total: number, elapsedMs: number): string {
  const pct = Math.floor((100 * done) / Math.max(total, 1));
  return `${label} ${done}/${total} (${pct}%), ETA ${etaS(done, total, elapsedMs).toFixed(0)}s`;
}

/** Runs a cross-validation with `cross-validating: fit k/n` on a status line, erased after. */
export function withFitProgress<T>(
  ctx: Context,
  run: (onStep: (done: number, total: number) => void) => T,
): T {
  const status = statusLine(ctx);
  const compute = () =>
    run((done, total) => status.update((ms) => stepText('cross-validating: fit', done, total, ms)));
  try {
    // Ctrl-C ends a cross-validation at once (CliIo.killable): it writes nothing while it runs.
    return ctx.io.killable ? ctx.io.killable(compute) : compute();
  } finally {
    status.end();
  }
}
