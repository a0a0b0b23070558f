// Cross-validated accuracy (docs/model.md section 12a): leave one source out, refit on the
// rest, predict the held-out rows. Pure: measured cases in, out-of-fold predictions and
// summaries out. Deterministic (Nelder-Mead from fixed starts; folds in sorted order).
import { CALIBRATION_PRIOR, fitEfficiency, predictCase, sensitivities } from '../engine/calibrate.js';
import { moeAcrossChips, setupFor } from '../engine/deploy.js';
import {
  COLLECTIVE_LATENCY,
  COMPUTE_FORMATS,
  type ComputeFormat,
  type Efficiency,
  type FitFactor,
} from '../engine/types.js';
import {
  atLimitRatios,
  type BacktestRow,
  limitRatios,
  type MeasuredCase,
  median,
  percentile,
  withLimitRatios,
} from './backtest.js';
import {
  backtestAtEstimate,
  estimateInputs,
  type InputEstimate,
  latentDataset,
  withInputTokens,
} from './latent.js';

/**
 * The pull of a pair's fit towards its stack's pooled factors, per squared unit of search
 * coordinate: a 20% log error costs as much as moving a factor one unit. Strong enough that two
 * rows cannot drag a factor across the range (H200 got eta_mem 0.57 from two rows while H100, the
 * same silicon family on the same stack, got 0.80 from seven), weak enough that a dozen rows
 * decide for themselves.
 */
export const SHRINK_WEIGHT = 0.04;

/**
 * The scale of the hierarchy's robust loss (docs/model.md 12a, `robust_fit`): a 20% log error,
 * the scale at which SHRINK_WEIGHT's pull already costs one unit of a factor. Set once, not tuned.
 */
export const ROBUST_SCALE_LOG = 0.2;

/**
 * Where a row was published: MLPerf results by round, submitter and system; else the document. A
 * row read from a round's summary_results.json (one file for every submitter) is grouped by the
 * system its notes open with (`SR680a_V3_B200SXMx8_TRT, Lenovo v5.1 closed; ...`), as a result's
 * own log would group it.
 */
