import { Document, parseDocument } from 'yaml';
import {
  CALIBRATION_PRIOR,
  type Fit,
  fitEfficiency,
  observationCount,
  sensitivities,
} from '../engine/calibrate.js';
import { setupFor } from '../engine/deploy.js';
import {
  COLLECTIVE_LATENCY,
  COMPUTE_FORMATS,
  EFFICIENCY_FACTORS,
  type Efficiency,
  type EfficiencyFactor,
} from '../engine/types.js';
import { backtestCase, type MeasuredCase, summarize } from '../fidelity/backtest.js';
import { defaultStack, type StackCalibration } from '../fidelity/cv.js';
import type { Catalog } from '../io/catalog.js';
import { UsageError } from '../io/errors.js';
import { bundledMeasuredDir, type LocatedRow, loadMeasured } from '../io/measured.js';
import { unknownAccelerator } from '../io/workload.js';
import { replaceNestedEntries, replaceTopLevel } from '../io/yaml.js';
import type { AcceleratorFile } from '../schema/accelerator.js';
import { fileFactorName, fileFactorValue, toAccelerator } from '../schema/convert.js';
import { parseMechanisms, resolveRows } from './backtest.js';

export interface CalibrateOptions {
  readonly accelerator: string;
  readonly factors?: string;
  readonly rows?: string;
  readonly includeAssumedInput: boolean;
  readonly output?: string;
  /** Engine corrections to fit with, as `backtest --mechanisms` takes them (default: the defaults). */
  readonly mechanisms?: string;
  /** The serving stack whose factors to fit (default: see `stackToFit`). */
  readonly stack?: string;
}

export interface Calibration {
  readonly fit: Fit<EfficiencyFactor>;
  readonly cases: readonly MeasuredCase[];
  readonly before: ReturnType<typeof summarize>;
  readonly after: ReturnType<typeof summarize>;
  readonly note: string;
  /** The stack fitted, for a profile with `stacks:` (its entry is the one written). */
  readonly stack: string | undefined;
}

function factorByFileName(name: string): EfficiencyFactor {
  const f = EFFICIENCY_FACTORS.find((x) => fileFactorName(x) === name);
  if (!f)
    throw new UsageError(
      `--factors ${name}: expected some of ${EFFICIENCY_FACTORS.map(fileFactorName).join(', ')}`,
    );
  return f;
}

/**
 * Which factors to fit: the user's list, else the four step factors (and eta_link when a row
 * spans several chips). One row constrains one number, so it fits only the factor the row's
 * throughput is most sensitive to.
 */
export function chooseFactors(
  cases: readonly MeasuredCase[],
  start: Efficiency,
  requested?: string,
): { factors: EfficiencyFactor[]; note: string } {
  if (requested !== undefined) {
    if (requested.trim() === '')
      throw new UsageError(
        `--factors "": expected some of ${EFFICIENCY_FACTORS.map(fileFactorName).join(', ')}`,
      );
    return {
      factors: requested.split(',').map((s) => factorByFileName(s.trim())),
      note: 'factors chosen with --factors',
    };
  }
  const all: EfficiencyFactor[] = ['etaMem', 'etaPrefill', 'etaDecode', 'tStep0S'];
  if (cases.some((c) => c.row.chips_per_replica > 1)) all.push('etaLink');
  const observations = observationCount(cases);
  const only = cases.length === 1 ? cases[0] : undefined;
  if (only && observations === 1) {
    // One number constrains one factor: the one the row's throughput responds to most.
    const ranked = (Object.entries(sensitivities(only, start, all)) as [EfficiencyFactor, number][]).sort(
      (a, b) => Math.abs(b[1]) - Math.abs(a[1]),
    );
    const [factor, s] = ranked[0] ?? ['etaMem', 0];
    return {
      factors: [factor],
      note: `one measured row constrains one factor: fitted ${fileFactorName(factor)} only (throughput moves ${s.toFixed(2)}% per 1% of it); the others keep their values`,
    };
  }
  const note =
    observations < all.length
      ? `${observations} measurements for ${all.length} factors: the fit is not unique, so it keeps the factors as close to their starting values as the data allows`
      : `least squares on log error over ${observations} measurements`;
  return { factors: all, note };
}

