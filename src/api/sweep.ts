// A sweep as a library function (the CLI's sweep is wiring over it): the grid, lazily, and the
// rows of any point of it, in order. Nothing here prints.
import { compareAccelerators } from '../engine/evaluate.js';
import type { Accelerator, Workload } from '../engine/types.js';
import type { Catalog } from '../io/catalog.js';
import { defaultAcceleratorIds, displayPath } from '../io/catalog.js';
import { checkAgainst } from '../io/check.js';
import { InputError, UsageError } from '../io/errors.js';
import {
  acceleratorFor,
  type FieldSet,
  knownStacks,
  loadWorkload,
  readWorkloadNamedIn,
  readWorkloadYaml,
  unknownAccelerator,
  workloadErrorAt,
} from '../io/workload.js';
import { type LocatedYaml, readYamlFile } from '../io/yaml.js';
import { CSV_COLUMNS, csvLine } from '../render/csv.js';
import { flatRow } from '../render/result.js';
import { listAxisValues, parseAxisValues, shardRange, sweepSchema } from '../schema/sweep.js';
import { WORKLOAD_DEFAULTS } from '../schema/workload.js';
import { parseIdList, parsePlan, stackNotServed, stalePriceMessage, unknownStack } from './compare.js';
import { fieldKey, fieldSetFor, parseFieldSets, parseValue } from './sets.js';

/** What a sweep reads besides its options. */
export interface SweepEnv {
  readonly catalog: Catalog;
  readonly today: string;
  readonly readStdin: () => string;
}

/** Grids above this many points need --yes. */
export const MAX_POINTS_WITHOUT_YES = 10_000_000;

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
  readonly listed: boolean;
  /** Every value of the range is whole: no scan for the first that is not. */
  readonly whole: boolean;
  valueAt(i: number): unknown;
  /** How the i-th value is set: a workload or accelerator field. */
  setAt(i: number): FieldSet;
  /** In a sweep file: where the i-th value was written, `file:line:col axes.name[i]`. */
  readonly where?: (i: number) => string;
}

function parseShard(text: string | undefined): [number, number] | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const k = Number(m?.[1]);
  const n = Number(m?.[2]);
  // Past 2^53 the number read is not the one written, and shards would overlap.
  if (!m || !Number.isSafeInteger(n) || n < 1 || k < 1 || k > n)
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
  where?: (i: number) => string,
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
    ...(where === undefined ? {} : { where }),
    count: parsed.count,
    listed: parsed.listed === true,
    whole: parsed.whole === true,
    valueAt: (i) => parsed.valueAt(i),
    setAt: (i) => {
      const value = parsed.valueAt(i);
      // A value YAML read as NaN or Infinity is named by the axis as given, never as "Infinity".
      const shown = typeof value === 'number' && !Number.isFinite(value) ? String(valuesText) : String(value);
      return { ...proto, value, text: `${name}=${shown}` };
    },
  };
}

/**
 * The indices checked before the first row: every value of a list (each was written and any may be
 * wrong; up to 10,000, a fraction of a second), a range's ends and middle (its values are one
 * arithmetic, so its ends bound it), and the first value of a range that starts whole and is not
 * (`100..1000:0.5` or a step of 1.0000000000007 on a field that takes whole numbers fails there,
 * not at its ends; scanning the numbers costs milliseconds where loading each would take minutes).
 */
function indicesToCheck(axis: {
  readonly count: number;
  readonly listed: boolean;
  readonly whole: boolean;
  valueAt(i: number): unknown;
}): number[] {
  const { count } = axis;
  if (count <= 64 || (axis.listed && count <= 10_000)) return Array.from({ length: count }, (_, i) => i);
  const checked = [0, count - 1, Math.floor(count / 2)];
  if (!axis.whole && Number.isInteger(axis.valueAt(0))) {
    for (let i = 1; i < count; i++) {
      const v = axis.valueAt(i);
      if (typeof v === 'number' && !Number.isInteger(v)) {
        checked.push(i);
        break;
      }
    }
  }
  return [...new Set(checked)];
}

