import { z } from 'zod';
import { PLANS } from '../engine/types.js';
import {
  idSchema,
  nonNegative,
  once,
  positive,
  positiveInt,
  powerQuantitySchema,
  precisionSchema,
} from './common.js';
import { inlineModelSchema } from './model.js';

export const workloadSchema = once(() =>
  z.strictObject({
    name: z.string().min(1).optional(),
    description: z.string().optional(),
    model: z.union([idSchema(), inlineModelSchema()]),
    precision: z
      .strictObject({
        weights: precisionSchema().optional(),
        activations: precisionSchema().optional(),
        kv_cache: precisionSchema().optional(),
        /** The routed experts' format (MoE models), where it differs from `weights`. */
        experts: precisionSchema().optional(),
        /** The attention matmuls' format: default bf16 (most stacks), fp8 where FP8 attention is on. */
        attention: precisionSchema().optional(),
      })
      .optional(),
    input_tokens: positiveInt(10_000_000),
    output_tokens: positiveInt(10_000_000),
    cached_input_fraction: z.number().min(0).lt(1).optional(),
    /** Speculative decoding (docs/model.md section 3c): a draft model proposing `tokens` per iteration. */
    speculative: z
      .strictObject({
        /** The draft model: a bundled model id (e.g. llama-3.2-1b). */
        draft: idSchema(),
        /** Tokens the draft proposes per iteration (`k`). */
        tokens: positiveInt(64),
        /** Probability that the target accepts one proposed token (`a`), 0 to 1. */
        acceptance: z.number().min(0).max(1),
      })
      .optional(),
    slo: z
      .strictObject({
        ttft_ms: positive(1e9).optional(),
        tpot_ms: positive(1e9).optional(),
      })
      .optional(),
    /** At least 1%: below it a deployment is idle chips, and its cost per token mostly their rent. */
    utilization: z.number().min(0.01).max(1).optional(),
    pricing: z
      .strictObject({
        plan: z.enum(PLANS).optional(),
        /** The one price basis of the comparison: hyperscaler (default), neocloud or marketplace. */
        basis: z.enum(['hyperscaler', 'neocloud', 'marketplace']).optional(),
        provider: z.string().min(1).optional(),
      })
      .optional(),
    site: z
      .strictObject({
        pue: z.number().min(1).max(5).optional(),
        usd_per_kwh: nonNegative(10).optional(),
        /** Power cap per chip in W (MLPerf MaxQ; `nvidia-smi -pl`); absent: the chip's TDP. */
        power_cap_w: positive(100_000).optional(),
      })
      .optional(),
    /** A demand to size the fleet for (docs/model.md section 8): output tokens per day or requests per second. */
    demand: z
      .strictObject({
        output_tokens_per_day: positive(1e18).optional(),
        requests_per_s: positive(1e12).optional(),
      })
      .optional(),
    /** Facility power to fill (section 8): watts, or a string with its unit, `1GW`, `300MW`, `50kW`. */
    power_budget: powerQuantitySchema().optional(),
    deployment: z
      .strictObject({
        replica_chips: z.array(positiveInt(1_000_000)).min(1).optional(),
        batch: positiveInt(10_000_000).optional(),
        max_batch: positiveInt(10_000_000).optional(),
        memory_usable_fraction: z.number().positive().max(1).optional(),
        /** Prefill tokens an iteration may carry (chunked prefill, docs/model.md 3b.2); default 2048. */
        chunk_tokens: positiveInt(10_000_000).optional(),
        /** Tensor-parallel or expert-parallel replicas (docs/model.md 3d); default: the search picks. */
        parallelism: z.enum(['tp', 'ep']).optional(),
      })
      .optional(),
    efficiency: z
      .strictObject({
        eta_mem: z.number().positive().max(1).optional(),
        eta_prefill: z.number().positive().max(1).optional(),
        eta_decode: z.number().positive().max(1).optional(),
        eta_link: z.number().positive().max(1).optional(),
        t_step0_ms: nonNegative(1000).optional(),
      })
      .optional(),
    /** Switches for the engine corrections of docs/model.md section 3a (defaults in WORKLOAD_DEFAULTS). */
    mechanisms: z
      .strictObject({
        per_operator_roofline: z.boolean().optional(),
        prefill_memory: z.boolean().optional(),
        all_reduce_bf16: z.boolean().optional(),
        embedding_lookup: z.boolean().optional(),
        attention_bf16: z.boolean().optional(),
        mla_absorbed: z.boolean().optional(),
        steady_state_kv: z.boolean().optional(),
        chunked_prefill: z.boolean().optional(),
        dp_attention: z.boolean().optional(),
        per_layer_overhead: z.boolean().optional(),
        power_under_load: z.boolean().optional(),
        bench_batch_cap: z.boolean().optional(),
        stated_batch_cap: z.boolean().optional(),
        finite_requests: z.boolean().optional(),
        percentile_limits: z.boolean().optional(),
        latent_input: z.boolean().optional(),
        latent_pairs: z.boolean().optional(),
        robust_fit: z.boolean().optional(),
        source_weighted_fit: z.boolean().optional(),
        format_pairs: z.boolean().optional(),
        kind_bands: z.boolean().optional(),
        unmeasured_bands: z.boolean().optional(),
        expert_parallel: z.boolean().optional(),
        disaggregation: z.boolean().optional(),
        expert_gemm_tiles: z.boolean().optional(),
        pipeline_parallel: z.boolean().optional(),
        torus_collectives: z.boolean().optional(),
        attention_efficiency: z.boolean().optional(),
        gemm_formats: z.boolean().optional(),
        one_gemm_efficiency: z.boolean().optional(),
        soft_roofline: z.boolean().optional(),
        expert_efficiency: z.boolean().optional(),
        prefill_power: z.boolean().optional(),
        power_capped_clock: z.boolean().optional(),
        stack_kv_admission: z.boolean().optional(),
        kv_reads_at_mem: z.boolean().optional(),
        fp8_mla_decode: z.boolean().optional(),
        fp8_attention: z.boolean().optional(),
        ttft_fit: z.boolean().optional(),
        collective_latency_fit: z.boolean().optional(),
        layout_pairs: z.boolean().optional(),
      })
      .optional(),
    /** The serving stack to assume (trtllm, vllm, ...); default: each chip's default_stack. */
    stack: idSchema().optional(),
    accelerators: z.array(idSchema()).min(1).optional(),
    baseline: idSchema().optional(),
    expect: z.array(z.string().min(1)).optional(),
  }),
);