/** Fits one profile's factors to its measured rows (docs/model.md section 12). */
export function calibrate(
  catalog: Catalog,
  files: readonly string[],
  opts: CalibrateOptions,
  /** Reads stdin for a file named `-`; without it `-` is a file name. */
  readStdin?: () => string,
): Calibration {
  const entry = catalog.accelerators.get(opts.accelerator);
  if (!entry) throw new UsageError(unknownAccelerator(catalog, opts.accelerator));
  // A form factor has no factors or file of its own (docs/model.md section 1).
  if (entry.formOf !== undefined)
    throw new UsageError(
      `${opts.accelerator} is a form factor of ${entry.formOf} and shares its factors: calibrate ${entry.formOf}`,
    );
  const wanted = opts.rows?.split(',').map((s) => s.trim());
  const located = loadMeasured(files.length > 0 ? files : [bundledMeasuredDir()], readStdin).filter(
    (r) =>
      r.row.accelerator === opts.accelerator &&
      (wanted ? wanted.includes(r.row.id) : opts.includeAssumedInput || !r.row.input_assumed),
  );
  if (wanted) {
    const missing = wanted.filter((id) => !located.some((r) => r.row.id === id));
    if (missing.length > 0)
      throw new UsageError(`--rows: no ${opts.accelerator} row with id ${missing.join(', ')}`);
  }
  const { stack, leftOut } = stackToFit(entry.value, located, opts);
  const ofStack =
    stack === undefined
      ? located
      : located.filter((r) => (r.row.stack ?? entry.value.default_stack) === stack);
  const mechanisms = parseMechanisms(opts.mechanisms);
  const { cases: resolved } = resolveRows(catalog, ofStack, mechanisms);
  // A row the engine cannot run with the profile's factors (beyond the model's context, nothing
  // fits) has no error to fit: it is left out, and a file of only such rows is no calibration.
  const start = toAccelerator(entry.value, stack).efficiency;
  const cases = resolved.filter((c) => backtestCase(c, start).errorPct !== undefined);
  if (cases.length === 0) {
    throw new UsageError(
      `no measured rows for ${opts.accelerator} that the engine can represent (rows with an assumed input length need --include-assumed-input, which fits them at the length written; calibrate --all fits them at their datasets' estimated inputs, docs/model.md 12c)`,
    );
  }
  const { factors, note } = chooseFactors(cases, start, opts.factors);
  // A factor no measured throughput responds to cannot be calibrated: it keeps its value.
  const response = new Map<EfficiencyFactor, number>();
  for (const c of cases) {
    for (const [f, v] of Object.entries(sensitivities(c, start, factors)) as [EfficiencyFactor, number][]) {
      response.set(f, (response.get(f) ?? 0) + Math.abs(v));
    }
  }
  const unseen = factors.filter((f) => (response.get(f) ?? 0) < 0.02);
  const fit = fitEfficiency(
    cases,
    factors.filter((f) => !unseen.includes(f)),
    start,
    CALIBRATION_PRIOR,
  );
  const unseenNote =
    unseen.length > 0
      ? `; ${unseen.map(fileFactorName).join(', ')} left as assumed: no measured throughput responds to it`
      : '';
  const stackNote =
    stack === undefined
      ? ''
      : `; fitted the ${stack} stack${leftOut.length > 0 ? ` (rows on other stacks left out: ${leftOut.join(', ')}; --stack picks one)` : ''}`;
  return {
    fit,
    cases,
    before: summarize(
      'before',
      cases.map((c) => backtestCase(c, start)),
    ),
    after: summarize(
      'after',
      cases.map((c) => backtestCase(c, fit.efficiency)),
    ),
    note: note + unseenNote + stackNote,
    stack,
  };
}

/**
 * Which stack's factors one calibration fits (a profile with `stacks:` reads its factors per
 * stack, docs/model.md 12): `--stack`, else the default stack when rows ran on it, else the one
 * stack the rows ran on; rows on several stacks and none the default's is a usage error.
 */