interface Plan {
  readonly workloadYaml: LocatedYaml;
  readonly axes: readonly Axis[];
  readonly acceleratorIds: readonly string[];
  readonly baseline?: string;
  /** The sweep file, when its `accelerators:` or `baseline:` is the one used: an unknown id is located there. */
  readonly idsIn?: LocatedYaml;
  readonly baselineIn?: LocatedYaml;
}

/** One axis per field: a second would label rows with values never used. */
function addAxis(axes: Axis[], axis: Axis, flag: string): void {
  const twin = axes.find((a) => fieldKey(a.setAt(0)) === fieldKey(axis.setAt(0)));
  if (twin)
    throw new UsageError(
      `${flag} ${axis.name}: the field is already swept (as ${twin.name}); give one axis per field`,
    );
  axes.push(axis);
}

/** The axis that sets the workload's top-level `field` (stack, baseline), if one does. */
function axisOn(axes: readonly Axis[], field: string): Axis | undefined {
  return axes.find((a) => {
    const set = a.setAt(0);
    return set.acceleratorId === undefined && set.path.length === 1 && set.path[0] === field;
  });
}

/**
 * Every value of an axis of ids (stacks, baselines) checked before the first row, as compare
 * checks its own: `problem` says what is wrong with one, or undefined. Lists of names are short
 * and nothing is loaded, so all are checked, however many.
 */
function checkIds(axis: Axis, problem: (id: string) => string | undefined): void {
  for (let i = 0; i < axis.count; i++) {
    const message = problem(String(axis.valueAt(i)));
    if (message === undefined) continue;
    const set = axis.setAt(i);
    if (axis.where !== undefined) throw new UsageError(`${axis.where(i)}: ${set.text}: ${message}`);
    throw new UsageError(`${set.flag} ${set.text}: ${message}`);
  }
}

/** The base workload and the axes, from a sweep file and/or the command line. */
function planFor(
  env: SweepEnv,
  workloadPath: string | undefined,
  opts: SweepOptions,
  ids: readonly string[],
): Plan {
  let workloadYaml: LocatedYaml | undefined;
  const axes: Axis[] = [];
  let fileIds: string[] | undefined;
  let baseline: string | undefined;
  let baselineFrom = '';
  let sweepFile: LocatedYaml | undefined;
  if (opts.file !== undefined) {
    const y = readYamlFile(opts.file, displayPath(opts.file));
    sweepFile = y;
    baselineFrom = `${y.file} baseline:`;
    const sweep = checkAgainst(y, sweepSchema(), () => []);
    if (typeof sweep.workload === 'string') {
      // A path beside the sweep file or a bundled workload's name, as a mix's classes are read;
      // a wrong one is located at its line in the sweep file.
      workloadYaml = readWorkloadNamedIn(y, ['workload'], sweep.workload, env.readStdin);
    } else {
      workloadYaml = {
        file: y.file,
        data: sweep.workload,
        locate: (p, k) => y.locate(['workload', ...p], k),
      };
    }
    for (const [name, values] of Object.entries(sweep.axes)) {
      // A bad value is located where it was written, as a schema error in the file is.
      const where = (i: number) => {
        const path = typeof values === 'string' ? ['axes', name] : ['axes', name, i];
        const { line, col } = y.locate(path);
        return `${y.file}:${line}:${col} axes.${name}${typeof values === 'string' ? '' : `[${i}]`}`;
      };
      addAxis(axes, axisFrom(name, values, ids, `${y.file} axes:`, where), `${y.file} axes:`);
    }
    fileIds = sweep.accelerators;
    baseline = sweep.baseline;
  }
  if (workloadPath !== undefined) workloadYaml = readWorkloadYaml(workloadPath, env.readStdin);
  if (!workloadYaml) throw new UsageError('sweep needs a workload file or --file <sweep.yaml>');
  for (const v of opts.vary) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError(`--vary ${v}: expected path=values, e.g. input_tokens=1000,4000`);
    addAxis(axes, axisFrom(v.slice(0, eq).trim(), v.slice(eq + 1).trim(), ids, '--vary'), '--vary');
  }
  if (axes.length === 0)
    throw new UsageError('sweep needs at least one --vary path=values (or axes: in the sweep file)');
  const flagIds = parseIdList(opts.accelerators);
  const plan = {
    workloadYaml,
    axes,
    acceleratorIds: flagIds ?? fileIds ?? [],
    ...(flagIds === undefined && fileIds !== undefined && sweepFile ? { idsIn: sweepFile } : {}),
    ...(opts.baseline === undefined && baseline !== undefined && sweepFile ? { baselineIn: sweepFile } : {}),
  };
  const b = opts.baseline ?? baseline;
  // Each point's baseline is its own: a fixed one beside the axis would win without a word.
  const swept = axisOn(axes, 'baseline');
  if (b !== undefined && swept !== undefined)
    throw new UsageError(
      `${opts.baseline !== undefined ? '--baseline' : baselineFrom} ${b} and ${swept.setAt(0).flag} ${swept.name}: the baseline is either fixed or swept, not both`,
    );
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

