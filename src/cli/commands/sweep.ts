import { dirname, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseIdList, parsePlan } from '../../api/compare.js';
import { fieldSetFor, parseFieldSet, parseValue } from '../../api/sets.js';
import { compareAccelerators } from '../../engine/evaluate.js';
import type { Accelerator, Workload } from '../../engine/types.js';
import { assertNotAnInput, OutputFile } from '../../io/atomic.js';
import { displayPath } from '../../io/catalog.js';
import { checkAgainst } from '../../io/check.js';
import { InputError, UsageError } from '../../io/errors.js';
import {
  acceleratorFor,
  type FieldSet,
  loadWorkload,
  readWorkloadYaml,
  unknownAccelerator,
} from '../../io/workload.js';
import { type LocatedYaml, readYamlFile } from '../../io/yaml.js';
import { CSV_COLUMNS, csvLine } from '../../render/csv.js';
import { flatRow } from '../../render/result.js';
import { listAxisValues, parseAxisValues, shardRange, sweepSchema } from '../../schema/sweep.js';
import { WORKLOAD_DEFAULTS } from '../../schema/workload.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit.js';

/**
 * A full collection now and then keeps a long sweep's memory flat: V8 otherwise lets the old
 * generation grow with the allocation rate (257 MB at 1M rows, against 112 MB with a capped heap).
 * The collector is reached through a new context after enabling it, as Node offers no other way
 * without a command-line flag.
 */
function fullGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
const GC_EVERY_ROWS = 50_000;

/** Grids above this many points need --yes. */
export const MAX_POINTS_WITHOUT_YES = 10_000_000;
const CHUNK_CHARS = 1 << 16;

export interface SweepOptions {
  readonly file?: string;
  readonly vary: string[];
  readonly set: string[];
  readonly accelerators?: string;
  readonly baseline?: string;
  readonly plan?: string;
  readonly format?: string;
  readonly output?: string;
  readonly shard?: string;
  readonly limit?: string;
  readonly yes: boolean;
}

interface Axis {
  readonly name: string;
  readonly count: number;
  valueAt(i: number): unknown;
  /** How the i-th value is set: a workload or accelerator field. */
  setAt(i: number): FieldSet;
}

function parseShard(text: string | undefined): [number, number] | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const k = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || n < 1 || k < 1 || k > n)
    throw new UsageError(`--shard ${text}: expected k/n with 1 <= k <= n, e.g. 2/8`);
  return [k, n];
}

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`--limit ${text}: expected a positive whole number`);
  return n;
}

/** An axis whose values are made when used; the path is resolved once, here. */
function axisFrom(
  name: string,
  valuesText: string | readonly (string | number)[],
  ids: readonly string[],
  flag: string,
): Axis {
  const parsed =
    typeof valuesText === 'string'
      ? parseAxisValues(valuesText, parseValue)
      : ({ ok: true, ...listAxisValues(valuesText) } as const);
  if (!parsed.ok) throw new UsageError(`${flag} ${name}=${String(valuesText)}: ${parsed.message}`);
  const first = parsed.valueAt(0);
  const proto = fieldSetFor(name, first, `${name}=${String(first)}`, ids, flag);
  return {
    name,
    count: parsed.count,
    valueAt: (i) => parsed.valueAt(i),
    setAt: (i) => {
      const value = parsed.valueAt(i);
      return { ...proto, value, text: `${name}=${String(value)}` };
    },
  };
}

/** The indices checked before the first row: every value of a short list, a range's ends and middle. */
function indicesToCheck(count: number): number[] {
  if (count <= 64) return Array.from({ length: count }, (_, i) => i);
  return [...new Set([0, count - 1, Math.floor(count / 2)])];
}

interface Plan {
  readonly workloadYaml: LocatedYaml;
  readonly axes: readonly Axis[];
  readonly acceleratorIds: readonly string[];
  readonly baseline?: string;
}