export function sourceGroup(
  source: string,
  row?: {
    readonly round?: string | undefined;
    readonly division?: string | undefined;
    readonly submitter?: string | undefined;
    readonly notes?: string | undefined;
  },
): string {
  const m =
    /mlcommons\/(inference_results_v[\d.]+)\/(?:blob|tree)\/[^/]+\/(closed|open)\/([^/]+)\/results\/([^/]+)\//.exec(
      source,
    );
  if (m) return `mlperf ${m[1]} ${m[2]} ${m[3]} ${m[4]}`;
  const system = /^([A-Za-z0-9_.-]+), /.exec(row?.notes ?? '')?.[1];
  if (/\/summary_results\.json$/.test(source) && row?.round && row.division && row.submitter && system)
    return `mlperf inference_results_${row.round} ${row.division} ${row.submitter} ${system}`;
  const url = /https?:\/\/[^\s,"')]+/.exec(source)?.[0];
  return (url ?? source).replace(/[#?].*$/, '');
}

/**
 * The factors a set of rows can move: the step factors, and eta_link when a row spans chips (with
 * 12a `collective_latency_fit`, the per-collective latency too).
 */
function candidateFactors(cases: readonly MeasuredCase[]): FitFactor[] {
  const all: FitFactor[] = ['etaMem', 'etaPrefill', 'etaDecode', 'tStep0S'];
  if (cases.some((c) => c.row.chips_per_replica > 1)) {
    all.push('etaLink');
    if (cases[0]?.workload.mechanisms.collectiveLatencyFit) all.push(COLLECTIVE_LATENCY);
  }
  return all;
}

/**
 * `source_weighted_fit` (docs/model.md 12a): each source's rows share one source's weight, scaled so
 * that the weights still sum to the number of rows (the prior's pull keeps its strength): a row of a
 * source with `n` rows among `N` rows from `S` sources weighs `N / (S n)`.
 */
export function sourceWeights(cases: readonly MeasuredCase[]): number[] {
  const groups = cases.map((c) => sourceGroup(c.row.source, c.row));
  const counts = new Map<string, number>();
  for (const g of groups) counts.set(g, (counts.get(g) ?? 0) + 1);
  return groups.map((g) => cases.length / (counts.size * (counts.get(g) as number)));
}

/** Fits the factors the rows respond to, pulled towards `prior` with `weight`. */
export function fitPulled(
  cases: readonly MeasuredCase[],
  prior: Efficiency,
  weight: number,
): { efficiency: Efficiency; fitted: FitFactor[] } {
  const factors = candidateFactors(cases);
  const response = new Map<FitFactor, number>();
  for (const c of cases) {
    for (const [f, v] of Object.entries(sensitivities(c, prior, factors)) as [FitFactor, number][])
      response.set(f, (response.get(f) ?? 0) + Math.abs(v));
  }
  const seen = factors.filter((f) => (response.get(f) ?? 0) >= 0.02);
  if (seen.length === 0) return { efficiency: prior, fitted: [] };
  const robust = cases[0]?.workload.mechanisms.robustFit ?? false;
  const bySource = cases[0]?.workload.mechanisms.sourceWeightedFit ?? false;
  const fit = fitEfficiency(cases, seen, prior, prior, {
    priorWeight: weight,
    release: false,
    ...(robust ? { robustScaleLog: ROBUST_SCALE_LOG } : {}),
    ...(bySource ? { caseWeights: sourceWeights(cases) } : {}),
  });
  return { efficiency: fit.efficiency, fitted: seen };
}

/** The matrix-unit format a row's GEMMs run in (section 2, after any fallback). */
function computeFormatOf(c: MeasuredCase): ComputeFormat | undefined {
  return setupFor(c.accelerator, c.workload)?.compute.format;
}

/** How a row's factors were found: its own (chip, stack) rows, its stack's rows on other chips, or all rows. */
export type FitLevel = 'pair' | 'stack' | 'pooled';

export interface Factors {
  readonly efficiency: Efficiency;
  readonly level: FitLevel;
  /** Training rows behind the factors. */
  readonly rows: number;
  /** 12c: a pair fitted on rows whose input nobody published (at their datasets' estimates). */
  readonly latent?: boolean;
}

/**
 * Rows the factors are fitted on: a published input length, and a split the engine represents
 * by default (expert parallelism, docs/model.md section 3d, is a switch left off because it made
 * the cross-validated error worse: fitting on such rows would bend every factor to make up for it).
 */
export function fittable(row: {
  readonly input_assumed: boolean;
  readonly parallelism?: string | undefined;
}): boolean {
  return !row.input_assumed && representedSplit(row);
}

/** A split the engine represents by default: no expert parallelism (section 3d is off). */
function representedSplit(row: { readonly parallelism?: string | undefined }): boolean {
  return !/ep\d*/.test(row.parallelism ?? '');
}

/** One level's fit: the factors, which of them the rows moved, and the rows behind them. */
export interface LevelFit {
  readonly efficiency: Efficiency;
  readonly fitted: readonly FitFactor[];
  readonly ids: readonly string[];
  /** 12c: fitted on rows whose input nobody published, at their datasets' estimates. */
  readonly latent?: boolean;
}

/** The three levels fitted on one set of rows (section 12a). */
export interface Hierarchy {
  readonly pooled: LevelFit;
  readonly stacks: ReadonlyMap<string, LevelFit>;
  /** The (chip, stack) pair's own fit, pulled towards its stack; undefined without rows. */
  pair(chip: string, stack: string): LevelFit | undefined;
  /**
   * The factors a row of (chip, stack) is predicted with: the pair's, else the stack's, else pooled.
   * With `format` and `format_pairs` on, the pair's rows in that matrix format first; with
   * `moeAcross`, the pair's `layout` fit before that (12a `layout_pairs`).
   */
  factors(chip: string, stack: string, format?: ComputeFormat, moeAcross?: boolean): Factors;
  /**
   * 12a `layout_pairs`: the pair's fit on its rows of an MoE model on more than one chip (published
   * input), pulled towards the pair's; undefined without such rows.
   */
  layout(chip: string, stack: string): LevelFit | undefined;
  /**
   * The factors a measured row is predicted with: `factors` at its chip, stack and (with
   * `format_pairs`) format; with `layout_pairs`, an MoE row on more than one chip takes `layout` first.
   */
  factorsOf(c: MeasuredCase): Factors;
  /** 12b: each dataset's estimated mean input, from the rows predicted with the pairs' and stacks' factors. */
  readonly estimates: ReadonlyMap<string, InputEstimate>;
}

/**
 * The hierarchy of fits (section 12a): all rows pooled from the generic start; each stack pulled
 * towards the pool; each (chip, stack) pair pulled towards its stack. Rows with an assumed input
 * length are fitted on only by a pair with no other rows, at their datasets' estimates (12c).
 */
export function fitLevels(training: readonly MeasuredCase[]): Hierarchy {
  const known = training.filter((c) => fittable(c.row));
  const ids = (cs: readonly MeasuredCase[]) => cs.map((c) => c.row.id);
  const pooledFit = known.length > 0 ? fitPulled(known, CALIBRATION_PRIOR, 1e-3) : undefined;
  const pooled: LevelFit = {
    efficiency: pooledFit?.efficiency ?? CALIBRATION_PRIOR,
    fitted: pooledFit?.fitted ?? [],
    ids: ids(known),
  };
  const stacks = new Map<string, LevelFit>();
  for (const s of [...new Set(known.map((c) => c.row.stack))].sort()) {
    const rows = known.filter((c) => c.row.stack === s);
    const f = fitPulled(rows, pooled.efficiency, SHRINK_WEIGHT);
    stacks.set(s, { efficiency: f.efficiency, fitted: f.fitted, ids: ids(rows) });
  }
  const pairs = new Map<string, LevelFit | undefined>();
  const fitPair = (
    stack: string,
    rows: readonly MeasuredCase[],
    latent: boolean,
    towards?: Efficiency,
  ): LevelFit | undefined => {
    if (rows.length === 0) return undefined;
    const f = fitPulled(rows, towards ?? (stacks.get(stack) ?? pooled).efficiency, SHRINK_WEIGHT);
    return { efficiency: f.efficiency, fitted: f.fitted, ids: ids(rows), ...(latent ? { latent } : {}) };
  };
  const knownPair = (chip: string, stack: string): LevelFit | undefined => {
    const key = `${chip}\u0000${stack}`;
    if (!pairs.has(key))
      pairs.set(
        key,
        fitPair(
          stack,
          known.filter((c) => c.row.stack === stack && c.row.accelerator === chip),
          false,
        ),
      );
    return pairs.get(key);
  };
  const baseFactors = (chip: string, stack: string): Efficiency =>
    (knownPair(chip, stack) ?? stacks.get(stack) ?? pooled).efficiency;
  // 12b: each dataset's estimated input, from the rows predicted with the factors above; made on
  // first use (a fit that reads no estimate, as the acted-on check's, never pays for it).
  let estimatesMemo: Map<string, InputEstimate> | undefined;
  const estimatesOf = () =>
    (estimatesMemo ??= estimateInputs(training, (c) => baseFactors(c.row.accelerator, c.row.stack)));
  // 12c: a pair with no published-input rows is fitted on its rows at their datasets' estimates.
  const latentOn = training[0]?.workload.mechanisms.latentPairs ?? false;
  const latentPairs = new Map<string, LevelFit | undefined>();
  const latentPair = (chip: string, stack: string): LevelFit | undefined => {
    const key = `${chip}\u0000${stack}`;
    if (!latentPairs.has(key)) {
      const rows = training.flatMap((c) => {
        if (c.row.stack !== stack || c.row.accelerator !== chip || !representedSplit(c.row)) return [];
        const d = latentDataset(c);
        const e = d === undefined ? undefined : estimatesOf().get(d);
        return e === undefined ? [] : [withInputTokens(c, e.inputTokens)];
      });
      latentPairs.set(key, fitPair(stack, rows, true));
    }
    return latentPairs.get(key);
  };
  const pair = (chip: string, stack: string): LevelFit | undefined =>
    knownPair(chip, stack) ?? (latentOn ? latentPair(chip, stack) : undefined);
  // 12a `format_pairs`: a pair measured in several matrix formats gets one fit per format, pulled
  // towards the pair's fit on all of them.
  const formatsOn = training[0]?.workload.mechanisms.formatPairs ?? false;
  const formatPairs = new Map<string, LevelFit | undefined>();
  const formatPair = (chip: string, stack: string, format: ComputeFormat): LevelFit | undefined => {
    const key = `${chip}\u0000${stack}\u0000${format}`;
    if (!formatPairs.has(key)) {
      const all = knownPair(chip, stack);
      const rows = known.filter((c) => c.row.stack === stack && c.row.accelerator === chip);
      const mine = rows.filter((c) => computeFormatOf(c) === format);
      let fit: LevelFit | undefined;
      if (all && mine.length > 0 && mine.length < rows.length) {
        const f = fitPulled(mine, all.efficiency, SHRINK_WEIGHT);
        fit = { efficiency: f.efficiency, fitted: f.fitted, ids: ids(mine) };
      }
      formatPairs.set(key, fit);
    }
    return formatPairs.get(key);
  };
  // 12a `layout_pairs`: a pair's rows of an MoE model on more than one chip (expert-parallel ones,
  // never fitted on above, and tensor-parallel ones) get a fit of their own, pulled towards the
  // pair's fit. Made whether or not the switch is on: `calibrate --all` writes it into the profiles.
  const layoutsOn = training[0]?.workload.mechanisms.layoutPairs ?? false;
  const acrossChips = (c: MeasuredCase) => moeAcrossChips(c.workload.model, c.row.chips_per_replica);
  const layoutPairs = new Map<string, LevelFit | undefined>();
  const layout = (chip: string, stack: string): LevelFit | undefined => {
    const key = `${chip}\u0000${stack}`;
    if (!layoutPairs.has(key)) {
      const rows = training.filter(
        (c) => !c.row.input_assumed && acrossChips(c) && c.row.stack === stack && c.row.accelerator === chip,
      );
      layoutPairs.set(key, fitPair(stack, rows, false, pair(chip, stack)?.efficiency));
    }
    return layoutPairs.get(key);
  };
  const factors = (chip: string, stack: string, format?: ComputeFormat, moeAcross = false): Factors => {
    const p =
      (moeAcross ? layout(chip, stack) : undefined) ??
      (formatsOn && format !== undefined ? formatPair(chip, stack, format) : undefined) ??
      pair(chip, stack);
    if (p)
      return {
        efficiency: p.efficiency,
        level: 'pair',
        rows: p.ids.length,
        ...(p.latent ? { latent: true } : {}),
      };
    const s = stacks.get(stack);
    if (s) return { efficiency: s.efficiency, level: 'stack', rows: s.ids.length };
    return { efficiency: pooled.efficiency, level: 'pooled', rows: pooled.ids.length };
  };
  return {
    pooled,
    stacks,
    pair,
    layout,
    get estimates() {
      return estimatesOf();
    },
    factors,
    factorsOf: (c) =>
      factors(
        c.row.accelerator,
        c.row.stack,
        formatsOn ? computeFormatOf(c) : undefined,
        layoutsOn && acrossChips(c),
      ),
  };
}

export interface CvRow extends BacktestRow {
  readonly fold: string;
  readonly level: FitLevel;
  /** 12c: predicted by a pair fitted at its rows' estimated inputs. */
  readonly latent?: boolean;
  /** The stated range for this row: the prediction times exp of the 10th..90th percentile of the
   * log residuals of the other folds' rows fitted at the same level. */
  readonly low?: number;
  readonly high?: number;
  readonly covered?: boolean;
}

export interface CvGroupSummary {
  /** chip_left_out: rows predicted with all their chip's rows left out, per vendor and all. */
  readonly kind: 'accelerator' | 'stack' | 'model' | 'vendor' | 'level' | 'all' | 'chip_left_out';
  readonly group: string;
  readonly rows: number;
  readonly medianAbsErrorPct: number | null;
  readonly p90AbsErrorPct: number | null;
  readonly maxAbsErrorPct: number | null;
  /** Share of rows whose measured value lies inside the stated range. */
  readonly coveragePct: number | null;
  /** Rows with a measured TPOT, and the median |error| of its prediction. */
  readonly tpotRows: number;
  readonly medianAbsTpotErrorPct: number | null;
}

/** A model's kind for its interval (docs/model.md section 11, `kind_bands`). */
export type ModelKind = 'dense' | 'moe';

/** Bands per fit level, each [q10, q90] of log(predicted / measured). */
export type LevelBands = Readonly<Partial<Record<FitLevel, readonly [number, number]>>>;

export interface CvResult {
  readonly rows: readonly CvRow[];
  readonly summary: readonly CvGroupSummary[];
  /** log-residual quantiles [q10, q90] per fit level over all folds: the bands compare states. */
  readonly bands: LevelBands;
  /**
   * With `kind_bands`: the same per model kind, each level's band widened at each end to the
   * kind's own residuals where it has at least KIND_BAND_MIN_RESIDUALS of them there.
   */
  readonly kindBands?: Readonly<Record<ModelKind, LevelBands>>;
  /** With `chipsLeftOut`: every row predicted as if its chip had never been measured. */
  readonly chipsLeftOut?: readonly ChipLeftOutRow[];
  /**
   * With `unmeasured_bands`: the chip-left-out rows' band [q10, q90] of log(predicted / measured),
   * each chip weighted once, over all rows and (with kind bands) per kind: the least a chip with no
   * rows on a stack states (section 11).
   */
  readonly unmeasuredBands?: Readonly<Record<'all' | ModelKind, readonly [number, number]>>;
}

/** Fewer residuals of a kind at a level than this, and the kind states the level's band over all rows unwidened. */
export const KIND_BAND_MIN_RESIDUALS = 20;

/**
 * Section 11, per model kind: a level's band over all rows, widened at each end to the quantiles
 * of one kind's own residuals there when it has at least KIND_BAND_MIN_RESIDUALS of them.
 */
export function kindBand(
  all: readonly [number, number] | undefined,
  own: readonly number[],
): readonly [number, number] | undefined {
  const b = own.length >= KIND_BAND_MIN_RESIDUALS ? band(own) : undefined;
  return all && widest(all, b);
}

/**
 * Section 11's floor on a band of log(predicted / measured): never narrower than a median |error|
 * of `medianPct` (the measured value within predicted x (1 -/+ median), the low end at most -95%).
 */
export function floorBand(
  b: readonly [number, number],
  medianPct: number | undefined,
): readonly [number, number] {
  if (medianPct === undefined) return b;
  return [
    Math.min(b[0], -Math.log(1 + medianPct / 100)),
    Math.max(b[1], -Math.log(1 - Math.min(medianPct, 95) / 100)),
  ];
}

/** Dense or MoE: the kind whose residuals state a case's interval (section 11). */
export function modelKind(c: {
  readonly workload: { readonly model: { readonly moe?: unknown } };
}): ModelKind {
  return c.workload.model.moe === undefined ? 'dense' : 'moe';
}

/** The chip's vendor, from its profile. */
function vendorOf(c: MeasuredCase): string {
  return c.accelerator.vendor;
}

function band(logs: readonly number[]): readonly [number, number] | undefined {
  if (logs.length < 3) return undefined;
  return [percentile(logs, 10) as number, percentile(logs, 90) as number];
}

/** The levels fitted closer to the chip than each level (section 11: never narrower than those). */
const CLOSER_LEVELS: Readonly<Record<FitLevel, readonly FitLevel[]>> = {
  pair: [],
  stack: ['pair'],
  pooled: ['pair', 'stack'],
};

/**
 * A level's band (section 11): the quantiles of its own residuals, widened at each end to those of
 * the levels fitted closer to the chip. With too few residuals of its own, the widest of those
 * levels' bands (section 12c left the stack level almost none); undefined when none has a band.
 */
export function monotoneBand(
  level: FitLevel,
  bandAt: (l: FitLevel) => readonly [number, number] | undefined,
): readonly [number, number] | undefined {
  const own = bandAt(level);
  let out = own;
  for (const l of CLOSER_LEVELS[level]) {
    const b = bandAt(l);
    out = widest(out, b);
  }
  return out;
}

/** A band of log(predicted / measured) as the bounds of log(measured / predicted) a profile states. */
export function asMeasured(b: readonly [number, number]): readonly [number, number] {
  return [-b[1], -b[0]];
}

/** The wider of two bands at each end; either may be missing. */
function widest(
  a: readonly [number, number] | undefined,
  b: readonly [number, number] | undefined,
): readonly [number, number] | undefined {
  return a && b ? [Math.min(a[0], b[0]), Math.max(a[1], b[1])] : (a ?? b);
}

/**
 * Section 11, `unmeasured_bands`: the weighted [q10, q90] of log(predicted / measured) over
 * chip-left-out rows, each row weighted 1 / (its chip's rows among them) so that every chip counts
 * once; undefined below 3 rows.
 */
function chipWeightedBand(rows: readonly ChipLeftOutRow[]): readonly [number, number] | undefined {
  if (rows.length < 3) return undefined;
  const perChip = new Map<string, number>();
  for (const r of rows) perChip.set(r.chip, (perChip.get(r.chip) ?? 0) + 1);
  const xs = rows.map((r) => ({
    value: Math.log(r.predicted / r.measured),
    weight: 1 / (perChip.get(r.chip) ?? 1),
  }));
  return [weightedPercentile(xs, 10) as number, weightedPercentile(xs, 90) as number];
}

/**
 * The band of a chip nobody measured (section 11, `unmeasured_bands`): the chip-left-out rows of
 * every chip but `exceptChip`, chip-weighted; for a kind, widened at each end to that kind's own
 * rows where it has at least KIND_BAND_MIN_RESIDUALS of them.
 */
export function unmeasuredBand(
  leftOut: readonly ChipLeftOutRow[],
  kind: ModelKind | undefined,
  exceptChip?: string,
): readonly [number, number] | undefined {
  const others = leftOut.filter((r) => r.chip !== exceptChip);
  const all = chipWeightedBand(others);
  if (kind === undefined) return all;
  const own = others.filter((r) => r.kind === kind);
  return own.length >= KIND_BAND_MIN_RESIDUALS ? widest(all, chipWeightedBand(own)) : all;
}

/**
 * A row predicted as a chip nobody has measured is (section 11, "Chips nobody measured"): with every
 * row of its chip left out of the fit, by its stack's factors from other chips, else the pooled ones.
 */
export interface ChipLeftOutRow {
  readonly id: string;
  readonly chip: string;
  readonly vendor: string;
  readonly stack: string;
  /** The row's cross-validation fold (its source). */
  readonly fold: string;
  /** stack, or pooled for a stack measured on no other chip. */
  readonly level: FitLevel;
  readonly kind: ModelKind;
  readonly measured: number;
  readonly predicted: number;
  readonly errorPct: number;
  /** Section 11: the row's throughput at its estimated inputs' pessimistic and optimistic ends over its prediction. */
  readonly estimateLowRatio?: number;
  readonly estimateHighRatio?: number;
  /** The range compare states at that level, its band made without any row of the chip. */
  readonly low?: number;
  readonly high?: number;
  readonly covered?: boolean;
}

/**
 * Each chip predicted with every one of its rows left out of the fit, as a chip nobody has measured
 * is: by its stack's factors fitted on other chips, else the pooled ones. Rows with an assumed
 * input run at their datasets' estimates from the other chips' rows (12b). No range yet.
 */
export function chipsLeftOut(
  cases: readonly MeasuredCase[],
  onChip: (done: number) => void = () => {},
): ChipLeftOutRow[] {
  const out: ChipLeftOutRow[] = [];
  for (const [k, chip] of chipIds(cases).entries()) {
    onChip(k);
    const training0 = cases.filter((c) => c.row.accelerator !== chip);
    if (training0.length === 0) continue;
    const held0 = cases.filter((c) => c.row.accelerator === chip);
    for (const { c, level, r } of predictHeldOut(training0, held0, false)) {
      const predicted = r.prediction?.tokensPerSPerChip;
      if (r.errorPct === undefined || predicted === undefined) continue;
      out.push({
        id: c.row.id,
        chip,
        vendor: vendorOf(c),
        stack: c.row.stack,
        fold: sourceGroup(c.row.source, c.row),
        level,
        kind: modelKind(c),
        measured: c.measuredTokensPerSPerChip,
        predicted,
        errorPct: r.errorPct,
        ...(r.estimateLowRatio === undefined ? {} : { estimateLowRatio: r.estimateLowRatio }),
        ...(r.estimateHighRatio === undefined ? {} : { estimateHighRatio: r.estimateHighRatio }),
      });
    }
  }
  return out;
}

/** A held-out case as predicted: the case run (at its estimated input, 12b), its fit level and its row. */
interface HeldPrediction {
  readonly c: MeasuredCase;
  readonly level: FitLevel;
  readonly latent: boolean;
  readonly r: BacktestRow;
}

/**
 * The hierarchy fitted on `training0` alone (3b.6's latency ratios from its logs), and each held-out
 * case predicted with its factors, at its dataset's estimated input where its own was not published
 * (12b). With `power`, a held-out Power row takes a power model refitted on the training rows'
 * Power rows, each at its chip's factors from this fit (6.1, as calibrate does).
 */
function predictHeldOut(
  training0: readonly MeasuredCase[],
  held0: readonly MeasuredCase[],
  power: boolean,
): HeldPrediction[] {
  const ratios = limitRatios(training0.map((c) => c.row));
  const h = fitLevels(training0.map((c) => withLimitRatios(c, ratios)));
  const held = held0.map((c) => withLimitRatios(c, ratios));
  const powerModel =
    power && held.some((c) => measuredSystemWPerChip(c.row) !== undefined)
      ? foldPowerModel(training0, (c) => h.factorsOf(c).efficiency)
      : undefined;
  return held.map((heldCase) => {
    const f = h.factorsOf(heldCase);
    const asHeld = powerModel ? { ...heldCase, workload: { ...heldCase.workload, powerModel } } : heldCase;
    const { c, r } = backtestAtEstimate(asHeld, h.estimates, f.efficiency);
    return { c, level: f.level, latent: f.latent ?? false, r };
  });
}

/** The chips with rows, in the order chipsLeftOut takes them. */
function chipIds(cases: readonly MeasuredCase[]): string[] {
  return [...new Set(cases.map((c) => c.row.accelerator))].sort();
}

/**
 * Leave-one-source-out cross-validation. Every row is predicted by factors fitted without any row
 * of its source; rows with an assumed input length are predicted but never fitted on.
 */
export function crossValidate(
  cases: readonly MeasuredCase[],
  options: {
    readonly chipsLeftOut?: boolean;
    /** Called before each fit (a fold, then a chip left out) with the fits done and in all. */
    readonly onStep?: (done: number, total: number) => void;
  } = {},
): CvResult {
  const groups = cases.map((c) => sourceGroup(c.row.source, c.row));
  const folds = [...new Set(groups)].sort();
  // Section 11, `unmeasured_bands`: the chip-left-out rows' spread is the least a chip with no rows
  // on a stack states, so they are predicted whenever the switch is on, reported only when asked.
  const byUnmeasured = cases[0]?.workload.mechanisms.unmeasuredBands ?? false;
  const leaveChipsOut = (options.chipsLeftOut ?? false) || byUnmeasured;
  const steps = folds.length + (leaveChipsOut ? chipIds(cases).length : 0);
  const step = (done: number) => options.onStep?.(done, steps);
  const predicted: (HeldPrediction & { readonly fold: string })[] = [];
  for (const [k, fold] of folds.entries()) {
    step(k);
    const training0 = cases.filter((_, i) => groups[i] !== fold);
    const held0 = cases.filter((_, i) => groups[i] === fold);
    for (const p of predictHeldOut(training0, held0, true)) predicted.push({ ...p, fold });
  }
  const byKind = cases[0]?.workload.mechanisms.kindBands ?? false;
  const leftOut0 = leaveChipsOut ? chipsLeftOut(cases, (k) => step(folds.length + k)) : undefined;
  // A chip with no rows on its stack (its row predicted at the stack or pooled level, not 12c's
  // pair at estimated inputs) states at least the chip-left-out band made without its own chip.
  // Made once per (chip, kind): every row of a chip and kind states the same band.
  const unmeasuredOf = new Map<string, readonly [number, number] | undefined>();
  const unmeasured = (chip: string, kind: ModelKind): readonly [number, number] | undefined => {
    if (!byUnmeasured || !leftOut0) return undefined;
    const key = `${chip}\u0000${byKind ? kind : ''}`;
    if (!unmeasuredOf.has(key))
      unmeasuredOf.set(key, unmeasuredBand(leftOut0, byKind ? kind : undefined, chip));
    return unmeasuredOf.get(key);
  };
  const logOf = (r: BacktestRow) => (r.errorPct === undefined ? undefined : Math.log(1 + r.errorPct / 100));
  const kindOf = predicted.map((p) => modelKind(p.c));
  const chipOf = predicted.map((p) => p.c.row.accelerator);
  const logsOf = (
    level: FitLevel,
    exceptFold: string | undefined,
    kind: ModelKind | undefined,
    exceptChip?: string,
  ) =>
    predicted.flatMap((p, i) => {
      // 12c: a pair fitted at guessed inputs states the stack's band and adds to no band.
      if (
        p.latent ||
        p.fold === exceptFold ||
        p.level !== level ||
        (kind !== undefined && kindOf[i] !== kind) ||
        chipOf[i] === exceptChip
      )
        return [];
      const l = logOf(p.r);
      return l === undefined ? [] : [l];
    });
  // Section 11: a level's band over all rows; per kind, widened at each end to the kind's own
  // residuals where it has enough of them at the level (never narrower than over all rows).
  const bandAt = (level: FitLevel, exceptFold?: string, kind?: ModelKind, exceptChip?: string) => {
    const all = band(logsOf(level, exceptFold, undefined, exceptChip));
    return kind === undefined ? all : kindBand(all, logsOf(level, exceptFold, kind, exceptChip));
  };
  // Every row of a fold at a level (and kind) states the same band: made once per key.
  const bandsOf = new Map<string, readonly [number, number] | undefined>();
  const foldBand = (fold: string, level: FitLevel, kind: ModelKind | undefined) => {
    const key = `${fold}\u0000${level}\u0000${kind ?? ''}`;
    if (!bandsOf.has(key))
      bandsOf.set(
        key,
        monotoneBand(level, (l) => bandAt(l, fold, kind)),
      );
    return bandsOf.get(key);
  };
  // Section 11's floor, as compare states it: never narrower than the chip's own median error on
  // the stack (per kind with kind bands), here from its rows of the other sources only.
  const ownKey = (i: number) => {
    const row = predicted[i]?.c.row;
    return `${row?.accelerator}\u0000${row?.stack}\u0000${byKind ? kindOf[i] : ''}`;
  };
  const ownErrors = new Map<string, { fold: string; error: number }[]>();
  predicted.forEach((p, i) => {
    if (p.r.errorPct === undefined) return;
    const k = ownKey(i);
    const list = ownErrors.get(k) ?? [];
    list.push({ fold: p.fold, error: Math.abs(p.r.errorPct) });
    ownErrors.set(k, list);
  });
  const rows: CvRow[] = predicted.map(({ c, fold, level, latent, r }, i) => {
    const band0 = widest(
      foldBand(fold, latent ? 'stack' : level, byKind ? kindOf[i] : undefined),
      level === 'pair' || latent ? undefined : unmeasured(c.row.accelerator, kindOf[i] as ModelKind),
    );
    const x = r.prediction?.tokensPerSPerChip;
    const where = { fold, level, ...(latent ? { latent } : {}) };
    if (!band0 || x === undefined) return { ...r, ...where };
    const others = (ownErrors.get(ownKey(i)) ?? []).filter((e) => e.fold !== fold).map((e) => e.error);
    const b = floorBand(band0, median(others) ?? undefined);
    // The measured value m is covered when x * exp(q10) <= ... : residual log(x/m) within [q10, q90].
    // Section 11 (6.2): the estimated inputs' ends widen the range, as compare states it.
    const low = (x / Math.exp(b[1])) * (r.estimateLowRatio ?? 1);
    const high = (x / Math.exp(b[0])) * (r.estimateHighRatio ?? 1);
    const m = c.measuredTokensPerSPerChip;
    return { ...r, ...where, low, high, covered: m >= low && m <= high };
  });
  const by = (kind: CvGroupSummary['kind'], key: (i: number) => string) => {
    const names = [...new Set(rows.map((_, i) => key(i)))].sort();
    return names.map((n) =>
      summarizeCv(
        kind,
        n,
        rows.filter((_, i) => key(i) === n),
      ),
    );
  };
  // Section 11, "Chips nobody measured": each chip predicted with all its rows left out, against
  // the range compare would state for it, made without any of its rows (a stack measured on no
  // other chip: the pooled band widened as for a stack measured nowhere).
  const leftOut =
    options.chipsLeftOut && leftOut0
      ? leftOut0.map((t): ChipLeftOutRow => {
          const b0 = monotoneBand(t.level, (l) => bandAt(l, undefined, byKind ? t.kind : undefined, t.chip));
          const widen = t.level === 'pooled' ? UNMEASURED_STACK_WIDENING : 1;
          const b = widest(b0 && [b0[0] * widen, b0[1] * widen], unmeasured(t.chip, t.kind));
          if (!b) return t;
          const low = (t.predicted / Math.exp(b[1])) * (t.estimateLowRatio ?? 1);
          const high = (t.predicted / Math.exp(b[0])) * (t.estimateHighRatio ?? 1);
          return { ...t, low, high, covered: t.measured >= low && t.measured <= high };
        })
      : undefined;
  const vendors = predicted.map((p) => vendorOf(p.c));
  const known = rows.filter((r) => !r.row.input_assumed);
  const nvidiaTrtllm = rows.filter(
    (r, i) => !r.row.input_assumed && r.row.stack === 'trtllm' && vendors[i] === 'NVIDIA',
  );
  const summary = [
    ...by('accelerator', (i) => rows[i]?.row.accelerator ?? ''),
    ...by('stack', (i) => rows[i]?.row.stack ?? ''),
    ...by('model', (i) => rows[i]?.row.model ?? ''),
    ...by('vendor', (i) => vendors[i] ?? ''),
    ...by('level', (i) => rows[i]?.level ?? ''),
    summarizeCv('all', 'all, known input length', known),
    summarizeCv('all', 'NVIDIA TensorRT-LLM, known input length', nvidiaTrtllm),
    // The rows whose input nobody published: at their datasets' estimates where 12b gives one.
    summarizeCv(
      'all',
      'input length not published',
      rows.filter((r) => r.row.input_assumed),
    ),
    summarizeCv('all', 'all', rows),
    // Each source counts once: AMD's two MI300X tables alone are a third of the known-input rows.
    summarizeCv('all', 'known input length, each source weighted equally', known, true),
    ...energyCv(rows),
    ...ttftCv(rows),
    ...(leftOut
      ? [
          summarizeCv('chip_left_out', 'all', leftOut),
          ...[...new Set(leftOut.map((t) => t.vendor))].sort().map((v) =>
            summarizeCv(
              'chip_left_out',
              v,
              leftOut.filter((t) => t.vendor === v),
            ),
          ),
        ]
      : []),
  ];
  const bandsFor = (kind?: ModelKind): LevelBands => {
    const out: Partial<Record<FitLevel, readonly [number, number]>> = {};
    for (const level of ['pair', 'stack', 'pooled'] as const) {
      const b = monotoneBand(level, (l) => bandAt(l, undefined, kind));
      if (b) out[level] = b;
    }
    return out;
  };
  const bands = bandsFor();
  return {
    rows,
    summary,
    bands,
    ...(byKind ? { kindBands: { dense: bandsFor('dense'), moe: bandsFor('moe') } } : {}),
    ...(leftOut ? { chipsLeftOut: leftOut } : {}),
    ...(byUnmeasured && leftOut0 ? unmeasuredBandsOf(leftOut0) : {}),
  };
}

/** CvResult's `unmeasuredBands`, from every chip's left-out rows (none when there are too few). */
function unmeasuredBandsOf(leftOut: readonly ChipLeftOutRow[]): Pick<CvResult, 'unmeasuredBands'> {
  const all = unmeasuredBand(leftOut, undefined);
  const dense = unmeasuredBand(leftOut, 'dense');
  const moe = unmeasuredBand(leftOut, 'moe');
  return all && dense && moe ? { unmeasuredBands: { all, dense, moe } } : {};
}

/** A held-out row carrying another quantity's error, with no range and no TPOT to summarise. */
function unrangedError(r: CvRow, errorPct: number): CvRow {
  const { covered: _c, low: _l, high: _h, tpotErrorPct: _t, ...rest } = r;
  return { ...rest, errorPct };
}

/**
 * Tokens per joule and system power per chip on the held-out MLPerf Power rows (section 6.1):
 * throughput from the fold's factors, power from the fold's power model. No range is stated.
 */
function energyCv(rows: readonly CvRow[]): CvGroupSummary[] {
  const { tokensPerJoule, systemPower } = energyErrorRows(rows, unrangedError);
  return systemPower.length === 0
    ? []
    : [
        summarizeCv('all', 'tokens per joule (MLPerf Power rows)', tokensPerJoule),
        summarizeCv('all', 'system power per chip (MLPerf Power rows)', systemPower),
      ];
}

/** TTFT on the held-out rows that measured it at a fixed concurrency; no range is stated for it. */
function ttftCv(rows: readonly CvRow[]): CvGroupSummary[] {
  const ttft = rows.flatMap((r) => (r.ttftErrorPct === undefined ? [] : [unrangedError(r, r.ttftErrorPct)]));
  return ttft.length === 0 ? [] : [summarizeCv('all', 'time to first token (fixed-concurrency rows)', ttft)];
}

/** What a summary reads of a row: its fold, its errors and whether its range held. */
type SummarizedRow = Pick<CvRow, 'fold' | 'errorPct' | 'tpotErrorPct' | 'covered'>;

/**
 * Error and coverage figures of a group of cross-validated rows (a `backtest --cv` summary line).
 * With `perSource`, every source (fold) weighs the same, each of its n rows 1/n (docs/model.md
 * 12a): median and p90 are then weighted nearest-rank percentiles and coverage the weighted share
 * of covered rows (max stays unweighted); a source's rows the engine could not run count in no
 * figure, so not in its n either.
 */
function summarizeCv(
  kind: CvGroupSummary['kind'],
  name: string,
  rs: readonly SummarizedRow[],
  perSource = false,
): CvGroupSummary {
  const perFold = new Map<string, number>();
  for (const r of rs) if (r.errorPct !== undefined) perFold.set(r.fold, (perFold.get(r.fold) ?? 0) + 1);
  const weightOf = (r: SummarizedRow) => (perSource ? 1 / (perFold.get(r.fold) ?? 1) : 1);
  const errs = rs.flatMap((r) =>
    r.errorPct === undefined ? [] : [{ value: Math.abs(r.errorPct), weight: weightOf(r) }],
  );
  const tpotErrs = rs.flatMap((r) =>
    r.tpotErrorPct === undefined ? [] : [{ value: Math.abs(r.tpotErrorPct), weight: weightOf(r) }],
  );
  const values = (xs: readonly { value: number }[]) => xs.map((x) => x.value);
  const medianOf = (xs: typeof errs) => (perSource ? weightedPercentile(xs, 50) : median(values(xs)));
  const ranged = rs.filter((r) => r.covered !== undefined);
  const weightOfAll = (xs: readonly SummarizedRow[]) => xs.reduce((t, r) => t + weightOf(r), 0);
  return {
    kind,
    group: name,
    rows: errs.length,
    medianAbsErrorPct: medianOf(errs),
    p90AbsErrorPct: perSource ? weightedPercentile(errs, 90) : percentile(values(errs), 90),
    maxAbsErrorPct: errs.length === 0 ? null : Math.max(...values(errs)),
    coveragePct:
      ranged.length === 0 ? null : (100 * weightOfAll(ranged.filter((r) => r.covered))) / weightOfAll(ranged),
    tpotRows: tpotErrs.length,
    medianAbsTpotErrorPct: medianOf(tpotErrs),
  };
}

/**
 * Weighted nearest-rank percentile (p in 0..100]: the smallest value at which the cumulative
 * weight of the values sorted up to it reaches p% of the total weight.
 */
export function weightedPercentile(
  xs: readonly { readonly value: number; readonly weight: number }[],
  p: number,
): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a.value - b.value);
  const total = s.reduce((t, x) => t + x.weight, 0);
  let cumulative = 0;
  for (const x of s) {
    cumulative += x.weight;
    // A relative tolerance keeps sums of thirds from missing an exact half by a rounding error.
    if (cumulative >= (p / 100) * total * (1 - 1e-12)) return x.value;
  }
  return (s[s.length - 1] as { value: number }).value;
}

