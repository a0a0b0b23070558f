// The versioned JSON result: the data model every format renders.
import type { ComparedEvaluation, Comparison, DeploymentInfo, Evaluation } from '../engine/evaluate.js';
import type { ParetoPoint } from '../engine/pareto.js';
import { tokensPerIteration } from '../engine/replica.js';
import { EFFICIENCY_FACTORS, type Workload } from '../engine/types.js';
import { fileFactorName, fileFactorValue, workloadSettings } from '../schema/convert.js';
import {
  COMPARED_METRICS,
  METRIC_GETTERS,
  metricValue,
  RANGED_METRICS,
  rangeValue,
  versusMetric,
} from '../schema/metrics.js';
import {
  type AcceleratorResult,
  METRIC_KEYS,
  type MetricKey,
  type MixResult,
  RESULT_SCHEMA_VERSION,
  type ResultDoc,
  type WorkloadResult,
} from '../schema/result.js';
import { failureText, precisionName, warningText } from './words.js';

function bandOf(lowEnd: number | null, expected: number | null, highEnd: number | null) {
  if (lowEnd === null || highEnd === null) return { low: lowEnd, expected, high: highEnd };
  return { low: Math.min(lowEnd, highEnd), expected, high: Math.max(lowEnd, highEnd) };
}

function rangesOf(c: ComparedEvaluation, m: Record<MetricKey, number | null>): AcceleratorResult['ranges'] {
  const r = c.range;
  if (!r) return null;
  const bands = {} as NonNullable<AcceleratorResult['ranges']>;
  for (const k of RANGED_METRICS) bands[k] = bandOf(rangeValue(r.low, k), m[k], rangeValue(r.high, k));
  return bands;
}

function status(e: Evaluation): AcceleratorResult['status'] {
  switch (e.failure?.code) {
    case undefined:
      return 'ok';
    case 'DOES_NOT_FIT':
      return 'does_not_fit';
    case 'SLO_UNMET':
      return 'cannot_meet_slo';
    case 'NO_MATRIX_UNIT':
      return 'no_matrix_unit';
  }
}

export function metricsOf(e: Evaluation): Record<MetricKey, number | null> {
  const out = {} as Record<MetricKey, number | null>;
  for (const k of METRIC_KEYS) out[k] = metricValue(e, k);
  return out;
}

export function acceleratorResult(c: ComparedEvaluation, pareto: readonly ParetoPoint[]): AcceleratorResult {
  const e = c.evaluation;
  const d = e.deployment;
  const efficiency: AcceleratorResult['efficiency'] = {};
  for (const f of EFFICIENCY_FACTORS) {
    efficiency[fileFactorName(f)] = {
      value: fileFactorValue(f, e.efficiency[f]),
      calibrated: e.calibrated[f],
    };
  }
  const vs = c.vsBaseline;
  const metrics = metricsOf(e);
  return {
    id: e.acceleratorId,
    name: e.acceleratorName,
    stack:
      e.stack === undefined
        ? null
        : {
            name: e.stack,
            level: e.stackLevel ?? 'profile',
            ...(e.layoutFit ? { moe_across: true as const } : {}),
          },
    status: status(e),
    reason: e.failure ? failureText(e.failure) : null,
    deployment: d
      ? {
          chips: d.chips,
          batch: d.batch,
          max_batch: d.maxBatch,
          compute_precision: d.computeFormat,
          weights_precision: precisionName(d.weights),
          weights_bits: d.weights.bits,
          kv_cache_precision: precisionName(d.kvCache),
          weight_bytes: d.weightBytes,
          kv_bytes_per_token_replica: d.kvBytesPerTokenReplica,
          parallelism: parallelismJson(d),
          bound: d.bound,
          prefill_s: d.prefillS,
          decode_step_s: d.step.totalS,
          decode_memory_s: d.step.memoryS,
          decode_compute_s: d.step.computeS,
          decode_comm_s: d.step.commS,
          decode_overhead_s: d.step.overheadS,
        }
      : null,
    metrics,
    price: e.cost
      ? {
          plan: e.cost.plan,
          usd_per_chip_hour: e.cost.usdPerChipHour,
          as_of: e.cost.asOf ?? null,
          provider: e.cost.provider ?? null,
          basis: e.cost.basis,
          region: e.cost.region ?? null,
          is_estimate: e.cost.isEstimate,
          ...(e.cost.source ? { source: e.cost.source } : {}),
        }
      : null,
    vs_baseline: vs
      ? {
          baseline: vs.baselineId,
          metrics: Object.fromEntries(
            COMPARED_METRICS.flatMap((k) => {
              const r = versusMetric(e, vs.baseline, k);
              return r ? [[k, { ratio: r.ratio, percent: r.percent, better: r.better }]] : [];
            }),
          ),
          break_even_usd_per_chip_hour: vs.breakEvenUsdPerChipHour ?? null,
        }
      : null,
    ranges: rangesOf(c, metrics),
    efficiency,
    fleet: e.fleet
      ? {
          sized_for: e.fleet.sizedFor,
          chips: e.fleet.chips,
          replicas: e.fleet.replicas,
          facility_w: e.fleet.facilityW,
          output_tokens_per_day: e.fleet.outputTokensPerDay,
          usd_per_year: e.fleet.usdPerYear ?? null,
        }
      : null,
    warnings: e.warnings.map((w) => ({ ...w, message: warningText(w) })),
    pareto: pareto.map((p) => ({
      chips: p.chips,
      batch: p.batch,
      interactivity_tokens_per_s: p.interactivity,
      output_tokens_per_s_per_chip: p.outputTokensPerSPerChip,
    })),
  };
}

