// Validated, SI-unit inputs of the engine (docs/model.md section 1). Loaders build these;
// nothing in src/engine/ ever sees GB, TB/s, TFLOPS, ms or $/kWh-per-hour mixtures.

/** Formats a matrix unit can run (docs/model.md section 2). */
export const COMPUTE_FORMATS = ['fp4', 'fp6', 'fp8', 'int8', 'bf16', 'fp16', 'fp32'] as const;
export type ComputeFormat = (typeof COMPUTE_FORMATS)[number];

/** Storage formats: every compute format plus int4 (weight-only quantisation). */
export const NUMBER_FORMATS = [...COMPUTE_FORMATS, 'int4'] as const;
export type NumberFormat = (typeof NUMBER_FORMATS)[number];

/** A number format and its storage width; block-scaled formats carry their real width (NVFP4 4.5). */
export interface Precision {
  readonly format: NumberFormat;
  readonly bits: number;
}

export interface ModelPrecision {
  readonly weights: Precision;
  readonly activations: Precision;
  readonly kvCache: Precision;
  /** Format the attention matmuls run in; absent: BF16 (or the activations', see Mechanisms). */
  readonly attention?: Precision;
  /** The routed experts' format where it differs from `weights` (gpt-oss: MXFP4 experts, BF16 rest). */
  readonly experts?: Precision;
}

/**
 * Corrections of docs/model.md section 3a, each a switch so that its effect on the backtest can
 * be measured alone; docs/accuracy.md says which are on by default and why.
 */