function stackToFit(
  profile: AcceleratorFile,
  located: readonly LocatedRow[],
  opts: CalibrateOptions,
): { stack: string | undefined; leftOut: string[] } {
  const known = Object.keys(profile.stacks ?? {});
  if (known.length === 0) {
    if (opts.stack !== undefined)
      throw new UsageError(`--stack ${opts.stack}: ${profile.id} has no stacks: (one set of factors)`);
    return { stack: undefined, leftOut: [] };
  }
  const counts = new Map<string, number>();
  for (const r of located) {
    const s = r.row.stack ?? profile.default_stack ?? '';
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  // No rows at all: the caller says there is nothing to fit.
  if (counts.size === 0 && opts.stack === undefined) return { stack: profile.default_stack, leftOut: [] };
  const pick =
    opts.stack ??
    (profile.default_stack !== undefined && counts.has(profile.default_stack)
      ? profile.default_stack
      : counts.size === 1
        ? [...counts.keys()][0]
        : undefined);
  if (pick === undefined)
    throw new UsageError(
      `${profile.id}'s rows ran on ${[...counts.entries()].map(([s, n]) => `${s} (${n})`).join(', ')}: give --stack to fit one`,
    );
  if (!known.includes(pick))
    throw new UsageError(
      `--stack ${pick}: ${profile.id} has no factors for this stack (it has ${known.join(', ')}); calibrate --all fits a stack new to a chip`,
    );
  const leftOut = [...counts.entries()].filter(([s]) => s !== pick).map(([s, n]) => `${s} ${n}`);
  return { stack: pick, leftOut };
}

export function round(v: number, digits = 4): number {
  return Number(v.toPrecision(digits));
}

/** The profile file with fitted factors marked calibrated; comments and order kept. */
export function calibratedProfileText(
  original: string,
  c: Calibration,
  files: readonly string[] = [],
): string {
  const doc = parseDocument(original);
  const rows = c.cases.map((x) => x.id);
  const after = c.after;
  const from = files.length > 0 ? files.join(', ') : 'data/measured';
  // A profile with stacks takes its factors from a stack's entry, never from `efficiency`: the fit
  // started from the entry of the stack its rows ran on (stackToFit) and goes there, as a pair fit
  // on these rows. Its interval stays the one calibrate --all cross-validated.
  const stack = c.stack;
  const inStack = stack !== undefined && doc.hasIn(['stacks', stack, 'efficiency']);
  if (inStack) {
    for (const f of c.fit.fitted)
      doc.setIn(
        ['stacks', stack, 'efficiency', fileFactorName(f)],
        round(fileFactorValue(f, c.fit.efficiency[f])),
      );
    const fitted = doc.createNode(c.fit.fitted.map(fileFactorName));
    fitted.flow = true;
    doc.setIn(['stacks', stack, 'level'], 'pair');
    doc.setIn(['stacks', stack, 'fitted'], fitted);
    doc.setIn(['stacks', stack, 'fitted_on'], doc.createNode(rows));
    doc.setIn(['stacks', stack, 'rows'], rows.length);
    // The matrix formats these rows ran in, as calibrate --all records them (section 12a).
    const seen = new Set(c.cases.map((x) => setupFor(x.accelerator, x.workload)?.compute.format));
    const formats = doc.createNode(COMPUTE_FORMATS.filter((f) => seen.has(f)));
    formats.flow = true;
    doc.setIn(['stacks', stack, 'fitted_formats'], formats);
  }
  for (const f of c.fit.fitted) {
    const key = fileFactorName(f);
    const value = fileFactorValue(f, c.fit.efficiency[f]);
    const node = doc.createNode({ value: round(value), status: 'calibrated' });
    node.flow = true;
    doc.setIn(['efficiency', key], node);
    doc.setIn(
      ['sources', `efficiency.${key}`],
      doc.createNode({
        kind: 'analysis',
        source: `infercost calibrate on measured rows ${rows.join(', ')} (${from})`,
        note: `Least-squares fit on log error. What a mature serving stack achieves on this chip. Median |error| after the fit ${after.medianAbsErrorPct?.toFixed(1)}%, max ${after.maxAbsErrorPct?.toFixed(1)}%.`,
      }),
    );
  }
  doc.setIn(
    ['calibration'],
    doc.createNode({
      rows,
      method: `infercost calibrate: least squares on log error of output tokens/s (and TPOT where measured); fitted ${c.fit.fitted.map(fileFactorName).join(', ')}; ${c.note}`,
      median_abs_error_pct: round(after.medianAbsErrorPct ?? 0, 3),
      max_abs_error_pct: round(after.maxAbsErrorPct ?? 0, 3),
    }),
  );
  return doc.toString({ lineWidth: 110 });
}

/**
 * The profile with its `default_stack` and `stacks` replaced and any single-chip `calibration`
 * block removed. Only those top-level entries are rewritten, spliced into the original text: the
 * rest of the file (sources, notes, comments, the author's line breaks) stays byte for byte.
 */
export function stacksProfileText(
  original: string,
  entries: readonly StackCalibration[],
  spread: FactorSpread = fittedFactorSpread(entries),
  /** The measured rows the fits came from, as the sources name them. */
  from = 'data/measured',
): string {
  const stacks: Record<string, unknown> = {};
  for (const e of entries) {
    stacks[e.stack] = {
      level: e.level,
      efficiency: fileFactors(e.efficiency),
      fitted: e.fitted.map(fileFactorName),
      fitted_formats: [...e.formats],
      ...(e.level === 'pair' ? { fitted_on: [...e.ids] } : {}),
      ...(e.latent ? { inputs_estimated: true } : {}),
      rows: e.ids.length,
      interval_pct: { low: intervalPct(e.intervalLog[0]), high: intervalPct(e.intervalLog[1]) },
      ...(e.moeIntervalLog
        ? {
            moe_interval_pct: {
              low: intervalPct(e.moeIntervalLog[0]),
              high: intervalPct(e.moeIntervalLog[1]),
            },
          }
        : {}),
      ...(e.cv ? { cv: { rows: e.cv.rows, median_abs_error_pct: round(e.cv.medianAbsErrorPct, 3) } } : {}),
      ...(e.moeCv
        ? { moe_cv: { rows: e.moeCv.rows, median_abs_error_pct: round(e.moeCv.medianAbsErrorPct, 3) } }
        : {}),
      ...(e.moeAcross
        ? {
            moe_across: {
              efficiency: fileFactors(e.moeAcross.efficiency),
              fitted: e.moeAcross.fitted.map(fileFactorName),
              fitted_on: [...e.moeAcross.ids],
              rows: e.moeAcross.ids.length,
            },
          }
        : {}),
    };
  }
  const doc = new Document({ stacks });
  for (const e of entries) {
    for (const path of [
      ['moe_across', 'efficiency'],
      ['moe_across', 'fitted'],
    ]) {
      const node = doc.getIn(['stacks', e.stack, ...path], true) as { flow?: boolean } | undefined;
      if (node) node.flow = true;
    }
    for (const key of [
      'efficiency',
      'interval_pct',
      'moe_interval_pct',
      'cv',
      'moe_cv',
      'fitted',
      'fitted_formats',
    ]) {
      const node = doc.getIn(['stacks', e.stack, key], true) as { flow?: boolean } | undefined;
      if (node) node.flow = true;
    }
  }
  const chosen = defaultStack(entries);
  const main = entries.find((e) => e.stack === chosen);
  const block = main ? efficiencyBlock(main, spread, from) : undefined;
  const text = replaceTopLevel(original, {
    calibration: undefined,
    default_stack: chosen === undefined ? undefined : new Document({ default_stack: chosen }).toString(),
    stacks: doc.toString({ lineWidth: 110 }),
    ...(block ? { efficiency: block.efficiency } : {}),
  });
  return block ? replaceNestedEntries(text, 'sources', block.sources) : text;
}

/**
 * Factors as a profile's stack entry writes them (file units, rounded); the collective latency only
 * where a fit with 12a `collective_latency_fit` set it.
 */
function fileFactors(e: Efficiency): Record<string, number> {
  const alpha = e.collectiveLatencyS;
  return Object.fromEntries([
    ...EFFICIENCY_FACTORS.map((f) => [fileFactorName(f), round(fileFactorValue(f, e[f]))]),
    ...(alpha === undefined
      ? []
      : [[fileFactorName(COLLECTIVE_LATENCY), round(fileFactorValue(COLLECTIVE_LATENCY, alpha))]]),
  ]);
}

/** A stack entry's stated range(s) as text: `-26%..+38%`, or per model kind where it has two (section 11). */
export function intervalText(e: Pick<StackCalibration, 'intervalLog' | 'moeIntervalLog'>): string {
  const one = (iv: readonly [number, number]) => `${intervalPct(iv[0])}%..+${intervalPct(iv[1])}%`;
  return e.moeIntervalLog
    ? `${one(e.intervalLog)} for dense models, ${one(e.moeIntervalLog)} for MoE models`
    : one(e.intervalLog);
}

/** An interval end, log(measured / predicted), as the percent a profile states (3 decimals). */
export function intervalPct(logRatio: number): number {
  return round((Math.exp(logRatio) - 1) * 100, 3);
}

/** Per factor, the lowest and highest value a pair fit moved it to (docs/model.md section 12a). */
export type FactorSpread = Partial<Record<EfficiencyFactor, readonly [number, number]>>;

/** The spread of each factor over the pair fits that moved it (any chip, any stack). */
export function fittedFactorSpread(entries: Iterable<StackCalibration>): FactorSpread {
  const spread: Partial<Record<EfficiencyFactor, [number, number]>> = {};
  for (const e of entries) {
    if (e.level !== 'pair') continue;
    for (const f of e.fitted) {
      // The five factors' spreads only: a profile states no range for the collective latency.
      if (f === COLLECTIVE_LATENCY) continue;
      const v = e.efficiency[f];
      const s = spread[f];
      spread[f] = s ? [Math.min(s[0], v), Math.max(s[1], v)] : [v, v];
    }
  }
  return spread;
}

/** Widened each side by this share of the value, the range of a factor this chip did not fit. */
const SPREAD_WIDENING = 0.1;

/**
 * The profile's `efficiency` block and its `sources` entries from the default stack's entry
 * (docs/model.md section 12a): what a copy of the profile without `stacks` runs on, claiming no
 * more than the stacks do.
 */
function efficiencyBlock(
  e: StackCalibration,
  spread: FactorSpread,
  from: string,
): { efficiency: string; sources: Record<string, string> } {
  const cap = (f: EfficiencyFactor, v: number) => (f === 'tStep0S' ? v : Math.min(v, 1));
  const block: Record<string, unknown> = {};
  const sources: Record<string, string> = {};
  const interval = intervalText(e);
  for (const f of EFFICIENCY_FACTORS) {
    const name = fileFactorName(f);
    const value = round(fileFactorValue(f, e.efficiency[f]));
    const own = e.level === 'pair' && e.fitted.includes(f);
    const s = spread[f];
    const range =
      own || !s
        ? {}
        : {
            low: round(fileFactorValue(f, s[0] * (1 - SPREAD_WIDENING))),
            high: round(fileFactorValue(f, cap(f, s[1] * (1 + SPREAD_WIDENING)))),
          };
    block[name] = { value, status: own ? 'calibrated' : 'assumed', ...range };
    const source = own
      ? {
          kind: 'analysis',
          source: `infercost calibrate --all on ${from}: this chip's ${e.stack} fit on ${e.ids.length} rows (stacks.${e.stack}.fitted_on)${e.latent ? ", at their datasets' estimated input lengths (docs/model.md 12c)" : ''}`,
          note: `The default stack's factor, moved by this chip's own rows; used only by a copy of this profile without stacks. Cross-validated interval on ${e.stack}: ${interval} (docs/model.md sections 11, 12a).`,
        }
      : {
          kind: 'estimate',
          source: `infercost calibrate --all on ${from}: the ${e.stack} ${e.level === 'pair' ? "pair fit, which this chip's rows did not move for this factor" : `${e.level}-level fit (this chip has no ${e.stack} rows)`}`,
          note: `Assumed, not calibrated on this chip; used only by a copy of this profile without stacks. Range: the lowest and highest value of this factor over every pair fit that moved it (any chip, any stack), widened 10% each side${s ? '' : ' (no pair fit moved it: no range)'} (docs/model.md section 12a).`,
        };
    sources[`efficiency.${name}`] = new Document({ [`efficiency.${name}`]: source }).toString({
      lineWidth: 110,
    });
  }
  const doc = new Document({ efficiency: block });
  for (const f of EFFICIENCY_FACTORS) {
    const node = doc.getIn(['efficiency', fileFactorName(f)], true) as { flow?: boolean } | undefined;
    if (node) node.flow = true;
  }
  return { efficiency: doc.toString({ lineWidth: 110 }), sources };
}