/**
 * Loads every value of short axes (and the ends and middle of ranges) before the first row, so a
 * bad value is one line naming its flag, not an error half-way through the output.
 */
function checkAxes(
  env: SweepEnv,
  plan: Plan,
  globalSets: readonly FieldSet[],
  evaluated: readonly string[],
): void {
  const catalog = env.catalog;
  // With two or more workload axes a value is only valid or not at a point, beside the other
  // axes' values (130,900 input tokens fit with 100 output, not with the file's 300): those are
  // checked in combination below, never against the base workload alone.
  const combined = plan.axes.filter((a) => a.setAt(0).acceleratorId === undefined).length >= 2;
  for (const axis of plan.axes) {
    if (combined && axis.setAt(0).acceleratorId === undefined) continue;
    for (const i of indicesToCheck(axis)) {
      const set = axis.setAt(i);
      try {
        if (set.acceleratorId === undefined)
          loadWorkload(plan.workloadYaml, catalog, [...globalSets, set], env.today);
        else if (evaluated.includes(set.acceleratorId))
          acceleratorFor(catalog, set.acceleratorId, [...globalSets, set], env.today);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        if (axis.where !== undefined) throw new UsageError(`${axis.where(i)}: ${set.text}: ${e.detail}`);
        if (e.file.startsWith(set.flag)) throw e;
        throw new UsageError(`${set.flag} ${set.text}: ${e.detail}`);
      }
    }
  }
  checkWorkloadCombinations(env, plan, globalSets);
}

/** Beyond this many, only the corners of the workload axes are checked together. */
const MAX_COMBINATIONS_CHECKED = 4096;

/**
 * Values valid alone can be invalid together (input + output beyond the model's context): the
 * workload axes' checked values are loaded in every combination, so such a grid is one line before
 * the first row, not an error after hundreds of them. A grid with more combinations than
 * MAX_COMBINATIONS_CHECKED checks each axis's ends together (the limits a workload has, context
 * length and sums, grow with each field, so the worst combination sits at a corner), and each
 * axis's checked values with the other axes at their first value.
 */