/** The known-input rows' error figures of one cross-validation (docs/model.md, "Which corrections are on"). */
export type CvFigures = Pick<CvGroupSummary, 'medianAbsErrorPct' | 'p90AbsErrorPct' | 'coveragePct'>;

/** Two cross-validations of the same rows, before and after a change of the engine's corrections. */
export interface CvComparison {
  /** Rows with a published input length predicted in both. */
  readonly rows: number;
  readonly before: CvFigures;
  readonly after: CvFigures;
  /** Points of median |error| the change gains (before minus after): positive is better. */
  readonly gainPoints: number | null;
  /** The gain recomputed with one source's rows left out of both medians, smallest gain first. */
  readonly leaveOneSourceOut: readonly {
    readonly source: string;
    readonly rowsLeft: number;
    readonly gainPoints: number | null;
  }[];
  /**
   * The tests of docs/model.md "Which corrections are on". The fourth, that the rows the change
   * acts on are not worse, is decided only when those rows are given (`actedOnRows`).
   */
  readonly rule: {
    readonly gainAtLeastOnePoint: boolean;
    readonly p90RiseAtMostTwoPoints: boolean;
    readonly gainWithEverySourceLeftOut: boolean;
    /** The known-input rows the change itself moves, their median |error| before and after. */
    readonly actedOn?: {
      readonly rows: number;
      readonly medianBeforePct: number | null;
      readonly medianAfterPct: number | null;
      readonly notWorse: boolean;
    };
    readonly passes: boolean;
  };
}