export interface Mechanisms {
  /** 3a.1 `t_step = max(t_w, t_gemm) + max(t_kv, t_attn) + ...` instead of one max over the step. */
  readonly perOperatorRoofline: boolean;
  /** 3a.2 Prefill reads the weights (experts covered by the prompt's tokens): a memory term. */
  readonly prefillMemory: boolean;
  /** 3a.3 Tensor-parallel partial sums are reduced in BF16 (2 B) even for FP8 activations. */
  readonly allReduceBf16: boolean;
  /** 3a.4 The input embedding is a lookup, and prefill runs the LM head for the last token only. */
  readonly embeddingLookup: boolean;
  /** 3a.5 Attention runs at the BF16 rate unless the workload sets `precision.attention`. */
  readonly attentionBf16: boolean;
  /** 3a.6 MLA decode with weight absorption: attention over the latent, `2*heads*(2*r + rope)` per token. */
  readonly mlaAbsorbed: boolean;
  /** 3b.1 Memory fit at the steady-state mean context `1.1 * (I + O/2)` instead of the peak `I + O`. */
  readonly steadyStateKv: boolean;
  /** 3b.2 Iterations carry decode tokens and prefill chunks: prefill compute shares the step's roofline. */
  readonly chunkedPrefill: boolean;
  /** 3b.3 Data-parallel attention: each chip holds its own sequences' KV, never a replica of it. */
  readonly dpAttention: boolean;
  /** 3b.4 The step overhead scales with depth: `t_step0 * layers / 80` (t_step0 as for an 80-layer model). */
  readonly perLayerOverhead: boolean;
  /** 6.1 Power at the operating point (idle plus a share driven by activity) instead of nameplate. */
  readonly powerUnderLoad: boolean;
  /** 3b.5 Backtest only: a trtllm-bench row's batch is at most the max_batch_size trtllm-bench set. */
  readonly benchBatchCap: boolean;
  /** 3b.5 Backtest only: a row's batch is at most the server cap its source states (`max_batch`). */
  readonly statedBatchCap: boolean;
  /** 3b.8 Backtest only: a row's run of `requests` requests, queued at once, drains in waves. */
  readonly finiteRequests: boolean;
  /** 3b.6: an MLPerf row's p99 latency limits held as means (backtest and calibrate only). */
  readonly percentileLimits: boolean;
  /** 12b Backtest only: a row with an assumed input runs at its dataset's estimated mean input. */
  readonly latentInput: boolean;
  /** 12c Backtest and calibrate only: a (chip, stack) pair with no published-input rows is fitted on its rows at their datasets' estimates. */
  readonly latentPairs: boolean;
  /** 12a Backtest and calibrate only: the hierarchy's fits weigh log errors by a pseudo-Huber loss, not squares. */
  readonly robustFit: boolean;
  /** 12a Backtest and calibrate only: each source's rows share one source's weight in the hierarchy's fits. */
  readonly sourceWeightedFit: boolean;
  /** 12a Backtest and calibrate only: a pair measured in several matrix formats is fitted per format. */
  readonly formatPairs: boolean;
  /** 11 Backtest and calibrate only: each model kind's interval is widened to its own held-out residuals. */
  readonly kindBands: boolean;
  /** 11 Backtest and calibrate only: a chip with no rows on a stack states at least the chip-left-out rows' band. */
  readonly unmeasuredBands: boolean;
  /** 3d MoE models may run expert-parallel: DP attention, experts spread, all-to-all traffic. */
  readonly expertParallel: boolean;
  /** 3e The search may split prefill and decode into separate pools. */
  readonly disaggregation: boolean;
  /** 3a.7 Each expert an MoE step touches costs at least one GEMM tile of rows. */
  readonly expertGemmTiles: boolean;
  /** 3a.8 Attention (KV reads, attention FLOPs) runs at `ATTENTION_EFFICIENCY_RATIO` of its factor. */
  readonly attentionEfficiency: boolean;
  /** 3a.9 Each GEMM at the wider of its weights' and the activations' formats. */
  readonly gemmFormats: boolean;
  /** 3a.10 Decode GEMMs run at eta_prefill, the matrix kernels' one efficiency; eta_decode keeps decode attention. */
  readonly oneGemmEfficiency: boolean;
  /** 3a.11 The decode roofline joins bandwidth and compute time by `hypot`, not `max`. */
  readonly softRoofline: boolean;
  /** 3a.12 The routed experts' GEMMs run at `EXPERT_EFFICIENCY_RATIO` of their factor. */
  readonly expertEfficiency: boolean;
  /** 6.1 Power's activity includes the prefill time that falls to each step, at eta_prefill. */
  readonly prefillPower: boolean;
  /** 6.2 A power cap below TDP lowers the matrix units' clock by `(cap / tdp)^(1/3)`. */
  readonly powerCappedClock: boolean;
  /** 3b.7 Stacks that admit by occupancy (vLLM) fit at the steady-state context; the rest at the peak. */
  readonly stackKvAdmission: boolean;
  /** 3a.13 The KV cache read runs at eta_mem; 3a.8's ratio slows the attention FLOPs only. */
  readonly kvReadsAtMem: boolean;
  /** 3a.14 MLA decode attention at the FP8 rate where the KV cache is FP8 and the stack's kernel runs so. */
  readonly fp8MlaDecode: boolean;
  /** 3a.15 On such a stack every decode attention, and an FP8/FP4 checkpoint's prefill attention, at the FP8 rate. */
  readonly fp8Attention: boolean;
  /** 12a Backtest and calibrate only: a row's TTFT at a fixed concurrency joins its fit, as TPOT does. */
  readonly ttftFit: boolean;
  /**
   * 12a The fits search the per-collective latency `alpha` where their rows span chips, and section
   * 3 charges the fitted `alpha` (`Efficiency.collectiveLatencyS`) instead of the profile's.
   */
  readonly collectiveLatencyFit: boolean;
  /**
   * 12a An MoE model on more than one chip runs at its pair's fit on such deployments
   * (`Accelerator.moeAcrossEfficiency`, a row of that class in backtest: `layoutFitApplies`).
   */
  readonly layoutPairs: boolean;
  /** 3f The search may pipeline a replica across domains (chips with a scale-out figure). */
  readonly pipelineParallel: boolean;
  /** 3g All-reduces on a torus fabric run dimension by dimension over each dimension's ports. */
  readonly torusCollectives: boolean;
}

/** How a replica's chips share the model (docs/model.md sections 3 and 3d). */
export type Parallelism = 'tp' | 'ep';

export interface Model {
  readonly id: string;
  readonly name: string;
  readonly paramsTotal: number;
  readonly paramsActive: number;
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  /** Value head width (and query/key width unless `qkHeadDim` is given). */
  readonly headDim: number;
  /** Query/key head width where it differs from the value's (DeepSeek MLA: 192 vs 128). */
  readonly qkHeadDim?: number;
  /** Vocabulary size: the embedding and LM head are `vocab * hidden` each. */
  readonly vocabSize?: number;
  /** One matrix serves as embedding and LM head (counted once in the parameters). */
  readonly tiedEmbeddings?: boolean;
  /** Layers with sliding-window attention and their window (gpt-oss: 18 of 36 at 128 tokens). */
  readonly sliding?: { readonly layers: number; readonly windowTokens: number };
  /** Linear-attention (Gated DeltaNet) layers: a fixed state per sequence, no KV (section 2). */
  readonly linear?: {
    readonly layers: number;
    readonly keyHeads: number;
    readonly valueHeads: number;
    readonly keyHeadDim: number;
    readonly valueHeadDim: number;
    readonly convKernel: number;
  };
  /** GQA/MHA only; MLA models have none. */
  readonly kvHeads?: number;
  readonly mla?: { readonly kvLoraRank: number; readonly ropeHeadDim: number };
  readonly moe?: {
    readonly experts: number;
    readonly expertsPerToken: number;
    readonly expertParams: number;
  };
  readonly precision: ModelPrecision;
}

