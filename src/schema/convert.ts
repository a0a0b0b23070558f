// The one place file units (GB, TB/s, TFLOPS, ms, billions of parameters) become SI.
import { precisionOf } from '../engine/precision.js';
import {
  type Accelerator,
  COLLECTIVE_LATENCY,
  COMPUTE_FORMATS,
  type ComputeFormat,
  EFFICIENCY_FACTORS,
  type Efficiency,
  type EfficiencyFactor,
  type FitFactor,
  type KvAdmission,
  type Mechanisms,
  type Model,
  type Precision,
  type Workload,
} from '../engine/types.js';
import type { AcceleratorFile, StackEntry } from './accelerator.js';
import { type PrecisionSpec, parsePowerW, type Source } from './common.js';
import type { InlineModel } from './model.js';
import { WORKLOAD_DEFAULTS, type WorkloadFile } from './workload.js';

const GB = 1e9;
/** HBM capacity is binary: a 16/24/36 GiB stack. */
const GIB = 2 ** 30;
const TB = 1e12;
const TFLOPS = 1e12;
const BILLION = 1e9;
/**
 * A parameter count from billions as written: a count is whole, and 8.03 has no exact binary
 * form, so 8.03 * 1e9 alone is 8029999999.999999 and every byte count built on it carries the noise
 * (16059999999.999998 bytes of BF16 weights in the JSON until the forty-fifth session). At
 * least one parameter: the schema takes any positive figure, and a count rounded to 0 would not be.
 */
const paramsFromBillions = (b: number): number => Math.max(1, Math.round(b * BILLION));
const MS = 1e-3;
const US = 1e-6;

/** docs/model.md section 1: absent system power is `1.7 * tdp_w`, flagged as an estimate. */
export const SYSTEM_POWER_DEFAULT_FACTOR = 1.7;

const FILE_FACTOR: Readonly<Record<FitFactor, string>> = {
  etaMem: 'eta_mem',
  etaPrefill: 'eta_prefill',
  etaDecode: 'eta_decode',
  etaLink: 'eta_link',
  tStep0S: 't_step0_ms',
  collectiveLatencyS: 'collective_latency_us',
};

export function fileFactorName(f: FitFactor): string {
  return FILE_FACTOR[f];
}

function factorScale(f: FitFactor): number {
  return f === 'tStep0S' ? MS : f === COLLECTIVE_LATENCY ? US : 1;
}

/** A factor as a profile file states it: t_step0 in milliseconds, alpha in microseconds, the etas as they are. */
export function fileFactorValue(f: FitFactor, v: number): number {
  return v / factorScale(f);
}

/**
 * docs/model.md 3b.7: the serving stacks documented to admit sequences by what their KV cache
 * holds now (allocate as sequences grow, preempt when full): vLLM's scheduler, on GPUs and TPUs.
 * Every other stack reserves room for a request's whole output (TensorRT-LLM's default
 * GUARANTEED_NO_EVICT) or is not documented, and keeps the peak fit.
 */
const OCCUPANCY_ADMISSION_STACKS: ReadonlySet<string> = new Set(['vllm', 'vllm-tpu']);

/** 3b.7: how `stack` admits sequences against the KV cache. */
export function kvAdmissionOf(stack: string | undefined): KvAdmission {
  return stack !== undefined && OCCUPANCY_ADMISSION_STACKS.has(stack) ? 'occupancy' : 'reserve';
}

/**
 * docs/model.md 3a.14, 3a.15: the stacks whose attention kernels multiply at an FP8 KV cache's
 * format (TensorRT-LLM's attentionOp: `mFP8GenerationMLA = hasFp8KvCache()`, XQA's E4M3 math, FP8
 * context FMHA). No other stack's documents say so.
 */
const FP8_KV_ATTENTION_STACKS: ReadonlySet<string> = new Set(['trtllm']);

/**
 * What `stack`'s own kernels and scheduler do, whichever stack's factors predict it (3b.7, 3a.14, 3a.15).
 * Every trait is set, false included, so that spreading it over another stack's accelerator
 * replaces that stack's traits.
 */