export type WorkloadFile = z.infer<ReturnType<typeof workloadSchema>>;

/** Defaults of docs/model.md section 1. */
export const WORKLOAD_DEFAULTS = {
  utilization: 0.7,
  pue: 1.2,
  usdPerKwh: 0.08,
  memoryUsableFraction: 0.9,
  /** vLLM's max_num_batched_tokens default with chunked prefill. */
  chunkTokens: 2048,
  plan: 'on_demand',
  basis: 'hyperscaler',
  baseline: 'h100-sxm',
  /** docs/accuracy.md records the backtest that decided each default. */
  mechanisms: {
    per_operator_roofline: true,
    prefill_memory: false,
    all_reduce_bf16: true,
    embedding_lookup: false,
    attention_bf16: true,
    mla_absorbed: true,
    steady_state_kv: false,
    chunked_prefill: false,
    dp_attention: true,
    per_layer_overhead: false,
    power_under_load: true,
    bench_batch_cap: true,
    stated_batch_cap: false,
    finite_requests: false,
    percentile_limits: true,
    latent_input: true,
    latent_pairs: true,
    robust_fit: true,
    source_weighted_fit: false,
    format_pairs: false,
    kind_bands: true,
    unmeasured_bands: true,
    expert_parallel: false,
    disaggregation: false,
    expert_gemm_tiles: true,
    pipeline_parallel: true,
    torus_collectives: false,
    attention_efficiency: true,
    gemm_formats: true,
    one_gemm_efficiency: false,
    soft_roofline: false,
    expert_efficiency: false,
    prefill_power: true,
    power_capped_clock: true,
    stack_kv_admission: false,
    kv_reads_at_mem: false,
    fp8_mla_decode: false,
    fp8_attention: false,
    ttft_fit: false,
    collective_latency_fit: false,
    layout_pairs: false,
  },
  /**
   * docs/model.md section 6.1, fitted by `calibrate --all` on the MLPerf Inference Power rows of
   * data/measured/mlperf-power.csv (docs/accuracy.md).
   */
  powerModel: { idleFraction: 0.69, hostLoad: 0.63 },
} as const;