/** One axis per field: a second would label rows with values never used. */
function addAxis(axes: Axis[], axis: Axis, flag: string): void {
  const key = (a: Axis) => `${a.setAt(0).acceleratorId ?? ''}:${a.setAt(0).path.join('.')}`;
  const twin = axes.find((a) => key(a) === key(axis));
  if (twin)
    throw new UsageError(
      `${flag} ${axis.name}: the field is already swept (as ${twin.name}); give one axis per field`,
    );
  axes.push(axis);
}

/** The base workload and the axes, from a sweep file and/or the command line. */
function planFor(
  ctx: Context,
  workloadPath: string | undefined,
  opts: SweepOptions,
  ids: readonly string[],
): Plan {
  let workloadYaml: LocatedYaml | undefined;
  const axes: Axis[] = [];
  let fileIds: string[] | undefined;
  let baseline: string | undefined;
  if (opts.file !== undefined) {
    const y = readYamlFile(opts.file, displayPath(opts.file));
    const sweep = checkAgainst(y, sweepSchema, () => []);
    if (typeof sweep.workload === 'string') {
      const path = resolve(dirname(opts.file), sweep.workload);
      workloadYaml = readYamlFile(path, displayPath(path));
    } else {
      workloadYaml = {
        file: y.file,
        data: sweep.workload,
        locate: (p, k) => y.locate(['workload', ...p], k),
      };
    }
    for (const [name, values] of Object.entries(sweep.axes))
      addAxis(axes, axisFrom(name, values, ids, `${y.file} axes:`), `${y.file} axes:`);
    fileIds = sweep.accelerators;
    baseline = sweep.baseline;
  }
  if (workloadPath !== undefined) workloadYaml = readWorkloadYaml(workloadPath, ctx.io.readStdin);
  if (!workloadYaml) throw new UsageError('sweep needs a workload file or --file <sweep.yaml>');
  for (const v of opts.vary) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError(`--vary ${v}: expected path=values, e.g. input_tokens=1000,4000`);
    addAxis(axes, axisFrom(v.slice(0, eq).trim(), v.slice(eq + 1).trim(), ids, '--vary'), '--vary');
  }
  if (axes.length === 0)
    throw new UsageError('sweep needs at least one --vary path=values (or axes: in the sweep file)');
  const flagIds = parseIdList(opts.accelerators);
  const plan = { workloadYaml, axes, acceleratorIds: flagIds ?? fileIds ?? [] };
  const b = opts.baseline ?? baseline;
  return b === undefined ? plan : { ...plan, baseline: b };
}

/** Memoises the last value per key: grids change inner axes fastest, so most lookups hit. */
function lastValueCache<T>(): (key: string, make: () => T) => T {
  let lastKey: string | undefined;
  let last: T | undefined;
  return (key, make) => {
    if (key !== lastKey) {
      last = make();
      lastKey = key;
    }
    return last as T;
  };
}

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

/** One NDJSON record; its parts are joined once, as a rope of 120 pieces is slow to encode. */
function ndjsonLine(keys: readonly string[], cells: readonly (string | number | boolean | null)[]): string {
  const parts = new Array<string>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const v = cells[i] ?? null;
    parts[i] =
      (keys[i] as string) +
      (typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'null') : JSON.stringify(v));
  }
  return `{${parts.join(',')}}\n`;
}

function progressLine(done: number, total: number, rows: number, elapsedMs: number): string {
  const rate = rows / Math.max(elapsedMs / 1000, 1e-3);
  const eta = done > 0 ? ((total - done) * elapsedMs) / done / 1000 : 0;
  return `\rsweep ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} points (${Math.floor((100 * done) / total)}%), ${Math.round(rate).toLocaleString('en-US')} rows/s, ETA ${eta.toFixed(0)}s   `;
}

/**
 * Loads every value of short axes (and the ends and middle of ranges) before the first row, so a
 * bad value is one line naming its flag, not an error half-way through the output.
 */