export function stackTraitsOf(
  stack: string | undefined,
): Required<Pick<Accelerator, 'kvAdmission' | 'fp8KvAttention'>> {
  return {
    kvAdmission: kvAdmissionOf(stack),
    fp8KvAttention: stack !== undefined && FP8_KV_ATTENTION_STACKS.has(stack),
  };
}

/** The `stacks` entry of `stack`, else of the profile's default_stack, when the profile lists it. */
export function stackEntryOf(p: AcceleratorFile, stack?: string) {
  const name = stack ?? p.default_stack;
  return name !== undefined && p.stacks && Object.hasOwn(p.stacks, name)
    ? { name, entry: p.stacks[name] as NonNullable<AcceleratorFile['stacks']>[string] }
    : undefined;
}

/**
 * The engine's accelerator, with the factors of one serving stack: `stack`, else the profile's
 * default_stack, else the profile's `efficiency` block. A stack the profile does not list is
 * undefined here; the loader reports it.
 */
export function toAccelerator(p: AcceleratorFile, stack?: string): Accelerator {
  const name = stack ?? p.default_stack;
  const entry = stackEntryOf(p, stack)?.entry;
  const base = { ...baseAccelerator(p), ...stackTraitsOf(name) };
  if (!entry) return name === undefined ? base : { ...base, stack: name };
  const efficiency = fileEfficiency(entry.efficiency);
  const calibrated = {} as Record<EfficiencyFactor, boolean>;
  for (const f of EFFICIENCY_FACTORS) {
    const key = FILE_FACTOR[f] as keyof typeof entry.efficiency;
    calibrated[f] = entry.level === 'pair' && (entry.fitted ?? []).includes(key);
  }
  return {
    ...base,
    efficiency,
    calibrated,
    efficiencyRange: {},
    stack: name as string,
    stackLevel: entry.level,
    ...(entry.fitted_formats ? { fittedFormats: entry.fitted_formats } : {}),
    ...(entry.inputs_estimated ? { inputsEstimated: true } : {}),
    intervalLog: logInterval(entry.interval_pct),
    ...(entry.moe_interval_pct ? { moeIntervalLog: logInterval(entry.moe_interval_pct) } : {}),
    ...(entry.moe_across ? { moeAcrossEfficiency: fileEfficiency(entry.moe_across.efficiency) } : {}),
  };
}

/** A stack entry's factors in SI units (t_step0 in seconds). */
function fileEfficiency(e: StackEntry['efficiency']): Efficiency {
  const efficiency = {} as Record<EfficiencyFactor, number>;
  for (const f of EFFICIENCY_FACTORS)
    efficiency[f] = e[FILE_FACTOR[f] as Exclude<keyof typeof e, 'collective_latency_us'>] * factorScale(f);
  const alpha = e.collective_latency_us;
  return alpha === undefined ? efficiency : { ...efficiency, collectiveLatencyS: alpha * US };
}

/** A stated range in percent as log(measured / predicted) bounds (docs/model.md section 11). */
function logInterval(pct: { readonly low: number; readonly high: number }): readonly [number, number] {
  return [Math.log(1 + pct.low / 100), Math.log(1 + pct.high / 100)];
}

