// Backtest: the engine against measured results. Pure: rows and resolved profiles in, data out.
import { type CalibrationCase, type Prediction, predictCase } from '../engine/calibrate.js';
import { layoutFitApplies } from '../engine/deploy.js';
import { estimatedInputEnds, intervalLogFor } from '../engine/evaluate.js';
import { precisionOf } from '../engine/precision.js';
import type {
  Accelerator,
  Efficiency,
  EngineConstants,
  Mechanisms,
  Model,
  NumberFormat,
  Precision,
  Workload,
} from '../engine/types.js';
import { toMechanisms } from '../schema/convert.js';
import type { MeasuredRow, ResolvedRow } from '../schema/measured.js';
import { WORKLOAD_DEFAULTS } from '../schema/workload.js';

export function parsePrecisionCell(cell: string): Precision {
  const [format, bits] = cell.split('@') as [NumberFormat, string | undefined];
  return precisionOf(format, bits === undefined ? undefined : Number(bits));
}

export interface MeasuredCase extends CalibrationCase {
  readonly row: ResolvedRow;
}

/**
 * The factors a measured row is predicted with, of a fit and its layout's (docs/model.md 12a
 * `layout_pairs`): the layout's for an MoE model on more than one chip, the rule compare's search
 * follows (`layoutFitApplies`), else the fit's.
 */
export function rowEfficiency(
  c: MeasuredCase,
  efficiency: Efficiency,
  moeAcross: Efficiency | undefined,
): Efficiency {
  return moeAcross && layoutFitApplies(c.workload, c.row.chips_per_replica) ? moeAcross : efficiency;
}

/** A row's factors from its profile's stack entry (12a: the layout's fit where it applies). */
export function profileEfficiency(c: MeasuredCase): Efficiency {
  return rowEfficiency(c, c.accelerator.efficiency, c.accelerator.moeAcrossEfficiency);
}

/** A TensorRT-LLM performance-overview row: `trtllm-bench throughput`, as its notes record. */
export function measuredWithTrtllmBench(row: {
  readonly stack: string;
  readonly notes?: string | undefined;
}): boolean {
  return row.stack === 'trtllm' && (row.notes ?? '').includes('trtllm-bench');
}

const GIB = 2 ** 30;
/** Safetensors elements per parameter of an NVFP4 checkpoint: 1/2 (packed pairs) + 1/16 (block scales). */
const NVFP4_ELEMENTS_PER_PARAM = 0.5 + 1 / 16;

/**
 * The largest batch trtllm-bench lets a replica run (docs/model.md 3b.5): its own sizing of the
 * KV cache, every layer full attention, every sequence at its peak I + O, heads widened to the
 * chip count, then rounded up; a quantization it does not tune (MXFP4) gets the default 2,048.
 * With data-parallel attention (`dep`) each chip schedules that many.
 */
export function trtllmBenchMaxBatch(
  row: {
    readonly chips_per_replica: number;
    readonly weights: string;
    readonly kv_cache: string;
    readonly input_tokens: number;
    readonly output_tokens: number;
    readonly parallelism?: string | undefined;
  },
  accelerator: Pick<Accelerator, 'memCapacityBytes'>,
  model: Model,
): number {
  const n = row.chips_per_replica;
  const perChip = (row.parallelism ?? '').includes('dep');
  // trtllm-bench's BYTES_PER_ELEM: FP8 1, NVFP4 0.5, anything else 2.
  const bytesPerElem = (format: string) => (format === 'fp8' ? 1 : format === 'fp4' ? 0.5 : 2);
  const weightsFormat = parsePrecisionCell(row.weights).format;
  let cap = 2048;
  if (!model.precision.experts) {
    const headSize = model.mla ? model.hidden / model.heads : model.headDim;
    const kvHeads = Math.max(n, model.kvHeads ?? model.heads);
    const kvGiBPerToken =
      (2 * model.layers * kvHeads * headSize * bytesPerElem(parsePrecisionCell(row.kv_cache).format)) / GIB;
    // trtllm-bench counts the checkpoint's stored elements: NVFP4 packs two values per uint8 and
    // adds one FP8 scale per 16, so 0.5625 elements per parameter (3b.5).
    const storedElems = model.paramsTotal * (weightsFormat === 'fp4' ? NVFP4_ELEMENTS_PER_PARAM : 1);
    const engineGiB = (storedElems * bytesPerElem(weightsFormat)) / GIB;
    const requests =
      (((n * accelerator.memCapacityBytes) / GIB - engineGiB) * 0.95) /
      (kvGiBPerToken * (row.input_tokens + row.output_tokens));
    const raw = Math.min(Math.max(requests, 1), 4096);
    cap =
      raw < 256
        ? Math.max(64, 32 * Math.ceil(raw / 32))
        : raw < 1024
          ? 128 * Math.ceil(raw / 128)
          : 256 * Math.ceil(raw / 256);
  }
  return perChip ? cap * n : cap;
}