function checkWorkloadCombinations(env: SweepEnv, plan: Plan, globalSets: readonly FieldSet[]): void {
  const axes = plan.axes.filter((a) => a.setAt(0).acceleratorId === undefined);
  if (axes.length < 2) return;
  const check = (indices: readonly number[]) => {
    const sets = axes.map((a, k) => a.setAt(indices[k] as number));
    try {
      loadWorkload(plan.workloadYaml, env.catalog, [...globalSets, ...sets], env.today);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      const field = e.fieldPath === '' ? '' : `${e.fieldPath}: `;
      throw new UsageError(`${sets.map((s) => `${s.flag} ${s.text}`).join(' with ')}: ${field}${e.detail}`);
    }
  };
  let choices = axes.map((a) => indicesToCheck(a));
  if (choices.reduce((n, c) => n * c.length, 1) > MAX_COMBINATIONS_CHECKED) {
    for (const [k, list] of choices.entries())
      for (const i of list) check(axes.map((_, j) => (j === k ? i : 0)));
    choices = axes.map((a) => [...new Set([0, a.count - 1])]);
  }
  const index = new Array<number>(axes.length).fill(0);
  for (;;) {
    check(index.map((i, k) => (choices[k] as number[])[i] as number));
    let k = axes.length - 1;
    while (k >= 0 && (index[k] as number) + 1 >= (choices[k] as number[]).length) index[k--] = 0;
    if (k < 0) return;
    index[k] = (index[k] as number) + 1;
  }
}