/** The switch rule's thresholds (docs/model.md, "Which corrections are on"), in points of |error|. */
const RULE_MIN_GAIN_POINTS = 1;
const RULE_MAX_P90_RISE_POINTS = 2;

/**
 * Compares two cross-validations of the same cases on the rows with a published input length.
 * The leave-one-source-out gains say whether a gain rests on one document: the stability check
 * docs/accuracy.md reports beside the rule's one-point threshold.
 */
export function compareCv(
  before: CvResult,
  after: CvResult,
  actedOnRows?: ReadonlySet<string>,
): CvComparison {
  const afterById = new Map(after.rows.map((r) => [r.row.id, r]));
  const pairs = before.rows.flatMap((b) => {
    const a = afterById.get(b.row.id);
    return !b.row.input_assumed && b.errorPct !== undefined && a?.errorPct !== undefined ? [{ b, a }] : [];
  });
  const medianAbs = (ps: typeof pairs, side: 'a' | 'b') =>
    median(ps.map((p) => Math.abs(p[side].errorPct as number)));
  const gain = (ps: typeof pairs): number | null => {
    const mb = medianAbs(ps, 'b');
    const ma = medianAbs(ps, 'a');
    return mb === null || ma === null ? null : mb - ma;
  };
  const sources = [...new Set(pairs.map((p) => p.b.fold))].sort();
  const leaveOneSourceOut = sources
    .map((source) => {
      const rest = pairs.filter((p) => p.b.fold !== source);
      return { source, rowsLeft: rest.length, gainPoints: gain(rest) };
    })
    .sort(
      (x, y) => (x.gainPoints ?? Infinity) - (y.gainPoints ?? Infinity) || x.source.localeCompare(y.source),
    );
  const figures = (rs: readonly CvRow[]): CvFigures => {
    const { medianAbsErrorPct, p90AbsErrorPct, coveragePct } = summarizeCv('all', '', rs);
    return { medianAbsErrorPct, p90AbsErrorPct, coveragePct };
  };
  const figuresBefore = figures(pairs.map((p) => p.b));
  const figuresAfter = figures(pairs.map((p) => p.a));
  const gainPoints = gain(pairs);
  const gainAtLeastOnePoint = gainPoints !== null && gainPoints >= RULE_MIN_GAIN_POINTS;
  const p90RiseAtMostTwoPoints =
    figuresBefore.p90AbsErrorPct !== null &&
    figuresAfter.p90AbsErrorPct !== null &&
    figuresAfter.p90AbsErrorPct - figuresBefore.p90AbsErrorPct <= RULE_MAX_P90_RISE_POINTS;
  const gainWithEverySourceLeftOut = leaveOneSourceOut.every(
    (l) => l.gainPoints !== null && l.gainPoints > 0,
  );
  const actedOn = (() => {
    if (!actedOnRows) return undefined;
    const moved = pairs.filter((p) => actedOnRows.has(p.b.row.id));
    const medianBeforePct = medianAbs(moved, 'b');
    const medianAfterPct = medianAbs(moved, 'a');
    const notWorse = medianBeforePct === null || medianAfterPct === null || medianAfterPct <= medianBeforePct;
    return { rows: moved.length, medianBeforePct, medianAfterPct, notWorse };
  })();
  return {
    rows: pairs.length,
    before: figuresBefore,
    after: figuresAfter,
    gainPoints,
    leaveOneSourceOut,
    rule: {
      gainAtLeastOnePoint,
      p90RiseAtMostTwoPoints,
      gainWithEverySourceLeftOut,
      ...(actedOn ? { actedOn } : {}),
      passes:
        gainAtLeastOnePoint &&
        p90RiseAtMostTwoPoints &&
        gainWithEverySourceLeftOut &&
        (actedOn?.notWorse ?? true),
    },
  };
}

