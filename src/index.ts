// infercost as a library: `import { compare } from 'infercost'`. The CLI is wiring over the same
// functions (src/api/); every number is the one `infercost compare --format json` prints.
import { stringify } from 'yaml';
import type { z } from 'zod';
import {
  backtestAgainst,
  backtestReport,
  backtestRows,
  bundledLimitRatios,
  type cvComparisonReport,
  cvReport,
  parseMechanisms,
  resolveRows,
} from './api/backtest.js';
import { type CalibrateOptions, type Calibration, calibrate as fitProfile } from './api/calibrate.js';
import { analyseClaim, type ClaimReport } from './api/claim.js';
import { type CompareRun, runCompare } from './api/compare.js';
import { type Change, diffResults, FLEET_KEYS, type FleetKey, isFleetKey } from './api/diff.js';
import { metricNames, resolveMetric } from './api/expect.js';
import { type FleetReport, type FleetSizing, planFleet } from './api/fleet.js';
import { prepareSweep } from './api/sweep.js';
import { VERSION } from './api/version.js';
import { crossValidate } from './fidelity/cv.js';
import { loadCatalog, userProfileDirs } from './io/catalog.js';
import { dottedPath, InputError, UsageError } from './io/errors.js';
import { bundledMeasuredDir, loadMeasured } from './io/measured.js';
import { csvLine } from './render/csv.js';
import { resultDoc } from './render/result.js';
import { describeIssue, describeValue, didYouMean } from './schema/issues.js';
import {
  backtestInputSchema,
  calibrateInputSchema,
  claimInputSchema,
  compareInputSchema,
  fleetInputSchema,
  sweepInputSchema,
} from './schema/library.js';
import { type MetricKey, type ResultDoc, resultSchema } from './schema/result.js';
import type { WorkloadFile } from './schema/workload.js';

export type { Calibration } from './api/calibrate.js';
export type { BreakEven, ClaimReport, ClaimWorkload, TornadoBar } from './api/claim.js';
export type { Change, FleetKey } from './api/diff.js';
export type { ExpectationOutcome } from './api/expect.js';

export type { FleetReport, FleetSizing, FleetSureness } from './api/fleet.js';
export type { FleetAllocation, FleetMargin, FleetPlan, FleetProblem } from './engine/fleet.js';
export { InputError, IoError, UsageError } from './io/errors.js';
export type { AcceleratorFile } from './schema/accelerator.js';
export type { ModelFile } from './schema/model.js';
export type { AcceleratorResult, MetricKey, ResultDoc, WorkloadResult } from './schema/result.js';
export { METRIC_KEYS } from './schema/result.js';
export type { WorkloadFile } from './schema/workload.js';

/**
 * A caller's input checked against its schema (src/schema/library.ts): a wrong shape is a
 * UsageError naming the function and the field, as a bad flag is on the command line.
 */
function checked(fn: string, schema: z.ZodType, input: unknown, what?: string): void {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new UsageError(
      what === undefined
        ? `${fn}(): expected an object of options, got ${describeValue(input)}`
        : `${fn}(): ${what}: expected a result saved with compare --format json, got ${describeValue(input)}`,
    );
  const r = schema.safeParse(input);
  if (r.success) return;
  const issue = r.error.issues[0] as z.core.$ZodIssue;
  const problem = describeIssue(issue, input, schema)[0];
  const path = [what, dottedPath(problem?.path ?? issue.path.map(String))].filter((p) => p).join('.');
  throw new UsageError(`${fn}(): ${path === '' ? '' : `${path}: `}${problem?.message ?? issue.message}`);
}

/** The catalog (bundled profiles plus the caller's) and today's date, as every function takes them. */
function envOf(input: { readonly profiles?: readonly string[]; readonly today?: string }) {
  const today = input.today ?? new Date().toISOString().slice(0, 10);
  return {
    // A folder named twice (dir and dir/) is read once, as the CLI reads --profiles.
    catalog: loadCatalog(userProfileDirs(input.profiles ?? [], {}), today),
    today,
  };
}

