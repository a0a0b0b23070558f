// Cross-validated accuracy (docs/model.md section 12a): leave one source out, refit on the
// rest, predict the held-out rows. Pure: measured cases in, out-of-fold predictions and
// summaries out. Deterministic (Nelder-Mead from fixed starts; folds in sorted order).
import { CALIBRATION_PRIOR, fitEfficiency, sensitivities } from '../engine/calibrate.js';
import type { Efficiency, EfficiencyFactor } from '../engine/types.js';
import { type BacktestRow, backtestCase, type MeasuredCase, percentile } from './backtest.js';

/**
 * The pull of a pair's fit towards its stack's pooled factors, per squared unit of search
 * coordinate: a 20% log error costs as much as moving a factor one unit. Strong enough that two
 * rows cannot drag a factor across the range (H200 got eta_mem 0.57 from two rows while H100, the
 * same silicon family on the same stack, got 0.80 from seven), weak enough that a dozen rows
 * decide for themselves.
 */
export const SHRINK_WEIGHT = 0.04;

/** Where a row was published: MLPerf results by round, submitter and system; else the document. */
export function sourceGroup(source: string): string {
  const m =
    /mlcommons\/(inference_results_v[\d.]+)\/(?:blob|tree)\/[^/]+\/(closed|open)\/([^/]+)\/results\/([^/]+)\//.exec(
      source,
    );
  if (m) return `mlperf ${m[1]} ${m[2]} ${m[3]} ${m[4]}`;
  const url = /https?:\/\/[^\s,"')]+/.exec(source)?.[0];
  return (url ?? source).replace(/[#?].*$/, '');
}

/** The factors a set of rows can move: the step factors, and eta_link when a row spans chips. */
function candidateFactors(cases: readonly MeasuredCase[]): EfficiencyFactor[] {
  const all: EfficiencyFactor[] = ['etaMem', 'etaPrefill', 'etaDecode', 'tStep0S'];
  if (cases.some((c) => c.row.chips_per_replica > 1)) all.push('etaLink');
  return all;
}

/** Fits the factors the rows respond to, pulled towards `prior` with `weight`. */
export function fitPulled(
  cases: readonly MeasuredCase[],
  prior: Efficiency,
  weight: number,
): { efficiency: Efficiency; fitted: EfficiencyFactor[] } {
  const factors = candidateFactors(cases);
  const response = new Map<EfficiencyFactor, number>();
  for (const c of cases) {
    for (const [f, v] of Object.entries(sensitivities(c, prior, factors)) as [EfficiencyFactor, number][])
      response.set(f, (response.get(f) ?? 0) + Math.abs(v));
  }
  const seen = factors.filter((f) => (response.get(f) ?? 0) >= 0.02);
  if (seen.length === 0) return { efficiency: prior, fitted: [] };
  const fit = fitEfficiency(cases, seen, prior, prior, { priorWeight: weight, release: false });
  return { efficiency: fit.efficiency, fitted: seen };
}

/** How a row's factors were found: its own (chip, stack) rows, its stack's rows on other chips, or all rows. */
export type FitLevel = 'pair' | 'stack' | 'pooled';

export interface Factors {
  readonly efficiency: Efficiency;
  readonly level: FitLevel;
  /** Training rows behind the factors. */
  readonly rows: number;
}

/**
 * The hierarchy of fits (section 12a): all rows pooled from the generic start; each stack pulled
 * towards the pool; each (chip, stack) pair pulled towards its stack. A pair with no rows takes its
 * stack's factors, a stack with no rows the pool's.
 */
export function fitHierarchy(training: readonly MeasuredCase[]): (chip: string, stack: string) => Factors {
  const known = training.filter((c) => !c.row.input_assumed);
  const pooled = known.length > 0 ? fitPulled(known, CALIBRATION_PRIOR, 1e-3).efficiency : CALIBRATION_PRIOR;
  const byStack = new Map<string, Factors>();
  const byPair = new Map<string, Factors>();
  const stacks = [...new Set(known.map((c) => c.row.stack))].sort();
  for (const s of stacks) {
    const rows = known.filter((c) => c.row.stack === s);
    byStack.set(s, {
      efficiency: fitPulled(rows, pooled, SHRINK_WEIGHT).efficiency,
      level: 'stack',
      rows: rows.length,
    });
  }
  return (chip, stack) => {
    const key = `${chip}\u0000${stack}`;
    const cached = byPair.get(key);
    if (cached) return cached;
    const stackFactors = byStack.get(stack) ?? {
      efficiency: pooled,
      level: 'pooled' as const,
      rows: known.length,
    };
    const rows = known.filter((c) => c.row.stack === stack && c.row.accelerator === chip);
    const f: Factors =
      rows.length === 0
        ? stackFactors
        : {
            efficiency: fitPulled(rows, stackFactors.efficiency, SHRINK_WEIGHT).efficiency,
            level: 'pair',
            rows: rows.length,
          };
    byPair.set(key, f);
    return f;
  };
}

export interface CvRow extends BacktestRow {
  readonly fold: string;
  readonly level: FitLevel;
  /** The stated range for this row: the prediction times exp of the 10th..90th percentile of the
   * log residuals of the other folds' rows fitted at the same level. */
  readonly low?: number;
  readonly high?: number;
  readonly covered?: boolean;
}

export interface CvGroupSummary {
  readonly kind: 'accelerator' | 'stack' | 'vendor' | 'level' | 'all';
  readonly group: string;
  readonly rows: number;
  readonly medianAbsErrorPct: number | null;
  readonly p90AbsErrorPct: number | null;
  readonly maxAbsErrorPct: number | null;
  /** Share of rows whose measured value lies inside the stated range. */
  readonly coveragePct: number | null;
}

export interface CvResult {
  readonly rows: readonly CvRow[];
  readonly summary: readonly CvGroupSummary[];
  /** log-residual quantiles [q10, q90] per fit level over all folds: the bands compare states. */
  readonly bands: Readonly<Partial<Record<FitLevel, readonly [number, number]>>>;
}

/** The chip's vendor, from its profile. */
function vendorOf(c: MeasuredCase): string {
  return c.accelerator.vendor;
}

function band(logs: readonly number[]): readonly [number, number] | undefined {
  if (logs.length < 3) return undefined;
  return [percentile(logs, 10) as number, percentile(logs, 90) as number];
}

/**
 * Leave-one-source-out cross-validation. Every row is predicted by factors fitted without any row
 * of its source; rows with an assumed input length are predicted but never fitted on.
 */
export function crossValidate(cases: readonly MeasuredCase[]): CvResult {
  const folds = [...new Set(cases.map((c) => sourceGroup(c.row.source)))].sort();
  const predicted: { c: MeasuredCase; fold: string; level: FitLevel; r: BacktestRow }[] = [];
  for (const fold of folds) {
    const held = cases.filter((c) => sourceGroup(c.row.source) === fold);
    const factorsFor = fitHierarchy(cases.filter((c) => sourceGroup(c.row.source) !== fold));
    for (const c of held) {
      const f = factorsFor(c.row.accelerator, c.row.stack);
      predicted.push({ c, fold, level: f.level, r: backtestCase(c, f.efficiency) });
    }
  }
  const logOf = (r: BacktestRow) => (r.errorPct === undefined ? undefined : Math.log(1 + r.errorPct / 100));
  const rows: CvRow[] = predicted.map(({ c, fold, level, r }) => {
    const others = predicted
      .filter((p) => p.fold !== fold && p.level === level)
      .flatMap((p) => {
        const l = logOf(p.r);
        return l === undefined ? [] : [l];
      });
    const b = band(others);
    const x = r.prediction?.tokensPerSPerChip;
    if (!b || x === undefined) return { ...r, fold, level };
    // The measured value m is covered when x * exp(q10) <= ... : residual log(x/m) within [q10, q90].
    const low = x / Math.exp(b[1]);
    const high = x / Math.exp(b[0]);
    const m = c.measuredTokensPerSPerChip;
    return { ...r, fold, level, low, high, covered: m >= low && m <= high };
  });
  const group = (kind: CvGroupSummary['kind'], name: string, rs: readonly CvRow[]): CvGroupSummary => {
    const errs = rs.flatMap((r) => (r.errorPct === undefined ? [] : [Math.abs(r.errorPct)]));
    const ranged = rs.filter((r) => r.covered !== undefined);
    return {
      kind,
      group: name,
      rows: errs.length,
      medianAbsErrorPct: percentileMedian(errs),
      p90AbsErrorPct: percentile(errs, 90),
      maxAbsErrorPct: errs.length === 0 ? null : Math.max(...errs),
      coveragePct:
        ranged.length === 0 ? null : (100 * ranged.filter((r) => r.covered).length) / ranged.length,
    };
  };
  const by = (kind: CvGroupSummary['kind'], key: (i: number) => string) => {
    const names = [...new Set(rows.map((_, i) => key(i)))].sort();
    return names.map((n) =>
      group(
        kind,
        n,
        rows.filter((_, i) => key(i) === n),
      ),
    );
  };
  const vendors = predicted.map((p) => vendorOf(p.c));
  const known = rows.filter((r) => !r.row.input_assumed);
  const nvidiaTrtllm = rows.filter(
    (r, i) => !r.row.input_assumed && r.row.stack === 'trtllm' && vendors[i] === 'NVIDIA',
  );
  const summary = [
    ...by('accelerator', (i) => rows[i]?.row.accelerator ?? ''),
    ...by('stack', (i) => rows[i]?.row.stack ?? ''),
    ...by('vendor', (i) => vendors[i] ?? ''),
    ...by('level', (i) => rows[i]?.level ?? ''),
    group('all', 'all, known input length', known),
    group('all', 'NVIDIA TensorRT-LLM, known input length', nvidiaTrtllm),
    group('all', 'all', rows),
  ];
  const bands: Partial<Record<FitLevel, readonly [number, number]>> = {};
  for (const level of ['pair', 'stack', 'pooled'] as const) {
    const b = band(
      rows
        .filter((r) => r.level === level)
        .flatMap((r) => {
          const l = logOf(r);
          return l === undefined ? [] : [l];
        }),
    );
    if (b) bands[level] = b;
  }
  return { rows, summary, bands };
}

function percentileMedian(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