/** What a sweep computes, made once per thread: the rows of any point of the grid, in order. */
export interface SweepRun {
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

/**
 * The workload without the axes, for its baseline, chips and stack; when that is incomplete alone
 * (an axis gives a required field: `--vary speculative.draft=a,b` beside `--set
 * speculative.tokens=4`), with every axis at its first value. Each point is checked and loaded
 * with its own values either way; if neither loads, the error is the file's own.
 */
function loadBase(env: SweepEnv, plan: Plan, globalSets: readonly FieldSet[]) {
  try {
    return loadWorkload(plan.workloadYaml, env.catalog, globalSets, env.today);
  } catch (e) {
    if (!(e instanceof InputError) || plan.axes.length === 0) throw e;
    try {
      const first = plan.axes.map((a) => a.setAt(0));
      return loadWorkload(plan.workloadYaml, env.catalog, [...globalSets, ...first], env.today);
    } catch {
      throw e;
    }
  }
}

/** A set field's dotted path, its chip first: `b200.memory.bandwidth_tbps`, `input_tokens`. */
function fieldOf(f: {
  readonly acceleratorId?: string | undefined;
  readonly path: readonly string[];
}): string {
  return [...(f.acceleratorId === undefined ? [] : [f.acceleratorId]), ...f.path].join('.');
}

/** Plans a sweep and checks its axes: the rows of any point, without printing (src/cli/commands/sweep.ts prints). */
export function prepareSweep(env: SweepEnv, workloadPath: string | undefined, opts: SweepOptions): SweepRun {
  const catalog = env.catalog;
  const ids = [...catalog.accelerators.keys()];
  const format = opts.format ?? 'ndjson';
  if (format !== 'csv' && format !== 'ndjson')
    throw new UsageError(`--format ${format}: sweep writes csv or ndjson`);
  const globalSets = parseFieldSets(opts.set, ids);
  const planOverride = parsePlan(opts.plan);
  const shard = parseShard(opts.shard);
  const limit = parseLimit(opts.limit);
  const plan = planFor(env, workloadPath, opts, ids);

  const base = loadBase(env, plan, globalSets);
  // The stack and the baseline are each point's own (as compare would read them from that
  // workload): an axis on either gives every value its factors and its vs_baseline ratios.
  const stackAxis = axisOn(plan.axes, 'stack');
  const baselineAxis = axisOn(plan.axes, 'baseline');
  const wanted =
    plan.acceleratorIds.length > 0
      ? plan.acceleratorIds
      : (base.raw.accelerators ?? defaultAcceleratorIds(catalog));
  // An id from a file is located where it was written, as every other error in a sweep file or
  // workload is; one from --accelerators or --baseline is named by the message alone, as compare does.
  const fromFile = plan.acceleratorIds.length === 0 ? plan.workloadYaml : plan.idsIn;
  wanted.forEach((id, i) => {
    if (catalog.accelerators.has(id)) return;
    const message = unknownAccelerator(catalog, id);
    if (fromFile === undefined) throw new UsageError(message);
    throw workloadErrorAt(
      fromFile,
      fromFile === plan.workloadYaml ? globalSets : [],
      ['accelerators', i],
      message,
    );
  });
  let baselines: string[];
  if (baselineAxis !== undefined) {
    checkIds(baselineAxis, (id) =>
      catalog.accelerators.has(id) ? undefined : unknownAccelerator(catalog, id),
    );
    baselines = [
      ...new Set(Array.from({ length: baselineAxis.count }, (_, i) => String(baselineAxis.valueAt(i)))),
    ];
  } else {
    const baseline = plan.baseline ?? base.raw.baseline ?? WORKLOAD_DEFAULTS.baseline;
    if (!catalog.accelerators.has(baseline)) {
      const message = unknownAccelerator(catalog, baseline);
      const fromFile =
        plan.baseline !== undefined
          ? plan.baselineIn
          : base.raw.baseline !== undefined
            ? plan.workloadYaml
            : undefined;
      if (fromFile === undefined) throw new UsageError(message);
      throw workloadErrorAt(
        fromFile,
        fromFile === plan.workloadYaml ? globalSets : [],
        ['baseline'],
        message,
      );
    }
    baselines = [baseline];
  }
  const stacks = knownStacks(catalog);
  const stackProblem = (id: string) => (stacks.includes(id) ? undefined : unknownStack(catalog, id));
  if (stackAxis !== undefined) checkIds(stackAxis, stackProblem);
  else if (base.raw.stack !== undefined && !stacks.includes(base.raw.stack)) {
    const message = unknownStack(catalog, base.raw.stack);
    const set = globalSets.find((g) => g.acceleratorId === undefined && g.path.join('.') === 'stack');
    if (set !== undefined) throw new UsageError(`${set.flag} ${set.text}: ${message}`);
    const { line, col } = plan.workloadYaml.locate(['stack']);
    throw new InputError(plan.workloadYaml.file, line, col, 'stack', message);
  }
  // Every chip some point runs: those shown, and each baseline (run but not shown unless asked).
  const evaluated = [...new Set([...wanted, ...baselines])];
  // A point runs the chips shown and its own baseline, not every point's.
  const chipsFor = new Map(baselines.map((b) => [b, wanted.includes(b) ? wanted : [...wanted, b]]));
  // An axis on a chip not in the run would label identical rows with values never used.
  for (const axis of plan.axes) {
    const id = axis.setAt(0).acceleratorId;
    if (id !== undefined && !evaluated.includes(id))
      throw new UsageError(
        `${axis.setAt(0).flag} ${axis.name}: ${id} is not among the accelerators of this sweep (${wanted.join(', ')}); add it or drop the axis`,
      );
  }

  checkAxes(env, plan, globalSets, evaluated);
  // A field both set and swept: the sweep's values would win without a word.
  for (const axis of plan.axes) {
    const swept = axis.setAt(0);
    const fixed = globalSets.find((g) => fieldOf(g) === fieldOf(swept));
    if (fixed)
      throw new UsageError(
        `${fixed.flag} ${fixed.text} and ${swept.flag} ${axis.name}: ${fieldOf(swept)} is either fixed or swept, not both`,
      );
  }
  // Points are numbered with doubles (the loop's index, each axis's radix, a shard's bounds): past
  // 2^53 neighbouring numbers round to one and a run repeats a point. Counted exactly, in BigInt,
  // so the refusal states the true size; rows too, as their count is kept and shown as a number.
  const exactGrid = plan.axes.reduce((n, a) => n * BigInt(a.count), 1n);
  const exactTotal = limit !== undefined && BigInt(limit) < exactGrid ? BigInt(limit) : exactGrid;
  const exactRows = exactTotal * BigInt(wanted.length);
  if (exactRows > BigInt(Number.MAX_SAFE_INTEGER)) {
    const digits = (n: bigint) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    throw new UsageError(
      `the grid has ${digits(exactTotal)} points (${digits(exactRows)} rows); a sweep runs at most ${digits(BigInt(Number.MAX_SAFE_INTEGER))} rows: use fewer values or --limit`,
    );
  }
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
  interface Point {
    readonly workload: Workload;
    readonly stack: string | undefined;
    readonly baseline: string;
    readonly chips: readonly string[];
  }
  const workloadCache = lastValueCache<Point>();
  // Per chip and per stack: a stack axis alternating fastest still reuses each stack's profile.
  const acceleratorCaches = new Map(
    evaluated.map((id) => [id, new Map<string, (key: string, make: () => Accelerator) => Accelerator>()]),
  );
  // A swept value's column must not share a result column's name: a reader keeps one of the two.
  for (const axis of plan.axes) {
    if (!(CSV_COLUMNS as readonly string[]).includes(axis.name)) continue;
    const set = axis.setAt(0);
    const path = fieldOf(set);
    throw new UsageError(
      path === axis.name
        ? `${set.flag} ${axis.name}: the rows have a ${axis.name} column of their own; sweep another field`
        : `${set.flag} ${axis.name}: the rows have a ${axis.name} column of their own; name the field by its path (${path})`,
    );
  }
  const header = [...plan.axes.map((a) => a.name), ...CSV_COLUMNS];
  const warningsAt = plan.axes.length + CSV_COLUMNS.indexOf('warnings');
  // Per quote date, not per row: a million rows share a handful of dates ('' for none).
  const staleByDate = new Map<string, string>();
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
    const point = workloadCache(keyOf(workloadAxes), () => {
      const sets = workloadAxes.map((i) => (plan.axes[i] as Axis).setAt(choice[i] as number));
      const loaded = loadWorkload(plan.workloadYaml, catalog, [...globalSets, ...sets], env.today);
      const baseline = plan.baseline ?? loaded.raw.baseline ?? WORKLOAD_DEFAULTS.baseline;
      return {
        workload: loaded.workload,
        stack: loaded.raw.stack,
        baseline,
        chips: chipsFor.get(baseline) ?? [...wanted, baseline],
      };
    });
    const { stack, baseline } = point;
    const workload = planOverride === undefined ? point.workload : { ...point.workload, plan: planOverride };
    const accelerators = point.chips.map((id) => {
      const mine = axesOf.get(id) as number[];
      const byStack = acceleratorCaches.get(id) as Map<
        string,
        (key: string, make: () => Accelerator) => Accelerator
      >;
      let cache = byStack.get(stack ?? '');
      if (cache === undefined) {
        cache = lastValueCache<Accelerator>();
        byStack.set(stack ?? '', cache);
      }
      return cache(keyOf(mine), () => {
        const sets = mine.map((i) => (plan.axes[i] as Axis).setAt(choice[i] as number));
        return acceleratorFor(catalog, id, [...globalSets, ...sets], env.today, stack);
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
      const cells = flatRow(e, workload.name, baseline, values);
      // A stale quote is flagged as compare flags it (flagStalePrices), after the row's own warnings.
      const asOf = e.evaluation.cost?.asOf ?? '';
      let stale = staleByDate.get(asOf);
      if (stale === undefined) {
        stale = stalePriceMessage(asOf, env.today) ?? '';
        staleByDate.set(asOf, stale);
      }
      if (stale !== '') cells[warningsAt] = cells[warningsAt] ? `${cells[warningsAt]}; ${stale}` : stale;
      // And a chip without the point's stack, as compare notes it (flagStackNotServed).
      const ran = e.evaluation.stack;
      if (stack !== undefined && ran !== undefined && ran !== stack) {
        const note = stackNotServed(stack, ran);
        cells[warningsAt] = cells[warningsAt] ? `${cells[warningsAt]}; ${note}` : note;
      }
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