export interface CompareInput {
  /**
   * Workload files, bundled workload names (`chat`), or workloads written as objects (one without
   * a `name` is named `workload-<index>`). Names are unique across the list: a result pairs by them.
   */
  readonly workloads: readonly (string | WorkloadFile)[];
  /** Accelerator ids to compare (default: the workload's list, else every profile). */
  readonly accelerators?: readonly string[];
  readonly baseline?: string;
  readonly plan?: 'on_demand' | 'reserved_1y' | 'reserved_3y' | 'spot' | 'tco';
  readonly basis?: 'hyperscaler' | 'neocloud' | 'marketplace';
  /** Serving stack to assume (default: each chip's best calibrated one). */
  readonly stack?: string;
  /** `path=value` overrides, as `--set` takes them. */
  readonly set?: readonly string[];
  /** Claims to check, as `--expect` takes them. */
  readonly expect?: readonly string[];
  readonly sort?: string;
  /** Include each chip's Pareto curve. */
  readonly pareto?: boolean;
  /** Directories of your own accelerator and model profiles. */
  readonly profiles?: readonly string[];
  /** YYYY-MM-DD (default: today): dates `set` prices and flags stale quotes. */
  readonly today?: string;
}

export interface CompareOutput {
  /** The versioned result, as `infercost compare --format json` writes it. */
  readonly result: ResultDoc;
  /** One outcome per claim per workload: PASS, FAIL, UNCERTAIN or ERROR. */
  readonly outcomes: CompareRun['outcomes'];
}

/** An inline workload as the YAML a file would hold; a value YAML cannot hold is named, not thrown from inside. */
function inlineText(fn: string, index: number, w: object): string {
  // Each object once: a value that refers to itself is left to the workload check (an unknown key).
  const seen = new WeakSet<object>();
  const bad = (v: unknown, path: string): [string, string] | undefined => {
    if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') return [path, typeof v];
    if (v !== null && typeof v === 'object' && !seen.has(v) && seen.add(v)) {
      // YAML has no Symbol keys: named, not dropped in silence or left to zod's own words.
      const sym = Object.getOwnPropertySymbols(v)[0];
      if (sym !== undefined) return [`${path}.${String(sym)}`, 'Symbol key'];
      for (const [k, x] of Object.entries(v)) {
        const found = bad(x, `${path}.${k}`);
        if (found) return found;
      }
    }
    return undefined;
  };
  const found = bad(w, `workloads[${index}]`);
  if (found !== undefined)
    throw new UsageError(
      `${fn}(): ${found[0]}: expected a value a workload file can hold, got a ${found[1]}`,
    );
  // A file's workload is named after its file; an inline one without a name after its place in
  // the list (it read as "stdin", a stream the caller never used, and two of them clashed).
  if (typeof w === 'object' && w !== null && (w as { name?: unknown }).name === undefined)
    return stringify({ ...w, name: `${'mix' in w ? 'mix' : 'workload'}-${index}` });
  return stringify(w);
}

/**
 * Compares accelerators on workloads. Throws `InputError` or `UsageError` (with a one-line
 * message) for bad input, like the CLI's exit code 2.
 */
export function compare(input: CompareInput): CompareOutput {
  return compareAs('compare', input);
}

/** compare(), its errors named after the function the caller called (check() runs it too). */
function compareAs(fn: 'compare' | 'check', input: CompareInput): CompareOutput {
  // What YAML cannot hold (a function, a Symbol key) is named before the schema's own words.
  const listed = (input as { workloads?: unknown } | null | undefined)?.workloads;
  if (Array.isArray(listed))
    for (const [i, w] of listed.entries()) if (typeof w === 'object' && w !== null) inlineText(fn, i, w);
  checked(fn, compareInputSchema(), input);
  const { catalog, today } = envOf(input);
  const results: ResultDoc['results'][number][] = [];
  const mixes: NonNullable<ResultDoc['mixes']>[number][] = [];
  const outcomes: CompareRun['outcomes'][number][] = [];
  const workloadNamed = new Map<string, number>();
  const mixNamed = new Map<string, number>();
  for (const [i, w] of input.workloads.entries()) {
    const text = typeof w === 'string' ? '' : inlineText(fn, i, w);
    const run = inlineNamed(i, () =>
      runCompare({ catalog, today, readStdin: () => text }, [typeof w === 'string' ? w : '-'], {
        set: [...(input.set ?? [])],
        expect: [...(input.expect ?? [])],
        pareto: input.pareto === true,
        ranges: true,
        strict: false,
        ...(input.accelerators ? { accelerators: input.accelerators.join(',') } : {}),
        ...(input.baseline ? { baseline: input.baseline } : {}),
        ...(input.plan ? { plan: input.plan } : {}),
        ...(input.basis ? { basis: input.basis } : {}),
        ...(input.stack ? { stack: input.stack } : {}),
        ...(input.sort ? { sort: input.sort } : {}),
      }),
    );
    // A result pairs workloads and mixes by name (diff, check --against), as the CLI checks
    // across its files; each workload here runs alone, so the check across them is here.
    const clash = (kind: string, name: string, seen: Map<string, number>) => {
      const first = seen.get(name);
      if (first !== undefined)
        throw new UsageError(
          `${fn}(): workloads[${i}]: ${kind} "${name}" has the name of a ${kind} of workloads[${first}]; a result pairs ${kind}s by name, so give each its own or compare them in separate calls`,
        );
      seen.set(name, i);
    };
    for (const r of run.doc.results) clash('workload', r.workload.name, workloadNamed);
    for (const m of run.doc.mixes ?? []) clash('mix', m.name, mixNamed);
    results.push(...run.doc.results);
    mixes.push(...(run.doc.mixes ?? []));
    outcomes.push(...run.outcomes);
  }
  return { result: resultDoc(results, VERSION, mixes), outcomes };
}