/** One value of a chosen constant and the cross-validation run with it. */
export interface ConstantRun {
  readonly value: number;
  readonly cv: CvResult;
}

/**
 * A constant chosen without the source it is judged on (docs/model.md 12a, "Constants chosen
 * without the source they are judged on"): each value's own cross-validation, and the figures when
 * each source's rows take the value that the other sources' held-out rows favour.
 */
export interface ChosenConstant {
  /** Rows with a published input length predicted in every run. */
  readonly rows: number;
  readonly fixed: readonly { readonly value: number; readonly figures: CvFigures }[];
  /** Each source's rows from the run of the value chosen without them. */
  readonly selected: CvFigures;
  /** Those rows (known-input only), to compare with a run as `compareCv` does. */
  readonly selectedRows: readonly CvRow[];
  /** The value each source's rows took, by source. */
  readonly choices: readonly { readonly source: string; readonly rows: number; readonly value: number }[];
}

/**
 * Selection held out: for each source, the value whose cross-validation gives the lowest median
 * |error| on the other sources' known-input rows (ties: the value listed first); that source's
 * rows are then scored with that value's run. The other sources' predictions were made by fits
 * that included the source (the runs' own folds), so this is a cheaper, slightly optimistic form
 * of a fully nested cross-validation.
 */
