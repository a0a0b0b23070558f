import { prepareSweep, type SweepOptions, type SweepRun } from '../../api/sweep.js';
import { assertNotAnInput, OutputFile } from '../../io/atomic.js';
import { fullGc } from '../../io/gc.js';
import { csvLine } from '../../render/csv.js';
import { grouped } from '../../render/format.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit.js';
import { etaS, statusLine } from '../progress.js';

const GC_EVERY_ROWS = 50_000;

const CHUNK_CHARS = 1 << 16;

interface Output {
  write(data: string | Uint8Array): Promise<void>;
  done(): void;
  fail(): void;
}

function outputFor(ctx: Context, path: string | undefined, inputs: readonly string[]): Output {
  if (path === undefined) {
    return {
      write: async (data) => {
        if (typeof data === 'string') ctx.io.stdout(data);
        else if (ctx.io.stdoutBytes) ctx.io.stdoutBytes(data);
        else ctx.io.stdout(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
        await ctx.io.drain?.();
      },
      done: () => {},
      fail: () => {},
    };
  }
  assertNotAnInput(path, inputs);
  const file = new OutputFile(path);
  return {
    write: async (data) => {
      file.write(data);
    },
    done: () => file.commit(),
    fail: () => file.abort(),
  };
}

/**
 * Without --format: into a file, by its name (`.csv` is CSV, anything else NDJSON), so one command
 * writes the same file on a terminal and in CI; to stdout, CSV for a person, NDJSON for a pipe.
 */
function defaultFormat(ctx: Context, output: string | undefined): 'csv' | 'ndjson' {
  if (output !== undefined) return /\.csv$/i.test(output) ? 'csv' : 'ndjson';
  return ctx.io.stdoutIsTty ? 'csv' : 'ndjson';
}

function progressLine(done: number, total: number, rows: number, elapsedMs: number): string {
  const rate = rows / Math.max(elapsedMs / 1000, 1e-3);
  return `sweep ${grouped(done)}/${grouped(total)} points (${Math.floor((100 * done) / total)}%), ${grouped(rate)} rows/s, ETA ${etaS(done, total, elapsedMs).toFixed(0)}s`;
}

/** Streams one row per (point, accelerator) as it is computed; nothing waits for the end. */
export async function sweepCommand(
  ctx: Context,
  workloadPath: string | undefined,
  opts: SweepOptions,
): Promise<number> {
  const prep = prepareSweep(
    { catalog: ctx.catalog(), today: ctx.io.today, readStdin: ctx.io.readStdin },
    workloadPath,
    { ...opts, format: opts.format ?? defaultFormat(ctx, opts.output) },
  );
  const out = outputFor(ctx, opts.output, [
    ...(workloadPath === undefined ? [] : [workloadPath]),
    ...(opts.file === undefined ? [] : [opts.file]),
  ]);
  const points = prep.to - prep.from;
  const progress = progressReporter(ctx, points);
  try {
    if (prep.writeHeader) await out.write(csvLine(prep.header));
    await runHere(prep, out, progress);
    out.done();
  } catch (e) {
    out.fail();
    throw e;
  } finally {
    progress.end();
  }
  return EXIT.ok;
}

interface Progress {
  /** Called after each chunk is written: points done so far and rows written. */
  update(pointsDone: number, rows: number): void;
  end(): void;
}

function progressReporter(ctx: Context, points: number): Progress {
  const status = statusLine(ctx);
  return {
    update: (done, rows) => status.update((ms) => progressLine(done, points, rows, ms)),
    end: () => status.end(),
  };
}

/**
 * Computes the rows in order and writes them in chunks of about CHUNK_CHARS. Each chunk's lines
 * are encoded one by one into a fresh buffer: `lines.join('')` on these lines (each a rope of
 * number runs and fields) cost 4 us a row in flattening, more than the encoding it saved, and
 * the write then had to encode the joined string again.
 */
async function runHere(prep: SweepRun, out: Output, progress: Progress): Promise<void> {
  const gc = (prep.to - prep.from) * prep.rowsPerPoint > GC_EVERY_ROWS ? fullGc() : undefined;
  let nextGcAt = GC_EVERY_ROWS;
  let lines: string[] = [];
  let chars = 0;
  let rows = 0;
  const flush = async () => {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const bytes = Buffer.allocUnsafe(chars * 3);
    let used = 0;
    for (const line of lines) used += bytes.write(line, used);
    rows += lines.length;
    lines = [];
    chars = 0;
    await out.write(bytes.subarray(0, used));
  };
  for (let p = prep.from; p < prep.to; p++) {
    chars += prep.linesOf(p, lines);
    if (chars >= CHUNK_CHARS) {
      await flush();
      // Let the event loop run: Ctrl-C (remove the partial file) and EPIPE arrive as events.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (gc && rows >= nextGcAt) {
        gc();
        nextGcAt = rows + GC_EVERY_ROWS;
      }
      progress.update(p + 1 - prep.from, rows);
    }
  }
  if (lines.length > 0) await flush();
}