export interface ClaimInput {
  /** `a/b metric >= r`, e.g. `maia-200/gb200 tokens_per_dollar >= 1.30`. */
  readonly claim: string;
  /** Workload files or bundled names (default: chat, rag, summarization, agentic-coding). */
  readonly workloads?: readonly string[];
  readonly plan?: 'on_demand' | 'reserved_1y' | 'reserved_3y' | 'spot' | 'tco';
  readonly basis?: 'hyperscaler' | 'neocloud' | 'marketplace';
  readonly stack?: string;
  readonly set?: readonly string[];
  readonly profiles?: readonly string[];
  readonly today?: string;
}

/**
 * A vendor's claim over workloads (docs/model.md section 7a): the analysis `infercost claim` prints,
 * as typed objects (`outcome.status`, `breakEven`); its `--format json` is a rendering of this with
 * other key names (`verdict`, `break_even`), not this shape.
 */
export function claim(input: ClaimInput): ClaimReport {
  checked('claim', claimInputSchema(), input);
  const { catalog, today } = envOf(input);
  return analyseClaim({ catalog, today, readStdin: () => '' }, input.claim, [...(input.workloads ?? [])], {
    set: [...(input.set ?? [])],
    ...(input.plan ? { plan: input.plan } : {}),
    ...(input.basis ? { basis: input.basis } : {}),
    ...(input.stack ? { stack: input.stack } : {}),
  });
}

/**
 * A mixed fleet from a fleet file (docs/model.md section 8a): the plan `infercost fleet` prints, as
 * typed objects (`plan.gapToBound`); its `--format json` renders it with other key names
 * (`gap_to_bound`). `at` sizes it with every chip at one end of its range (section 8c), as `--at` does.
 */
export function fleet(input: {
  readonly file: string;
  readonly profiles?: readonly string[];
  readonly today?: string;
  readonly at?: FleetSizing;
}): Promise<FleetReport> {
  try {
    checked('fleet', fleetInputSchema(), input);
  } catch (e) {
    return Promise.reject(e);
  }
  const { catalog, today } = envOf(input);
  return planFleet({ catalog, today, readStdin: () => '' }, input.file, input.at);
}

export { VERSION };

/**
 * An inline workload is read as YAML written from the object, so an error in it would point at
 * `<stdin>` and a line of text the caller never wrote: it names the workload's index instead.
 */
function inlineNamed<T>(index: number, run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof InputError && e.file === '<stdin>')
      throw new InputError(`workloads[${index}]`, undefined, undefined, e.fieldPath, e.detail);
    throw e;
  }
}

/** Every metric that moved between two saved results (`infercost diff`), per (workload, accelerator). */
export function diff(
  before: ResultDoc,
  after: ResultDoc,
  /** Metric keys, their aliases (tokens_per_dollar) or fleet figures, as `diff --metrics` takes them. */
  metrics?: readonly (MetricKey | FleetKey | (string & {}))[],
): Change[] {
  // The result schema, as `infercost diff` reads a saved file (src/io/result.ts): a metric that is
  // not a finite number, or a missing block, is a UsageError, never NaN in a change or a TypeError.
  checked('diff', resultSchema(), before, 'before');
  checked('diff', resultSchema(), after, 'after');
  if (metrics !== undefined) {
    if (!Array.isArray(metrics))
      throw new UsageError(`diff(): metrics: expected a list of metric keys, got ${describeValue(metrics)}`);
    // A key, an alias (tokens_per_dollar) or a fleet figure, as diff --metrics takes them.
    const keys = metrics.map((m) => {
      const k = typeof m === 'string' ? (isFleetKey(m) ? m : resolveMetric(m)) : undefined;
      if (k === undefined)
        throw new UsageError(
          `diff(): metrics: unknown metric ${describeValue(m)}${didYouMean(String(m), [...metricNames(), ...FLEET_KEYS])}`,
        );
      return k;
    });
    return diffResults(before, after, keys);
  }
  return diffResults(before, after, metrics);
}