export function chooseConstant(runs: readonly ConstantRun[]): ChosenConstant {
  const first = runs[0];
  if (!first) throw new Error('chooseConstant: no runs');
  const byId = runs.map((r) => new Map(r.cv.rows.map((row) => [row.row.id, row])));
  const ids = first.cv.rows
    .filter((r) => !r.row.input_assumed && byId.every((m) => m.get(r.row.id)?.errorPct !== undefined))
    .map((r) => r.row.id);
  const foldOf = new Map(first.cv.rows.map((r) => [r.row.id, r.fold]));
  const rowsOf = (k: number, sel: readonly string[]) => sel.map((id) => byId[k]?.get(id) as CvRow);
  const medianOf = (k: number, sel: readonly string[]) =>
    median(rowsOf(k, sel).map((r) => Math.abs(r.errorPct as number))) ?? Infinity;
  const figures = (rs: readonly CvRow[]): CvFigures => {
    const { medianAbsErrorPct, p90AbsErrorPct, coveragePct } = summarizeCv('all', '', rs);
    return { medianAbsErrorPct, p90AbsErrorPct, coveragePct };
  };
  const sources = [...new Set(ids.map((id) => foldOf.get(id) as string))].sort();
  const selectedRows: CvRow[] = [];
  const choices = sources.map((source) => {
    const mine = ids.filter((id) => foldOf.get(id) === source);
    const others = ids.filter((id) => foldOf.get(id) !== source);
    // Each value's median over the other sources once; the first lowest wins a tie.
    const medians = runs.map((_, k) => medianOf(k, others));
    const best = medians.indexOf(Math.min(...medians));
    selectedRows.push(...rowsOf(best, mine));
    return { source, rows: mine.length, value: (runs[best] as ConstantRun).value };
  });
  return {
    rows: ids.length,
    fixed: runs.map((r, k) => ({ value: r.value, figures: figures(rowsOf(k, ids)) })),
    selected: figures(selectedRows),
    selectedRows,
    choices,
  };
}