export const PLANS = ['on_demand', 'reserved_1y', 'reserved_3y', 'spot', 'tco'] as const;
export type Plan = (typeof PLANS)[number];
export type CloudPlan = Exclude<Plan, 'tco'>;

export type PriceBasis = 'hyperscaler' | 'neocloud' | 'marketplace' | 'user';

export interface PriceQuote {
  readonly plan: CloudPlan;
  readonly basis: PriceBasis;
  readonly usdPerChipHour: number;
  readonly asOf: string;
  readonly provider: string;
  readonly region: string;
  readonly isEstimate: boolean;
  /** An estimate's lowest and highest price (docs/model.md section 11). */
  readonly usdPerChipHourRange?: readonly [number, number] | undefined;
  /** Where the quote was read (a URL or a note); shown on hover in the report. */
  readonly source?: string | undefined;
}

export interface TcoInputs {
  readonly capexUsdPerChip: number;
  /** An estimated capex's low and high (docs/model.md sections 5 and 11). */
  readonly capexRange?: readonly [number, number];
  readonly amortizationYears: number;
  readonly opexFractionPerYear: number;
  readonly isEstimate: boolean;
}

export const EFFICIENCY_FACTORS = ['etaMem', 'etaPrefill', 'etaDecode', 'etaLink', 'tStep0S'] as const;
export type EfficiencyFactor = (typeof EFFICIENCY_FACTORS)[number];

/**
 * 12a `collective_latency_fit`: the per-collective latency `alpha` (section 1), a factor the fits
 * search beside the five (where a level's rows span chips) and a stack entry may carry.
 */
export const COLLECTIVE_LATENCY = 'collectiveLatencyS' as const;
/** A factor a fit can search: the five, and with `collective_latency_fit` the collective latency. */
export type FitFactor = EfficiencyFactor | typeof COLLECTIVE_LATENCY;

/**
 * The five factors, and (12a `collective_latency_fit`) a fitted per-collective latency that replaces
 * the profile's `interconnect.latency_us` while that switch is on.
 */
export type Efficiency = Readonly<Record<EfficiencyFactor, number>> & {
  readonly collectiveLatencyS?: number;
};

/** 3b.7: how a serving stack admits sequences against the KV cache. */
export type KvAdmission = 'reserve' | 'occupancy';

export interface Accelerator {
  readonly id: string;
  readonly name: string;
  readonly vendor: string;
  readonly memCapacityBytes: number;
  readonly memBandwidthBytesPerS: number;
  readonly flopsPerS: Readonly<Partial<Record<ComputeFormat, number>>>;
  readonly domainChips: number;
  readonly linkBytesPerSPerDirection: number;
  readonly collectiveLatencyS: number;
  /**
   * The low and high an estimated `collectiveLatencyS` is stated with (section 11, "An estimated
   * collective latency widens the range"); absent where its source states none.
   */
  readonly collectiveLatencyRangeS?: readonly [number, number];
  /** Scale-out network per chip, one direction (section 3f); absent: never pipelined. */
  readonly scaleOutBytesPerSPerDirection?: number;
  /** A torus scale-up fabric's dimensions (section 3g); absent: switched. */
  readonly torusDims?: readonly number[];
  /**
   * 3b.7 How the serving stack admits sequences against the KV cache: `occupancy` (allocate as
   * they grow, preempt when full), else `reserve` (room for the prompt and the whole output).
   */
  readonly kvAdmission?: KvAdmission;
  /**
   * 3a.14, 3a.15 The stack's attention kernels multiply at an FP8 KV cache's format (TensorRT-LLM:
   * MLA and XQA decode, the context FMHA of FP8/NVFP4 checkpoints).
   */
  readonly fp8KvAttention?: boolean;
  readonly tdpW: number;
  readonly systemWPerChip: number;
  readonly prices: readonly PriceQuote[];
  readonly tco?: TcoInputs;
  readonly efficiency: Efficiency;
  /** Which efficiency factors were fitted to measurements (the rest are assumed). */
  readonly calibrated: Readonly<Record<EfficiencyFactor, boolean>>;
  /** Low/high bounds for assumed factors (docs/model.md, "Ranges"); absent when calibrated. */
  readonly efficiencyRange?: Readonly<Partial<Record<EfficiencyFactor, readonly [number, number]>>>;
  /** Power figures that are estimates, not published specs. */
  readonly powerIsEstimate: { readonly tdp: boolean; readonly system: boolean };
  /** Lowest and highest TDP and system power per chip that estimated power figures allow (section 11). */
  readonly powerRangeW?: {
    readonly tdpW: readonly [number, number];
    readonly systemWPerChip: readonly [number, number];
  };
  /** The serving stack the factors describe, and how they were found (docs/model.md 12a). */
  readonly stack?: string;
  readonly stackLevel?: 'pair' | 'stack' | 'pooled';
  /** The matrix-unit formats of the rows behind the factors (docs/model.md 12a), when known. */
  readonly fittedFormats?: readonly ComputeFormat[];
  /** Section 12c: the factors were fitted on rows whose input length was estimated (MLPerf only). */
  readonly inputsEstimated?: boolean;
  /**
   * Cross-validated prediction interval, as log(measured / predicted) at the 10th and 90th
   * percentiles (docs/model.md section 11); replaces the factor ranges when present.
   */
  readonly intervalLog?: readonly [number, number];
  /** The interval for MoE models where it differs (section 11, per model kind); `intervalLog` is then the dense one. */
  readonly moeIntervalLog?: readonly [number, number];
  /**
   * 12a `layout_pairs`: the stack's factors for an MoE model served across more than one chip,
   * fitted on the pair's rows of that class; absent where it has none.
   */
  readonly moeAcrossEfficiency?: Efficiency;
}