/** The engine setup a measured row describes (same chips, batch or SLO, precisions). */
export function caseFor(
  row: ResolvedRow,
  accelerator: Accelerator,
  model: Model,
  mechanisms: Mechanisms = toMechanisms(),
  constants?: Partial<EngineConstants>,
): MeasuredCase {
  const workload: Workload = {
    name: row.id,
    model: {
      ...model,
      // A model released with its experts in their own format (gpt-oss): the row's `weights`
      // names the experts' format, the rest keeps the model's.
      precision: model.precision.experts
        ? {
            weights: model.precision.weights,
            experts: parsePrecisionCell(row.weights),
            activations: parsePrecisionCell(row.activations),
            kvCache: parsePrecisionCell(row.kv_cache),
          }
        : {
            weights: parsePrecisionCell(row.weights),
            activations: parsePrecisionCell(row.activations),
            kvCache: parsePrecisionCell(row.kv_cache),
          },
    },
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cachedInputFraction: 0,
    slo:
      row.scenario === 'latency_bounded'
        ? {
            ...(row.ttft_limit_ms === undefined ? {} : { ttftS: row.ttft_limit_ms / 1000 }),
            ...(row.tpot_limit_ms === undefined ? {} : { tpotS: row.tpot_limit_ms / 1000 }),
          }
        : {},
    utilization: 1,
    plan: 'on_demand',
    basis: 'hyperscaler',
    site: {
      pue: 1.2,
      usdPerKwh: 0.08,
      ...(row.power_cap_w === undefined ? {} : { powerCapW: row.power_cap_w }),
    },
    replicaChips: [row.chips_per_replica],
    // 3d: the row's layout, where the engine may choose one (a `dep` row ran expert-parallel).
    ...(mechanisms.expertParallel && model.moe
      ? { parallelism: (row.parallelism ?? '').includes('dep') ? ('ep' as const) : ('tp' as const) }
      : {}),
    ...(row.scenario === 'fixed_concurrency' && row.concurrency !== undefined
      ? { fixedBatch: row.concurrency }
      : {}),
    ...batchCap(row, accelerator, model, mechanisms),
    // 3b.8: a max-throughput run of a stated number of requests, its last wave included.
    ...(mechanisms.finiteRequests && row.scenario === 'max_throughput' && row.requests !== undefined
      ? { requests: row.requests }
      : {}),
    memoryUsableFraction: 0.9,
    chunkTokens: 2048,
    efficiencyOverrides: {},
    // 3e: every row was served aggregated, so it is modelled so whatever the switch says.
    mechanisms: mechanisms.disaggregation ? { ...mechanisms, disaggregation: false } : mechanisms,
    powerModel: WORKLOAD_DEFAULTS.powerModel,
    ...(constants ? { constants } : {}),
  };
  const base = {
    id: row.id,
    row,
    accelerator,
    workload,
    measuredTokensPerSPerChip: row.output_tokens_per_s_per_chip,
  };
  // 12a `ttft_fit`: the TTFT joins the fit where section 3 can stand for it.
  const ttftS = mechanisms.ttftFit ? fixedConcurrencyTtftS(row) : undefined;
  const ttft = ttftS === undefined ? {} : { measuredTtftS: ttftS };
  return row.tpot_ms === undefined
    ? { ...base, ...ttft }
    : { ...base, measuredTpotS: row.tpot_ms / 1000, ...ttft };
}

/**
 * 3b.5: the batch a row's server could hold at most, the lower of trtllm-bench's own cap (a
 * `max_throughput` row it measured; `bench_batch_cap`) and the cap the row's source states
 * (`max_batch`; `stated_batch_cap`, off: it made the cross-validated error worse).
 */
function batchCap(
  row: ResolvedRow,
  accelerator: Accelerator,
  model: Model,
  mechanisms: Mechanisms,
): { maxBatch?: number } {
  const bench =
    mechanisms.benchBatchCap && row.scenario === 'max_throughput' && measuredWithTrtllmBench(row)
      ? trtllmBenchMaxBatch(row, accelerator, model)
      : undefined;
  const stated = mechanisms.statedBatchCap ? row.max_batch : undefined;
  const caps = [bench, stated].filter((c): c is number => c !== undefined);
  return caps.length === 0 ? {} : { maxBatch: Math.min(...caps) };
}

/**
 * A row's TTFT in seconds where section 3's `t_pf + t_step(B)` can stand for it: measured at a
 * fixed concurrency (docs/model.md 12a); under open arrivals a TTFT is mostly queueing.
 */