/** A prediction moving by more than this share counts as the change acting on the row. */
const ACTED_ON_SHARE = 0.005;

/**
 * The known-input rows a change of corrections acts on by itself (docs/model.md, "Which corrections
 * are on"): each predicted with the same factors, those of the hierarchy fitted on all `before`
 * rows, once with the corrections before and once after; a row the change moves by more than
 * 0.5% is acted on. The refit's own movement, which moves every row, is left out by construction.
 * `after` holds the same rows with the changed corrections, matched by id.
 */
export function actedOnRowIds(
  before0: readonly MeasuredCase[],
  after0: readonly MeasuredCase[],
): Set<string> {
  const before = atLimitRatios(before0);
  const after = atLimitRatios(after0);
  const h = fitLevels(before);
  const afterById = new Map(after.map((c) => [c.row.id, c]));
  const ids = new Set<string>();
  for (const c of before) {
    const a = afterById.get(c.row.id);
    if (c.row.input_assumed || !a) continue;
    const f = h.factorsOf(c).efficiency;
    const pb = predictCase(c, f)?.tokensPerSPerChip;
    const pa = predictCase(a, f)?.tokensPerSPerChip;
    if (pb === undefined || pa === undefined) {
      if (pb !== pa) ids.add(c.row.id); // runs under one and not the other: acted on
      continue;
    }
    if (Math.abs(pa / pb - 1) > ACTED_ON_SHARE) ids.add(c.row.id);
  }
  return ids;
}

/** One (chip, stack) entry of a profile's `stacks:` block, before it becomes YAML. */
export interface StackCalibration {
  readonly stack: string;
  readonly level: FitLevel;
  readonly efficiency: Efficiency;
  readonly fitted: readonly FitFactor[];
  readonly ids: readonly string[];
  /** The matrix-unit formats of those rows (section 12a), in COMPUTE_FORMATS order. */
  readonly formats: readonly ComputeFormat[];
  /** 12c: a pair fitted on rows whose input nobody published, at their datasets' estimates. */
  readonly latent?: boolean;
  /** log(measured / predicted) bounds covering 80% of held-out rows at this level (dense models, with kind bands). */
  readonly intervalLog: readonly [number, number];
  /** The same for MoE models, with `kind_bands` (section 11). */
  readonly moeIntervalLog?: readonly [number, number];
  /** The chip's own cross-validated error on this stack (its dense rows', with `kind_bands`). */
  readonly cv?: { readonly rows: number; readonly medianAbsErrorPct: number };
  /** With `kind_bands`: the same over its MoE rows. */
  readonly moeCv?: { readonly rows: number; readonly medianAbsErrorPct: number };
  /** 12a `layout_pairs`: the pair's fit on its rows of an MoE model on more than one chip. */
  readonly moeAcross?: Pick<LevelFit, 'efficiency' | 'fitted' | 'ids'>;
}

/** A pooled band is widened this much (in log space) for a stack never measured anywhere. */
const UNMEASURED_STACK_WIDENING = 1.5;

/**
 * Every chip's entries (section 12a): for each stack measured on its vendor's chips, plus vLLM
 * (the open stack every vendor's chips run), of those its profile's `serving_stacks` where it lists
 * them, the pair's fit where the chip has rows on that stack,
 * else the stack's. Each carries the cross-validated interval of its level, never narrower than
 * the chip's own cross-validated error on that stack.
 */