export interface Slo {
  readonly ttftS?: number;
  readonly tpotS?: number;
}

export interface Site {
  readonly pue: number;
  /** Power cap per chip (MLPerf MaxQ, `nvidia-smi -pl`); absent: the chip's TDP. */
  readonly powerCapW?: number;
  /** 6.2's exponent, set only by the range's low end (`CAP_CLOCK_EXPONENT.low`); absent: 1/3. */
  readonly powerCapClockExponent?: number;
  readonly usdPerKwh: number;
}

export interface Workload {
  readonly name: string;
  readonly model: Model;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputFraction: number;
  readonly slo: Slo;
  readonly utilization: number;
  readonly plan: Plan;
  /** Prefer this provider's quote for the plan, when a profile has several. */
  readonly provider?: string;
  /** One basis for every chip of a comparison (docs/model.md section 5): never another silently. */
  readonly basis: PriceBasis;
  readonly site: Site;
  readonly outputTokensPerDay?: number;
  /** Facility power to fill with one chip type (section 8), W. */
  readonly powerBudgetW?: number;
  /** Allowed replica sizes; default powers of two up to the scale-up domain. */
  readonly replicaChips?: readonly number[];
  /** Fixed batch (concurrency), as in a closed-loop benchmark; default: chosen by the search. */
  readonly fixedBatch?: number;
  /** A fixed layout (section 3d); default: the search tries each the mechanisms allow. */
  readonly parallelism?: Parallelism;
  readonly maxBatch?: number;
  /**
   * 3b.8: a benchmark's whole run, this many requests queued at once; the throughput is the run's
   * (its last, partial wave included), not the steady state's. Default: an endless queue.
   */
  readonly requests?: number;
  readonly memoryUsableFraction: number;
  /** Prefill tokens one iteration may carry under chunked prefill (3b.2). */
  readonly chunkTokens: number;
  readonly efficiencyOverrides: Readonly<Partial<Efficiency>>;
  readonly mechanisms: Mechanisms;
  /** Section 6.1's fitted power model. */
  readonly powerModel: { readonly idleFraction: number; readonly hostLoad: number };
  /** Section 3c: serve with a draft model proposing `tokens` per iteration. */
  readonly speculative?: Speculative;
  /**
   * The corrections' chosen constants where they differ from the engine's (backtest `--choose`,
   * docs/model.md 12a "Constants chosen without the source they are judged on").
   */
  readonly constants?: Partial<EngineConstants>;
}

/** Constants of the corrections of section 3a that were chosen, not measured (each an estimate). */
export interface EngineConstants {
  /** 3a.8 `r_attn`: the share of their factor's efficiency attention kernels reach. */
  readonly attentionEfficiencyRatio: number;
  /** 3a.12 `r_moe`: the share of their factor's efficiency the routed experts' GEMMs reach. */
  readonly expertEfficiencyRatio: number;
}

/** Speculative decoding (docs/model.md section 3c). */
export interface Speculative {
  readonly draft: Model;
  /** `k`: tokens the draft proposes per iteration. */
  readonly tokens: number;
  /** `a`: probability that the target accepts one proposed token. */
  readonly acceptance: number;
}