function baseAccelerator(p: AcceleratorFile): Accelerator {
  const flopsPerS: Partial<Record<ComputeFormat, number>> = {};
  for (const format of COMPUTE_FORMATS) {
    const tflops = p.compute_tflops[format];
    if (tflops !== undefined) flopsPerS[format] = tflops * TFLOPS;
  }
  const efficiency = {} as Record<EfficiencyFactor, number>;
  const calibrated = {} as Record<EfficiencyFactor, boolean>;
  const efficiencyRange: Partial<Record<EfficiencyFactor, readonly [number, number]>> = {};
  for (const f of EFFICIENCY_FACTORS) {
    const entry = p.efficiency[FILE_FACTOR[f] as keyof AcceleratorFile['efficiency']];
    const scale = factorScale(f);
    efficiency[f] = entry.value * scale;
    calibrated[f] = entry.status === 'calibrated';
    if (entry.status === 'assumed' && (entry.low !== undefined || entry.high !== undefined)) {
      efficiencyRange[f] = [(entry.low ?? entry.value) * scale, (entry.high ?? entry.value) * scale];
    }
  }
  const isEstimate = (path: string) => p.sources[path]?.kind === 'estimate';
  const systemW = p.power.system_w_per_chip;
  const tco = p.tco;
  const accelerator: Accelerator = {
    id: p.id,
    name: p.name,
    vendor: p.vendor,
    memCapacityBytes:
      p.memory.capacity_gib !== undefined ? p.memory.capacity_gib * GIB : (p.memory.capacity_gb ?? 0) * GB,
    memBandwidthBytesPerS: p.memory.bandwidth_tbps * TB,
    flopsPerS,
    domainChips: p.interconnect.domain_chips,
    linkBytesPerSPerDirection: p.interconnect.link_gbps_per_direction * GB,
    collectiveLatencyS: p.interconnect.latency_us * US,
    ...(p.interconnect.scale_out_gbps_per_direction === undefined
      ? {}
      : { scaleOutBytesPerSPerDirection: p.interconnect.scale_out_gbps_per_direction * GB }),
    ...(p.interconnect.torus_dims === undefined ? {} : { torusDims: p.interconnect.torus_dims }),
    tdpW: p.power.tdp_w,
    systemWPerChip: systemW ?? SYSTEM_POWER_DEFAULT_FACTOR * p.power.tdp_w,
    prices: (p.prices ?? []).map((q) => ({
      plan: q.plan,
      basis: q.basis,
      usdPerChipHour: q.usd_per_chip_hour,
      asOf: q.as_of,
      provider: q.provider,
      region: q.region,
      isEstimate: q.kind === 'estimate',
      source: q.source,
      ...(q.low_usd_per_chip_hour !== undefined && q.high_usd_per_chip_hour !== undefined
        ? { usdPerChipHourRange: [q.low_usd_per_chip_hour, q.high_usd_per_chip_hour] as const }
        : {}),
    })),
    efficiency,
    calibrated,
    powerIsEstimate: {
      tdp: isEstimate('power.tdp_w'),
      system: systemW === undefined || isEstimate('power.system_w_per_chip') || isEstimate('power.tdp_w'),
    },
  };
  const power = powerRange(p);
  // Section 11: an estimated collective latency's stated low and high widen the range.
  const alphaUs = statedRange(p.sources['interconnect.latency_us'], p.interconnect.latency_us);
  const withAlpha =
    alphaUs[0] === alphaUs[1]
      ? accelerator
      : { ...accelerator, collectiveLatencyRangeS: [alphaUs[0] * US, alphaUs[1] * US] as const };
  const withPower = power ? { ...withAlpha, powerRangeW: power } : withAlpha;
  const withRange = Object.keys(efficiencyRange).length > 0 ? { ...withPower, efficiencyRange } : withPower;
  if (!tco) return withRange;
  const capex = p.sources['tco.capex_usd_per_chip'];
  return {
    ...withRange,
    tco: {
      capexUsdPerChip: tco.capex_usd_per_chip,
      ...(capex?.low !== undefined && capex.high !== undefined
        ? { capexRange: statedRange(capex, tco.capex_usd_per_chip) }
        : {}),
      amortizationYears: tco.amortization_years,
      opexFractionPerYear: tco.opex_fraction_per_year,
      isEstimate: ['capex_usd_per_chip', 'amortization_years', 'opex_fraction_per_year'].some((k) =>
        isEstimate(`tco.${k}`),
      ),
    },
  };
}

/**
 * The power range that estimated figures allow (docs/model.md section 11): the TDP's stated low
 * and high; system power from its own estimate's range, or, where it is derived from the TDP
 * (1.7 x TDP), the same multiple of the TDP's range. Undefined when no power figure is estimated.
 */
function powerRange(p: AcceleratorFile): Accelerator['powerRangeW'] {
  const tdpRange = statedRange(p.sources['power.tdp_w'], p.power.tdp_w);
  const systemW = p.power.system_w_per_chip;
  const systemRange: readonly [number, number] =
    systemW === undefined
      ? [SYSTEM_POWER_DEFAULT_FACTOR * tdpRange[0], SYSTEM_POWER_DEFAULT_FACTOR * tdpRange[1]]
      : statedRange(p.sources['power.system_w_per_chip'], systemW);
  const spans = (r: readonly [number, number]) => r[0] !== r[1];
  return spans(tdpRange) || spans(systemRange) ? { tdpW: tdpRange, systemWPerChip: systemRange } : undefined;
}