export function fixedConcurrencyTtftS(row: ResolvedRow): number | undefined {
  return row.scenario === 'fixed_concurrency' && row.ttft_ms !== undefined ? row.ttft_ms / 1000 : undefined;
}

/** Mean-to-p99 ratios of TTFT and TPOT (docs/model.md 3b.6); absent where no row gives both. */
export interface LimitRatios {
  readonly ttft?: number;
  readonly tpot?: number;
}

/** 3b.6: the median of mean / p99 over the rows whose log gives both, for TTFT and for TPOT. */
export function limitRatios(rows: readonly MeasuredRow[]): LimitRatios {
  const ratios = (mean: keyof MeasuredRow, p99: keyof MeasuredRow) =>
    rows.flatMap((r) => {
      const m = r[mean];
      const q = r[p99];
      return typeof m === 'number' && typeof q === 'number' ? [m / q] : [];
    });
  const ttft = median(ratios('ttft_ms', 'ttft_p99_ms'));
  const tpot = median(ratios('tpot_ms', 'tpot_p99_ms'));
  return { ...(ttft === null ? {} : { ttft }), ...(tpot === null ? {} : { tpot }) };
}

/** 3b.6: a case whose limits are p99s (an MLPerf latency-bounded row) with the switch on. */
export function heldToPercentiles(c: MeasuredCase): boolean {
  return (
    c.workload.mechanisms.percentileLimits &&
    c.row.scenario === 'latency_bounded' &&
    c.row.round !== undefined
  );
}

/**
 * 3b.6: an MLPerf row's limits bound the 99th percentile; the engine's latencies are means, so the
 * case is searched with each limit times its ratio. Other rows, or the switch off, are unchanged.
 */
export function withLimitRatios(c: MeasuredCase, ratios: LimitRatios): MeasuredCase {
  if (!heldToPercentiles(c)) return c;
  const { ttftS, tpotS } = c.workload.slo;
  const slo = {
    ...(ttftS === undefined ? {} : { ttftS: ttftS * (ratios.ttft ?? 1) }),
    ...(tpotS === undefined ? {} : { tpotS: tpotS * (ratios.tpot ?? 1) }),
  };
  return { ...c, workload: { ...c.workload, slo } };
}

/** 3b.6 over a set of cases: each held to the ratios of all of them (in sample, as their factors). */
export function atLimitRatios(cases: readonly MeasuredCase[]): MeasuredCase[] {
  const ratios = limitRatios(cases.map((c) => c.row));
  return cases.map((c) => withLimitRatios(c, ratios));
}

export interface BacktestRow {
  readonly row: MeasuredRow;
  readonly prediction?: Prediction;
  /** Why the engine could not reproduce the setup. */
  readonly reason?: string;
  /** `(predicted / measured - 1) * 100` for output tokens/s per chip. */
  readonly errorPct?: number;
  readonly tpotErrorPct?: number;
  /**
   * `(predicted / measured - 1) * 100` for the time to first token, on rows that measured it at a
   * fixed concurrency (docs/model.md 12a: elsewhere a TTFT is mostly queueing, which is not modelled).
   */
  readonly ttftErrorPct?: number;
  /** Tokens per joule of wall power, measured and predicted, where the row has system power. */
  readonly measuredTokensPerJoule?: number;
  readonly predictedTokensPerJoule?: number;
  readonly tokensPerJouleErrorPct?: number;
  /** The dataset's estimated mean input the row ran at (docs/model.md 12b), where it had one. */
  readonly inputTokensEstimated?: number;
  /**
   * The stack whose factors made the prediction: the row's own where the chip has factors for it,
   * else the chip's default (a stack infercost has never seen is predicted with those); undefined
   * for a profile without stacks, predicted with its own efficiency block.
   */
  readonly predictedWithStack?: string;
  /** The stated range of the prediction (the chip's interval for its stack), where it has one. */
  readonly statedLow?: number;
  readonly statedHigh?: number;
  /**
   * Section 11 (and 6.2): the row's throughput predicted with its estimated performance inputs at
   * their pessimistic ends (a cap's exponent 1, the collective latency's stated high) over the
   * nominal prediction (at most 1): the stated low end is lowered by it. Absent where none applies.
   */
  readonly estimateLowRatio?: number;
  /** The same at the optimistic ends (the latency's stated low), at least 1: it raises the high end. */
  readonly estimateHighRatio?: number;
}

/**
 * Section 11: throughput at each end of the row's estimated performance inputs over `nominal`;
 * an end with none, or where no deployment meets the limits there, is left undefined.
 */