function checkAxes(
  ctx: Context,
  plan: Plan,
  globalSets: readonly FieldSet[],
  evaluated: readonly string[],
): void {
  const catalog = ctx.catalog();
  for (const axis of plan.axes) {
    for (const i of indicesToCheck(axis.count)) {
      const set = axis.setAt(i);
      try {
        if (set.acceleratorId === undefined)
          loadWorkload(plan.workloadYaml, catalog, [...globalSets, set], ctx.io.today);
        else if (evaluated.includes(set.acceleratorId))
          acceleratorFor(catalog, set.acceleratorId, [...globalSets, set], ctx.io.today);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        if (e.file.startsWith(set.flag)) throw e;
        throw new UsageError(`${set.flag} ${set.text}: ${e.detail}`);
      }
    }
  }
}

/** What a sweep computes, made once per thread: the rows of any point of the grid, in order. */
interface Prepared {
  readonly format: 'csv' | 'ndjson';
  readonly header: readonly string[];
  readonly writeHeader: boolean;
  /** The grid points this run covers, [from, to). */
  readonly from: number;
  readonly to: number;
  readonly rowsPerPoint: number;
  /** Appends the lines of point p to `lines`; returns the characters appended. */
  linesOf(p: number, lines: string[]): number;
}

function prepare(ctx: Context, workloadPath: string | undefined, opts: SweepOptions): Prepared {
  const catalog = ctx.catalog();
  const ids = [...catalog.accelerators.keys()];
  const format = opts.format ?? (ctx.io.stdoutIsTty ? 'csv' : 'ndjson');
  if (format !== 'csv' && format !== 'ndjson')
    throw new UsageError(`--format ${format}: sweep writes csv or ndjson`);
  const globalSets = opts.set.map((s) => parseFieldSet(s, ids));
  const planOverride = parsePlan(opts.plan);
  const shard = parseShard(opts.shard);
  const limit = parseLimit(opts.limit);
  const plan = planFor(ctx, workloadPath, opts, ids);

  const base = loadWorkload(plan.workloadYaml, catalog, globalSets, ctx.io.today);
  const baseline = plan.baseline ?? base.raw.baseline ?? WORKLOAD_DEFAULTS.baseline;
  const wanted =
    plan.acceleratorIds.length > 0 ? plan.acceleratorIds : (base.raw.accelerators ?? [...ids].sort());
  for (const id of [...wanted, baseline])
    if (!catalog.accelerators.has(id)) throw new UsageError(unknownAccelerator(catalog, id));
  const evaluated = wanted.includes(baseline) ? wanted : [...wanted, baseline];

  checkAxes(ctx, plan, globalSets, evaluated);
  const grid = plan.axes.reduce((n, a) => n * a.count, 1);
  const total = Math.min(grid, limit ?? grid);
  if (total > MAX_POINTS_WITHOUT_YES && !opts.yes) {
    throw new UsageError(
      `the grid has ${total.toLocaleString('en-US')} points (${(total * wanted.length).toLocaleString('en-US')} rows); pass --yes to run more than ${MAX_POINTS_WITHOUT_YES.toLocaleString('en-US')}`,
    );
  }
  const [from, to] = shard ? shardRange(total, shard[0], shard[1]) : [0, total];

  // Radix of each axis: the last axis changes fastest.
  const radix: number[] = [];
  plan.axes.reduceRight((r, a, i) => {
    radix[i] = r;
    return r * a.count;
  }, 1);
  const workloadCache = lastValueCache<Workload>();
  const acceleratorCaches = new Map(evaluated.map((id) => [id, lastValueCache<Accelerator>()]));
  const header = [...plan.axes.map((a) => a.name), ...CSV_COLUMNS];
  // NDJSON keys are fixed: quote them once, not per row.
  const jsonKeys = header.map((h) => `${JSON.stringify(h)}:`);
  // Which axes set workload fields and which set each accelerator's: found once, not per point.
  const workloadAxes = plan.axes.flatMap((a, i) => (a.setAt(0).acceleratorId === undefined ? [i] : []));
  const axesOf = new Map(
    evaluated.map((id) => [id, plan.axes.flatMap((a, i) => (a.setAt(0).acceleratorId === id ? [i] : []))]),
  );
  const shown = new Set(wanted);
  const choice = new Array<number>(plan.axes.length).fill(0);
  const keyOf = (axes: readonly number[]) => {
    let key = '';
    for (const i of axes) key += `${choice[i]},`;
    return key;
  };
  const linesOf = (p: number, lines: string[]): number => {
    for (let i = 0; i < plan.axes.length; i++)
      choice[i] = Math.floor(p / (radix[i] as number)) % (plan.axes[i] as Axis).count;
    // Caches are keyed by the indices of the axes that matter: the inner axis changes fastest,
    // so most points reuse the workload or accelerator of the point before.
    let workload = workloadCache(keyOf(workloadAxes), () => {
      const sets = workloadAxes.map((i) => (plan.axes[i] as Axis).setAt(choice[i] as number));
      return loadWorkload(plan.workloadYaml, catalog, [...globalSets, ...sets], ctx.io.today).workload;
    });
    if (planOverride !== undefined) workload = { ...workload, plan: planOverride };
    const accelerators = evaluated.map((id) => {
      const mine = axesOf.get(id) as number[];
      const cache = acceleratorCaches.get(id) as (key: string, make: () => Accelerator) => Accelerator;
      return cache(keyOf(mine), () => {
        const sets = mine.map((i) => (plan.axes[i] as Axis).setAt(choice[i] as number));
        return acceleratorFor(catalog, id, [...globalSets, ...sets], ctx.io.today, base.raw.stack);
      });
    });
    const comparison = compareAccelerators(workload, accelerators, baseline, { ranges: false });
    const values: (string | number)[] = [];
    for (let i = 0; i < plan.axes.length; i++) {
      const v = (plan.axes[i] as Axis).valueAt(choice[i] as number);
      values.push(typeof v === 'number' ? v : String(v));
    }
    let chars = 0;
    for (const e of comparison.evaluations) {
      if (!shown.has(e.evaluation.acceleratorId)) continue;
      const cells: (string | number | boolean | null)[] = values.slice();
      for (const cell of flatRow(e, workload.name, baseline)) cells.push(cell);
      const line = format === 'csv' ? csvLine(cells) : ndjsonLine(jsonKeys, cells);
      lines.push(line);
      chars += line.length;
    }
    return chars;
  };
  return {
    format,
    header,
    writeHeader: format === 'csv' && (shard === undefined || shard[0] === 1),
    from,
    to,
    rowsPerPoint: wanted.length,
    linesOf,
  };
}