export interface SweepInput {
  /** A workload file or a bundled workload's name. */
  readonly workload: string;
  /** Axes, as `--vary` takes them: `input_tokens=1000,4000`, `tpot_ms=20..100:20`. */
  readonly vary: readonly string[];
  readonly set?: readonly string[];
  readonly accelerators?: readonly string[];
  readonly baseline?: string;
  readonly plan?: 'on_demand' | 'reserved_1y' | 'reserved_3y' | 'spot' | 'tco';
  /** csv (a header line first) or ndjson (default). */
  readonly format?: 'csv' | 'ndjson';
  /** At most this many grid points. */
  readonly limit?: number;
  readonly profiles?: readonly string[];
  readonly today?: string;
}

/**
 * A sweep's lines, one per (point, accelerator), as `infercost sweep` prints them, computed as
 * they are read (a generator: memory stays flat over any grid).
 */
export function* sweep(input: SweepInput): Generator<string> {
  checked('sweep', sweepInputSchema(), input);
  const { catalog, today } = envOf(input);
  const run = prepareSweep({ catalog, today, readStdin: () => '' }, input.workload, {
    vary: [...input.vary],
    set: [...(input.set ?? [])],
    yes: true,
    format: input.format ?? 'ndjson',
    ...(input.accelerators ? { accelerators: input.accelerators.join(',') } : {}),
    ...(input.baseline ? { baseline: input.baseline } : {}),
    ...(input.plan ? { plan: input.plan } : {}),
    ...(input.limit === undefined ? {} : { limit: String(input.limit) }),
  });
  if (run.writeHeader) yield csvLine(run.header);
  for (let p = run.from; p < run.to; p++) {
    const lines: string[] = [];
    run.linesOf(p, lines);
    yield* lines;
  }
}

/** Claims checked on workloads (`infercost check`): one outcome per claim per workload. */
export function check(
  input: CompareInput & { readonly expect: readonly string[] },
): CompareOutput['outcomes'] {
  const outcomes = compareAs('check', input).outcomes;
  // As the CLI: a gate that checks nothing passes whatever happens, so it is a usage error.
  if (outcomes.length === 0)
    throw new UsageError(
      'check(): nothing to check: give expect: ["<claim>"] or an expect: list in a workload',
    );
  return outcomes;
}

/**
 * The engine against measured results (`infercost backtest`): each row's prediction and error,
 * or with `cv` the leave-one-source-out cross-validation (docs/model.md section 12a).
 */
export function backtest(
  input: {
    readonly files?: readonly string[];
    readonly cv?: boolean;
    /** `name=on|off,...` or `all`/`none`, as `--mechanisms` takes them. */
    readonly mechanisms?: string;
    /** With `cv`: cross-validate again with these changed and compare, as `--against` does. */
    readonly against?: string;
    readonly profiles?: readonly string[];
  } = {},
): ReturnType<typeof backtestReport> | ReturnType<typeof cvReport> | ReturnType<typeof cvComparisonReport> {
  checked('backtest', backtestInputSchema(), input);
  if (input.against !== undefined && !input.cv)
    throw new UsageError('against compares two cross-validations: give it with cv');
  const { catalog } = envOf(input);
  const located = loadMeasured(
    input.files && input.files.length > 0 ? [...input.files] : [bundledMeasuredDir()],
  );
  if (input.against !== undefined)
    return backtestAgainst(catalog, located, input.mechanisms, input.against).report;
  const { cases, unrepresentable } = resolveRows(catalog, located, parseMechanisms(input.mechanisms));
  if (input.cv) return cvReport(crossValidate(cases, { chipsLeftOut: true }));
  return backtestReport([...backtestRows(cases, bundledLimitRatios), ...unrepresentable]);
}

/** Fits one profile's factors to measured rows (`infercost calibrate --accelerator ID`). */
export function calibrate(
  // No `output`: the library returns the fit and writes nothing (the call refused it at run time
  // while the type let it through).
  input: Partial<Omit<CalibrateOptions, 'output'>> & {
    readonly accelerator: string;
    readonly files?: readonly string[];
    readonly profiles?: readonly string[];
  },
): Calibration {
  checked('calibrate', calibrateInputSchema(), input);
  const { catalog } = envOf(input);
  return fitProfile(catalog, [...(input.files ?? [])], {
    includeAssumedInput: false,
    ...input,
  });
}