/** The low and high a field's source states, or the value alone when it states none. */
function statedRange(entry: Source | undefined, value: number): readonly [number, number] {
  return entry?.low !== undefined && entry.high !== undefined ? [entry.low, entry.high] : [value, value];
}

export function toPrecision(spec: PrecisionSpec): Precision {
  return typeof spec === 'string' ? precisionOf(spec) : precisionOf(spec.format, spec.bits);
}

export function toModel(m: InlineModel, fallbackId: string): Model {
  const model: Model = {
    id: m.id ?? fallbackId,
    name: m.name,
    paramsTotal: paramsFromBillions(m.params.total_b),
    paramsActive: paramsFromBillions(m.params.active_b),
    layers: m.layers,
    hidden: m.hidden_size,
    heads: m.heads,
    headDim: m.head_dim,
    precision: {
      weights: toPrecision(m.precision.weights),
      activations: toPrecision(m.precision.activations),
      kvCache: toPrecision(m.precision.kv_cache),
      ...(m.precision.experts === undefined ? {} : { experts: toPrecision(m.precision.experts) }),
    },
  };
  return {
    ...model,
    ...(m.kv_heads === undefined ? {} : { kvHeads: m.kv_heads }),
    ...(m.qk_head_dim === undefined ? {} : { qkHeadDim: m.qk_head_dim }),
    ...(m.vocab_size === undefined ? {} : { vocabSize: m.vocab_size }),
    ...(m.tied_embeddings === undefined ? {} : { tiedEmbeddings: m.tied_embeddings }),
    ...(m.sliding_window
      ? { sliding: { layers: m.sliding_window.layers, windowTokens: m.sliding_window.window_tokens } }
      : {}),
    ...(m.linear_attention
      ? {
          linear: {
            layers: m.linear_attention.layers,
            keyHeads: m.linear_attention.key_heads,
            valueHeads: m.linear_attention.value_heads,
            keyHeadDim: m.linear_attention.key_head_dim,
            valueHeadDim: m.linear_attention.value_head_dim,
            convKernel: m.linear_attention.conv_kernel,
          },
        }
      : {}),
    ...(m.mla ? { mla: { kvLoraRank: m.mla.kv_lora_rank, ropeHeadDim: m.mla.rope_head_dim } } : {}),
    ...(m.moe
      ? {
          moe: {
            experts: m.moe.experts,
            expertsPerToken: m.moe.experts_per_token,
            expertParams: paramsFromBillions(m.moe.expert_params_b),
          },
        }
      : {}),
  };
}