function estimateRatios(
  c: MeasuredCase,
  efficiency: Efficiency,
  nominal: Prediction,
): { readonly low?: number; readonly high?: number } {
  const ends = estimatedInputEnds(c.accelerator, c.workload);
  // Each run's throughput over the nominal, where a deployment meets the limits there.
  const ratios = (runs: readonly (readonly [Accelerator, Workload])[]) =>
    runs.flatMap(([accelerator, workload]) => {
      const p = predictCase({ ...c, accelerator, workload }, efficiency);
      return p === undefined ? [] : [p.tokensPerSPerChip / nominal.tokensPerSPerChip];
    });
  const low = ratios(ends.pessimistic);
  const high = ratios(ends.optimistic);
  return {
    ...(low.length === 0 ? {} : { low: Math.min(1, ...low) }),
    ...(high.length === 0 ? {} : { high: Math.max(1, ...high) }),
  };
}

export function backtestCase(c: MeasuredCase, efficiency: Efficiency = profileEfficiency(c)): BacktestRow {
  const p = predictCase(c, efficiency);
  if (!p) {
    return {
      row: c.row,
      reason: 'the engine finds no deployment for this setup (does not fit, or misses the SLO)',
    };
  }
  const errorPct = (p.tokensPerSPerChip / c.measuredTokensPerSPerChip - 1) * 100;
  const iv = intervalLogFor(c.accelerator, c.workload.model);
  const ratios = estimateRatios(c, efficiency, p);
  const r = c.row;
  const power =
    r.system_power_w !== undefined && r.chips_in_system !== undefined
      ? (() => {
          const measured = (r.output_tokens_per_s_per_chip * r.chips_in_system) / r.system_power_w;
          const predicted = p.tokensPerSPerChip / p.systemWPerChip;
          return {
            measuredTokensPerJoule: measured,
            predictedTokensPerJoule: predicted,
            tokensPerJouleErrorPct: (predicted / measured - 1) * 100,
          };
        })()
      : {};
  const base = {
    ...power,
    row: c.row,
    prediction: p,
    errorPct,
    ...(c.accelerator.stack === undefined ? {} : { predictedWithStack: c.accelerator.stack }),
    ...(ratios.low === undefined ? {} : { estimateLowRatio: ratios.low }),
    ...(ratios.high === undefined ? {} : { estimateHighRatio: ratios.high }),
    ...(iv
      ? {
          statedLow: p.tokensPerSPerChip * Math.exp(iv[0]) * (ratios.low ?? 1),
          statedHigh: p.tokensPerSPerChip * Math.exp(iv[1]) * (ratios.high ?? 1),
        }
      : {}),
  };
  const ttftS = fixedConcurrencyTtftS(r);
  const ttft = ttftS === undefined ? {} : { ttftErrorPct: (p.ttftS / ttftS - 1) * 100 };
  return c.measuredTpotS === undefined
    ? { ...base, ...ttft }
    : { ...base, ...ttft, tpotErrorPct: (p.tpotS / c.measuredTpotS - 1) * 100 };
}

export type SummaryKind = 'accelerator' | 'stack' | 'all';

export interface ErrorSummary {
  readonly kind: SummaryKind;
  readonly group: string;
  readonly rows: number;
  readonly medianAbsErrorPct: number | null;
  /** Nearest-rank 90th percentile: the smallest |error| at or above 90% of the rows. */
  readonly p90AbsErrorPct: number | null;
  readonly maxAbsErrorPct: number | null;
}

/** Median of xs (mean of the middle two for an even count); null for none. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Nearest-rank percentile (p in 0..100] of xs. */
export function percentile(xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] as number;
}

export function summarize(
  group: string,
  rows: readonly BacktestRow[],
  kind: SummaryKind = 'all',
): ErrorSummary {
  const errors = rows.flatMap((r) => (r.errorPct === undefined ? [] : [Math.abs(r.errorPct)]));
  return {
    kind,
    group,
    rows: errors.length,
    medianAbsErrorPct: median(errors),
    p90AbsErrorPct: percentile(errors, 90),
    maxAbsErrorPct: errors.length === 0 ? null : Math.max(...errors),
  };
}

function by(
  rows: readonly BacktestRow[],
  kind: 'accelerator' | 'stack',
  key: (r: BacktestRow) => string,
): ErrorSummary[] {
  const ids = [...new Set(rows.map(key))].sort();
  return ids.map((id) =>
    summarize(
      id,
      rows.filter((r) => key(r) === id),
      kind,
    ),
  );
}

/** Per accelerator, per serving stack, overall, and overall on rows whose input length was published. */
export function summaries(rows: readonly BacktestRow[]): ErrorSummary[] {
  return [
    ...by(rows, 'accelerator', (r) => r.row.accelerator),
    ...by(rows, 'stack', (r) => r.row.stack ?? 'unknown'),
    summarize('all', rows),
    summarize(
      'all, known input length',
      rows.filter((r) => !r.row.input_assumed),
    ),
  ];
}