export function stackCalibrations(
  cases: readonly MeasuredCase[],
  chips: readonly {
    readonly id: string;
    readonly vendor: string;
    /** The profile's `serving_stacks`: where given, only these are the chip's stacks. */
    readonly servingStacks?: readonly string[];
  }[],
  cv: CvResult,
): Map<string, StackCalibration[]> {
  const h = fitLevels(atLimitRatios(cases));
  const vendorOfChip = new Map(cases.map((c) => [c.row.accelerator, c.accelerator.vendor]));
  const moeModels = new Set(cases.filter((c) => modelKind(c) === 'moe').map((c) => c.row.model));
  const isMoeRow = (r: CvRow) => moeModels.has(r.row.model);
  // A chip's own cross-validated error over some of its rows (section 11's floor).
  const ownCv = (rows: readonly CvRow[]) => {
    const errors = rows.map((r) => Math.abs(r.errorPct as number));
    return errors.length === 0
      ? undefined
      : { rows: errors.length, medianAbsErrorPct: median(errors) as number };
  };
  const out = new Map<string, StackCalibration[]>();
  const formatOf = new Map(cases.map((c) => [c.row.id, setupFor(c.accelerator, c.workload)?.compute.format]));
  const formatsOf = (ids: readonly string[]): ComputeFormat[] => {
    const seen = new Set(ids.map((id) => formatOf.get(id)));
    return COMPUTE_FORMATS.filter((f) => seen.has(f));
  };
  for (const chip of chips) {
    const vendorStacks = new Set(
      cases.filter((c) => vendorOfChip.get(c.row.accelerator) === chip.vendor).map((c) => c.row.stack),
    );
    if (h.stacks.has('vllm')) vendorStacks.add('vllm');
    const runs = (s: string) => chip.servingStacks === undefined || chip.servingStacks.includes(s);
    const entries: StackCalibration[] = [];
    for (const stack of [...vendorStacks].filter((s) => h.stacks.has(s) && runs(s)).sort()) {
      const pair = h.pair(chip.id, stack);
      const level: FitLevel = pair ? 'pair' : 'stack';
      const fit = pair ?? (h.stacks.get(stack) as LevelFit);
      // 12c: a pair fitted at guessed inputs states the stack level's interval, as in backtest --cv.
      const bandLevel: FitLevel = pair?.latent ? 'stack' : level;
      const own = cv.rows.filter(
        (r) => r.row.accelerator === chip.id && r.row.stack === stack && r.errorPct !== undefined,
      );
      // An interval never narrower than the chip's own cross-validated error on this stack (with
      // kind bands, per kind: its own rows of that kind against that kind's interval).
      // Section 11, `unmeasured_bands`: with no rows on this stack, at least the chip-left-out band.
      const interval = (
        bands: LevelBands,
        mine: StackCalibration['cv'],
        unmeasured: readonly [number, number] | undefined,
      ): readonly [number, number] =>
        asMeasured(
          floorBand(
            widest(
              bands[bandLevel] ?? bands.pooled ?? cv.bands[bandLevel] ?? cv.bands.pooled ?? [-0.5, 0.5],
              pair ? undefined : unmeasured,
            ) as readonly [number, number],
            mine?.medianAbsErrorPct,
          ),
        );
      const kb = cv.kindBands;
      const ub = cv.unmeasuredBands;
      const denseCv = ownCv(kb ? own.filter((r) => !isMoeRow(r)) : own);
      const moeCv = kb ? ownCv(own.filter(isMoeRow)) : undefined;
      const across = h.layout(chip.id, stack);
      entries.push({
        stack,
        level,
        efficiency: fit.efficiency,
        fitted: fit.fitted,
        ids: fit.ids,
        formats: formatsOf(fit.ids),
        ...(fit.latent ? { latent: true } : {}),
        intervalLog: interval(kb ? kb.dense : cv.bands, denseCv, kb ? ub?.dense : ub?.all),
        ...(kb ? { moeIntervalLog: interval(kb.moe, moeCv, ub?.moe) } : {}),
        ...(denseCv ? { cv: denseCv } : {}),
        ...(moeCv ? { moeCv } : {}),
        ...(across
          ? { moeAcross: { efficiency: across.efficiency, fitted: across.fitted, ids: across.ids } }
          : {}),
      });
    }
    if (entries.length === 0) {
      const widened = (bands: LevelBands, unmeasured: readonly [number, number] | undefined) => {
        const [lo, hi] = bands.pooled ?? cv.bands.pooled ?? [-0.5, 0.5];
        return asMeasured(
          widest([lo * UNMEASURED_STACK_WIDENING, hi * UNMEASURED_STACK_WIDENING], unmeasured) as readonly [
            number,
            number,
          ],
        );
      };
      entries.push({
        stack: 'generic',
        level: 'pooled',
        efficiency: h.pooled.efficiency,
        fitted: h.pooled.fitted,
        ids: h.pooled.ids,
        formats: formatsOf(h.pooled.ids),
        intervalLog: widened(
          cv.kindBands?.dense ?? cv.bands,
          cv.kindBands ? cv.unmeasuredBands?.dense : cv.unmeasuredBands?.all,
        ),
        ...(cv.kindBands ? { moeIntervalLog: widened(cv.kindBands.moe, cv.unmeasuredBands?.moe) } : {}),
      });
    }
    out.set(chip.id, entries);
  }
  return out;
}

/** The stack a chip's comparison assumes by default: the one with most of its own rows, else its vendor's stack measured most. */
export function defaultStack(entries: readonly StackCalibration[]): string | undefined {
  const ranked = [...entries].sort(
    (a, b) =>
      (b.level === 'pair' ? b.ids.length : -1) - (a.level === 'pair' ? a.ids.length : -1) ||
      // with no rows of its own, a vendor's own stack (vllm-neuron on Trainium) before vLLM, and
      // among those the one measured most (vllm-neuron's 8 rows before nxdi's 1)
      (a.stack === 'vllm' ? 1 : b.stack === 'vllm' ? -1 : b.ids.length - a.ids.length) ||
      a.stack.localeCompare(b.stack),
  );
  return ranked[0]?.stack;
}

/** The power model a fold's training rows give, or undefined (the defaults) when they hold no Power row. */
function foldPowerModel(
  training: readonly MeasuredCase[],
  factorsOf: (c: MeasuredCase) => Efficiency,
): { readonly idleFraction: number; readonly hostLoad: number } | undefined {
  const fit = fitPowerModel(training, factorsOf);
  return fit.rows === 0 ? undefined : { idleFraction: fit.idleFraction, hostLoad: fit.hostLoad };
}

/**
 * 6.1: the rows with MLPerf Power data twice, each carrying as `errorPct` its tokens-per-joule
 * error and its system-power error (`withError` sets it). One definition for `backtest` and
 * `backtest --cv`.
 */
export function energyErrorRows<R extends BacktestRow>(
  rows: readonly R[],
  withError: (r: R, errorPct: number) => R,
): { readonly tokensPerJoule: R[]; readonly systemPower: R[] } {
  return {
    tokensPerJoule: rows.flatMap((r) =>
      r.tokensPerJouleErrorPct === undefined ? [] : [withError(r, r.tokensPerJouleErrorPct)],
    ),
    systemPower: rows.flatMap((r) => {
      const m = measuredSystemWPerChip(r.row);
      return m === undefined || !r.prediction
        ? []
        : [withError(r, (r.prediction.systemWPerChip / m - 1) * 100)];
    }),
  };
}

/** Measured wall power per chip of a row with MLPerf Power data, else undefined. */
export function measuredSystemWPerChip(row: {
  readonly system_power_w?: number | undefined;
  readonly chips_in_system?: number | undefined;
}): number | undefined {
  return row.system_power_w !== undefined && row.chips_in_system !== undefined
    ? row.system_power_w / row.chips_in_system
    : undefined;
}

/**
 * Section 6.1's two parameters, fitted by least squares on log(P_pred / P_meas) over the rows with
 * measured system power, each row at the operating point its chip's factors predict. A grid
 * (idle fraction 0..0.8, host load 0..1.2, steps of 0.01) keeps it deterministic.
 */
export function fitPowerModel(
  cases: readonly MeasuredCase[],
  factorsOf: (c: MeasuredCase) => Efficiency,
): {
  readonly idleFraction: number;
  readonly hostLoad: number;
  readonly rows: number;
  readonly rmsLogError: number;
} {
  const rows = atLimitRatios(cases).flatMap((c) => {
    const measured = measuredSystemWPerChip(c.row);
    if (measured === undefined) return [];
    const efficiency = factorsOf(c);
    // A row the engine cannot run is left out; power is recomputed per candidate below.
    return predictCase(c, efficiency) ? [{ c, measured, efficiency }] : [];
  });
  const evaluateAt = (idleFraction: number, hostLoad: number) => {
    let sum = 0;
    for (const r of rows) {
      const p = predictCase(
        { ...r.c, workload: { ...r.c.workload, powerModel: { idleFraction, hostLoad } } },
        r.efficiency,
      );
      if (!p) continue;
      sum += Math.log(p.systemWPerChip / r.measured) ** 2;
    }
    return sum;
  };
  let best = { idleFraction: 0.3, hostLoad: 0.5, sum: Number.POSITIVE_INFINITY };
  for (let i = 0; i <= 80; i += 2)
    for (let h = 0; h <= 120; h += 4) {
      const sum = evaluateAt(i / 100, h / 100);
      if (sum < best.sum) best = { idleFraction: i / 100, hostLoad: h / 100, sum };
    }
  // refine around the coarse optimum
  // Whole percents: 0.58 * 100 is 57.99999999999999, and stepping from it printed 0.5800000000000001.
  const [i0, h0] = [Math.round(best.idleFraction * 100), Math.round(best.hostLoad * 100)];
  for (let i = Math.max(0, i0 - 2); i <= Math.min(80, i0 + 2); i += 1)
    for (let h = Math.max(0, h0 - 4); h <= Math.min(120, h0 + 4); h += 1) {
      const sum = evaluateAt(i / 100, h / 100);
      if (sum < best.sum) best = { idleFraction: i / 100, hostLoad: h / 100, sum };
    }
  return {
    idleFraction: best.idleFraction,
    hostLoad: best.hostLoad,
    rows: rows.length,
    rmsLogError: rows.length === 0 ? 0 : Math.sqrt(best.sum / rows.length),
  };
}