export interface WorkloadContext {
  readonly workload: Workload;
  readonly file: string;
  readonly modelId: string;
  readonly overrides: readonly string[];
}

export function workloadResult(
  ctx: WorkloadContext,
  comparison: Comparison,
  paretoOf: (id: string) => readonly ParetoPoint[],
): WorkloadResult {
  const w = ctx.workload;
  return {
    workload: {
      name: w.name,
      file: ctx.file,
      model_id: ctx.modelId,
      model_name: w.model.name,
      input_tokens: w.inputTokens,
      output_tokens: w.outputTokens,
      cached_input_fraction: w.cachedInputFraction,
      ttft_limit_s: w.slo.ttftS ?? null,
      tpot_limit_s: w.slo.tpotS ?? null,
      utilization: w.utilization,
      plan: w.plan,
      price_basis: w.plan === 'tco' ? 'tco' : w.basis,
      provider: w.provider ?? null,
      pue: w.site.pue,
      usd_per_kwh: w.site.usdPerKwh,
      demand_output_tokens_per_day: w.outputTokensPerDay ?? null,
      power_budget_w: w.powerBudgetW ?? null,
      ...(w.speculative
        ? {
            speculative: {
              draft_model_id: w.speculative.draft.id,
              tokens: w.speculative.tokens,
              acceptance: w.speculative.acceptance,
              tokens_per_iteration: tokensPerIteration(w.speculative.tokens, w.speculative.acceptance),
            },
          }
        : {}),
      weights_precision: precisionName(w.model.precision.weights),
      activations_precision: precisionName(w.model.precision.activations),
      kv_cache_precision: precisionName(w.model.precision.kvCache),
      overrides: [...ctx.overrides],
      settings: workloadSettings(w),
    },
    baseline: comparison.baselineId,
    accelerators: comparison.evaluations.map((c) =>
      acceleratorResult(c, paretoOf(c.evaluation.acceleratorId)),
    ),
  };
}

export function resultDoc(
  results: readonly WorkloadResult[],
  version: string,
  mixes: readonly MixResult[] = [],
): ResultDoc {
  const doc: ResultDoc = {
    schema_version: RESULT_SCHEMA_VERSION,
    tool: { name: 'infercost', version },
    results: [...results],
  };
  return mixes.length === 0 ? doc : { ...doc, mixes: [...mixes] };
}

/** How the chips share the model (docs/model.md 3d, 3e): the layout of one (decode) replica, and the pools. */
function parallelismJson(
  d: DeploymentInfo,
): NonNullable<NonNullable<AcceleratorResult['deployment']>['parallelism']> {
  const split = d.disaggregated;
  const groupChips = split ? split.decodeChips : d.stageChips;
  return {
    layout: d.parallelism,
    tp: d.parallelism === 'tp' ? groupChips : 1,
    ep: d.parallelism === 'ep' ? groupChips : 1,
    pp: d.stages,
    data_parallel_attention: d.dataParallelAttention,
    disaggregated: split !== undefined,
    ...(split
      ? {
          prefill: {
            chips: split.prefillChips,
            replicas: split.prefillReplicas,
            prefill_s: split.prefillS,
            kv_transfer_s: split.transferS,
          },
          decode: { chips: split.decodeChips, replicas: split.decodeReplicas },
        }
      : {}),
  };
}

/**
 * The CSV_COLUMNS cells of one evaluation (after any `leading` cells), built straight from it: what
 * `csvRow(workload, baseline, acceleratorResult(c, []))` gives, without building the whole
 * result object (a sweep writes millions of rows; a test holds the two equal).
 */
export function flatRow(
  c: ComparedEvaluation,
  workloadName: string,
  baseline: string,
  leading: readonly (string | number)[] = [],
): (string | number | boolean | null)[] {
  const e = c.evaluation;
  const d = e.deployment;
  const vs = c.vsBaseline;
  // `leading` (a sweep's swept values) first, in the same array: one allocation per row.
  const cells: (string | number | boolean | null)[] = [
    ...leading,
    workloadName,
    e.acceleratorId,
    e.acceleratorName,
    status(e),
    d?.chips ?? null,
    d?.batch ?? null,
    d?.computeFormat ?? null,
    d ? precisionName(d.weights) : null,
  ];
  for (const of of METRIC_GETTERS) cells.push(of(e) ?? null);
  cells.push(
    vs ? baseline : null,
    vs ? (versusMetric(e, vs.baseline, 'output_tokens_per_usd')?.ratio ?? null) : null,
    vs ? (versusMetric(e, vs.baseline, 'tokens_per_joule_output')?.ratio ?? null) : null,
    vs?.breakEvenUsdPerChipHour ?? null,
    e.cost?.plan ?? null,
    e.cost?.provider ?? null,
    e.cost?.asOf ?? null,
    e.cost?.isEstimate ?? null,
    e.failure ? failureText(e.failure) : null,
    e.warnings.map(warningText).join('; '),
    e.fleet?.sizedFor ?? null,
    e.fleet?.chips ?? null,
    e.fleet?.facilityW ?? null,
    e.fleet?.outputTokensPerDay ?? null,
    e.fleet?.usdPerYear ?? null,
  );
  return cells;
}