/** The engine corrections switched on: the file's choices over the defaults. */
export function toMechanisms(m?: WorkloadFile['mechanisms']): Mechanisms {
  const d = WORKLOAD_DEFAULTS.mechanisms;
  return {
    perOperatorRoofline: m?.per_operator_roofline ?? d.per_operator_roofline,
    prefillMemory: m?.prefill_memory ?? d.prefill_memory,
    allReduceBf16: m?.all_reduce_bf16 ?? d.all_reduce_bf16,
    embeddingLookup: m?.embedding_lookup ?? d.embedding_lookup,
    attentionBf16: m?.attention_bf16 ?? d.attention_bf16,
    mlaAbsorbed: m?.mla_absorbed ?? d.mla_absorbed,
    steadyStateKv: m?.steady_state_kv ?? d.steady_state_kv,
    chunkedPrefill: m?.chunked_prefill ?? d.chunked_prefill,
    dpAttention: m?.dp_attention ?? d.dp_attention,
    perLayerOverhead: m?.per_layer_overhead ?? d.per_layer_overhead,
    powerUnderLoad: m?.power_under_load ?? d.power_under_load,
    benchBatchCap: m?.bench_batch_cap ?? d.bench_batch_cap,
    statedBatchCap: m?.stated_batch_cap ?? d.stated_batch_cap,
    finiteRequests: m?.finite_requests ?? d.finite_requests,
    percentileLimits: m?.percentile_limits ?? d.percentile_limits,
    latentInput: m?.latent_input ?? d.latent_input,
    latentPairs: m?.latent_pairs ?? d.latent_pairs,
    robustFit: m?.robust_fit ?? d.robust_fit,
    sourceWeightedFit: m?.source_weighted_fit ?? d.source_weighted_fit,
    formatPairs: m?.format_pairs ?? d.format_pairs,
    kindBands: m?.kind_bands ?? d.kind_bands,
    unmeasuredBands: m?.unmeasured_bands ?? d.unmeasured_bands,
    expertParallel: m?.expert_parallel ?? d.expert_parallel,
    disaggregation: m?.disaggregation ?? d.disaggregation,
    expertGemmTiles: m?.expert_gemm_tiles ?? d.expert_gemm_tiles,
    pipelineParallel: m?.pipeline_parallel ?? d.pipeline_parallel,
    torusCollectives: m?.torus_collectives ?? d.torus_collectives,
    attentionEfficiency: m?.attention_efficiency ?? d.attention_efficiency,
    gemmFormats: m?.gemm_formats ?? d.gemm_formats,
    oneGemmEfficiency: m?.one_gemm_efficiency ?? d.one_gemm_efficiency,
    softRoofline: m?.soft_roofline ?? d.soft_roofline,
    expertEfficiency: m?.expert_efficiency ?? d.expert_efficiency,
    prefillPower: m?.prefill_power ?? d.prefill_power,
    powerCappedClock: m?.power_capped_clock ?? d.power_capped_clock,
    stackKvAdmission: m?.stack_kv_admission ?? d.stack_kv_admission,
    fp8MlaDecode: m?.fp8_mla_decode ?? d.fp8_mla_decode,
    fp8Attention: m?.fp8_attention ?? d.fp8_attention,
    kvReadsAtMem: m?.kv_reads_at_mem ?? d.kv_reads_at_mem,
    ttftFit: m?.ttft_fit ?? d.ttft_fit,
    collectiveLatencyFit: m?.collective_latency_fit ?? d.collective_latency_fit,
    layoutPairs: m?.layout_pairs ?? d.layout_pairs,
  };
}

/** A mechanism's file name from the engine's (`powerCappedClock` -> `power_capped_clock`). */
export function mechanismFileName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * The workload's settings that move the answer and that a result's workload block has no field
 * for, as the file writes them (`site.power_cap_w=500`, `mechanisms.expert_parallel=true`,
 * `efficiency.eta_mem=0.7`): what `diff` and a relative check compare beside the fields. A
 * mechanism or deployment figure at its default is left out.
 */
export function workloadSettings(w: Workload): string[] {
  const out: string[] = [];
  if (w.site.powerCapW !== undefined) out.push(`site.power_cap_w=${w.site.powerCapW}`);
  if (w.replicaChips !== undefined) out.push(`deployment.replica_chips=[${w.replicaChips.join(',')}]`);
  if (w.fixedBatch !== undefined) out.push(`deployment.batch=${w.fixedBatch}`);
  if (w.maxBatch !== undefined) out.push(`deployment.max_batch=${w.maxBatch}`);
  if (w.parallelism !== undefined) out.push(`deployment.parallelism=${w.parallelism}`);
  if (w.memoryUsableFraction !== WORKLOAD_DEFAULTS.memoryUsableFraction)
    out.push(`deployment.memory_usable_fraction=${w.memoryUsableFraction}`);
  if (w.chunkTokens !== WORKLOAD_DEFAULTS.chunkTokens) out.push(`deployment.chunk_tokens=${w.chunkTokens}`);
  for (const f of EFFICIENCY_FACTORS) {
    const v = w.efficiencyOverrides[f];
    if (v !== undefined) out.push(`efficiency.${FILE_FACTOR[f]}=${fileFactorValue(f, v)}`);
  }
  const defaults: Readonly<Record<string, boolean>> = WORKLOAD_DEFAULTS.mechanisms;
  for (const [key, on] of Object.entries(w.mechanisms)) {
    const name = mechanismFileName(key);
    if (on !== defaults[name]) out.push(`mechanisms.${name}=${on}`);
  }
  return out;
}