/** Streams one row per (point, accelerator) as it is computed; nothing waits for the end. */
export async function sweepCommand(
  ctx: Context,
  workloadPath: string | undefined,
  opts: SweepOptions,
): Promise<number> {
  const prep = prepare(ctx, workloadPath, opts);
  const out = outputFor(ctx, opts.output, [
    ...(workloadPath === undefined ? [] : [workloadPath]),
    ...(opts.file === undefined ? [] : [opts.file]),
  ]);
  const points = prep.to - prep.from;
  const started = ctx.io.now?.() ?? 0;
  const progress = progressReporter(ctx, started, points);
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

function progressReporter(ctx: Context, started: number, points: number): Progress {
  const showProgress = ctx.io.stderrIsTty && ctx.io.now !== undefined;
  let lastProgress = started;
  return {
    update: (done, rows) => {
      if (!showProgress) return;
      const now = ctx.io.now?.() ?? 0;
      if (now - lastProgress > 250 && now - started > 1000) {
        ctx.io.stderr(progressLine(done, points, rows, now - started));
        lastProgress = now;
      }
    },
    end: () => {
      if (showProgress && lastProgress !== started) ctx.io.stderr('\r\u001b[2K');
    },
  };
}

/**
 * Computes the rows in order and writes them in chunks of about CHUNK_CHARS. Each chunk's lines
 * are encoded one by one into a fresh buffer: `lines.join('')` on these lines (each a rope of
 * number runs and fields) cost 4 us a row in flattening, more than the encoding it saved, and
 * the write then had to encode the joined string again.
 */
async function runHere(prep: Prepared, out: Output, progress: Progress): Promise<void> {
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