/** What a setting `workloadSettings` leaves out reads as: its default, or `none` where it has none. */
export function workloadSettingDefault(path: string): string {
  const defaults: Readonly<Record<string, boolean>> = WORKLOAD_DEFAULTS.mechanisms;
  const [head, name = ''] = path.split('.');
  if (head === 'mechanisms' && Object.hasOwn(defaults, name)) return String(defaults[name]);
  if (path === 'deployment.memory_usable_fraction') return String(WORKLOAD_DEFAULTS.memoryUsableFraction);
  if (path === 'deployment.chunk_tokens') return String(WORKLOAD_DEFAULTS.chunkTokens);
  return 'none';
}

/** Builds the engine's workload; `model` is the resolved model (bundled or inline). */
export function toWorkload(w: WorkloadFile, model: Model, fallbackName: string, draft?: Model): Workload {
  const p = w.precision;
  const precision = {
    weights: p?.weights ? toPrecision(p.weights) : model.precision.weights,
    activations: p?.activations ? toPrecision(p.activations) : model.precision.activations,
    kvCache: p?.kv_cache ? toPrecision(p.kv_cache) : model.precision.kvCache,
    ...(p?.attention ? { attention: toPrecision(p.attention) } : {}),
    ...(p?.experts
      ? { experts: toPrecision(p.experts) }
      : model.precision.experts
        ? { experts: model.precision.experts }
        : {}),
  };

  const overrides: Partial<Record<EfficiencyFactor, number>> = {};
  for (const f of EFFICIENCY_FACTORS) {
    const v = w.efficiency?.[FILE_FACTOR[f] as keyof NonNullable<WorkloadFile['efficiency']>];
    if (v !== undefined) overrides[f] = v * factorScale(f);
  }
  const slo = {
    ...(w.slo?.ttft_ms === undefined ? {} : { ttftS: w.slo.ttft_ms * MS }),
    ...(w.slo?.tpot_ms === undefined ? {} : { tpotS: w.slo.tpot_ms * MS }),
  };
  const d = w.deployment;
  return {
    name: w.name ?? fallbackName,
    model: { ...model, precision },
    inputTokens: w.input_tokens,
    outputTokens: w.output_tokens,
    cachedInputFraction: w.cached_input_fraction ?? 0,
    slo,
    utilization: w.utilization ?? WORKLOAD_DEFAULTS.utilization,
    plan: w.pricing?.plan ?? WORKLOAD_DEFAULTS.plan,
    basis: w.pricing?.basis ?? WORKLOAD_DEFAULTS.basis,
    site: {
      pue: w.site?.pue ?? WORKLOAD_DEFAULTS.pue,
      usdPerKwh: w.site?.usd_per_kwh ?? WORKLOAD_DEFAULTS.usdPerKwh,
      ...(w.site?.power_cap_w === undefined ? {} : { powerCapW: w.site.power_cap_w }),
    },
    memoryUsableFraction: d?.memory_usable_fraction ?? WORKLOAD_DEFAULTS.memoryUsableFraction,
    chunkTokens: d?.chunk_tokens ?? WORKLOAD_DEFAULTS.chunkTokens,
    efficiencyOverrides: overrides as Partial<Efficiency>,
    mechanisms: toMechanisms(w.mechanisms),
    powerModel: WORKLOAD_DEFAULTS.powerModel,
    ...(w.pricing?.provider === undefined ? {} : { provider: w.pricing.provider }),
    ...(w.demand
      ? {
          outputTokensPerDay:
            w.demand.output_tokens_per_day ?? (w.demand.requests_per_s ?? 0) * w.output_tokens * 86_400,
        }
      : {}),
    ...(w.power_budget === undefined ? {} : { powerBudgetW: parsePowerW(w.power_budget) as number }),
    ...(d?.replica_chips ? { replicaChips: d.replica_chips } : {}),
    ...(d?.batch === undefined ? {} : { fixedBatch: d.batch }),
    ...(d?.max_batch === undefined ? {} : { maxBatch: d.max_batch }),
    ...(d?.parallelism === undefined ? {} : { parallelism: d.parallelism }),
    ...(w.speculative && draft
      ? { speculative: { draft, tokens: w.speculative.tokens, acceptance: w.speculative.acceptance } }
      : {}),
  };
}
