import { z } from 'zod';
import { once } from './common.js';
import { METRIC_KEYS, type MetricKey, RANGED_METRICS, type RangedMetric } from './metrics.js';

/** Bumped on any change a consumer of the JSON would notice. */
export const RESULT_SCHEMA_VERSION = 1;

const num = once(() => z.number());
const nullableNum = once(() => z.number().nullable());

export {
  COMPARED_METRICS,
  LOWER_IS_BETTER,
  METRIC_ALIASES,
  METRIC_KEYS,
  type MetricKey,
  RANGED_METRICS,
  type RangedMetric,
} from './metrics.js';

// Every metric is a time, a rate, a price or tokens per unit: a negative one is no result of ours.
const metricNum = once(() => z.number().nonnegative().nullable());

const metrics = once(() =>
  z.strictObject(
    Object.fromEntries(METRIC_KEYS.map((k) => [k, metricNum()])) as Record<
      MetricKey,
      ReturnType<typeof metricNum>
    >,
  ),
);

const relative = once(() => z.strictObject({ ratio: num(), percent: num(), better: z.boolean() }));

/** Numeric bounds: low <= expected <= high (for a cost, low comes from the optimistic factors). */
const band = once(() => z.strictObject({ low: nullableNum(), expected: nullableNum(), high: nullableNum() }));

const warning = once(() => z.object({ code: z.string(), message: z.string() }).catchall(z.unknown()));

export const acceleratorResultSchema = once(() =>
  z.strictObject({
    id: z.string(),
    name: z.string(),
    /**
     * The serving stack assumed, and whether its factors were fitted on this chip (pair);
     * `moe_across`: the deployment ran at the stack's fit on MoE models served across chips
     * (docs/model.md 12a, `layout_pairs`).
     */
    stack: z
      .strictObject({
        name: z.string(),
        level: z.enum(['pair', 'stack', 'pooled', 'profile']),
        moe_across: z.literal(true).optional(),
      })
      .nullable()
      .optional(),
    status: z.enum(['ok', 'does_not_fit', 'cannot_meet_slo', 'no_matrix_unit']),
    reason: z.string().nullable(),
    deployment: z
      .strictObject({
        chips: num(),
        batch: num(),
        max_batch: num(),
        compute_precision: z.string(),
        weights_precision: z.string(),
        weights_bits: num(),
        kv_cache_precision: z.string(),
        weight_bytes: num(),
        kv_bytes_per_token_replica: num(),
        /**
         * How the replica's chips share the model (docs/model.md 3d): tensor or expert parallel,
         * attention data-parallel or not; no pipeline stages or disaggregated prefill yet.
         * Absent in older results.
         */
        parallelism: z
          .strictObject({
            layout: z.enum(['tp', 'ep']),
            tp: num(),
            ep: num(),
            pp: num(),
            data_parallel_attention: z.boolean(),
            disaggregated: z.boolean(),
            /** docs/model.md 3e: the unit's pools, when disaggregated. */
            prefill: z
              .strictObject({ chips: num(), replicas: num(), prefill_s: num(), kv_transfer_s: num() })
              .optional(),
            decode: z.strictObject({ chips: num(), replicas: num() }).optional(),
          })
          .optional(),
        bound: z.enum(['memory', 'compute']),
        prefill_s: num(),
        decode_step_s: num(),
        decode_memory_s: num(),
        decode_compute_s: num(),
        decode_comm_s: num(),
        decode_overhead_s: num(),
      })
      .nullable(),
    metrics: metrics(),
    price: z
      .strictObject({
        plan: z.string(),
        usd_per_chip_hour: num(),
        as_of: z.string().nullable(),
        provider: z.string().nullable(),
        basis: z.string().optional(),
        region: z.string().nullable(),
        is_estimate: z.boolean(),
        source: z.string().optional(),
      })
      .nullable(),
    vs_baseline: z
      .strictObject({
        baseline: z.string(),
        metrics: z.record(z.string(), relative()),
        break_even_usd_per_chip_hour: nullableNum(),
      })
      .nullable(),
    ranges: z
      .strictObject(
        Object.fromEntries(RANGED_METRICS.map((k) => [k, band()])) as Record<
          RangedMetric,
          ReturnType<typeof band>
        >,
      )
      .nullable(),
    efficiency: z.record(z.string(), z.strictObject({ value: num(), calibrated: z.boolean() })),
    fleet: z
      .strictObject({
        sized_for: z.enum(['demand', 'power_budget']),
        chips: num(),
        replicas: num(),
        facility_w: num(),
        output_tokens_per_day: num(),
        usd_per_year: nullableNum(),
      })
      .nullable(),
    warnings: z.array(warning()),
    pareto: z.array(
      z.strictObject({
        chips: num(),
        batch: num(),
        interactivity_tokens_per_s: num(),
        output_tokens_per_s_per_chip: num(),
      }),
    ),
  }),
);
export type AcceleratorResult = z.infer<ReturnType<typeof acceleratorResultSchema>>;

export const workloadResultSchema = once(() =>
  z.strictObject({
    workload: z.strictObject({
      name: z.string(),
      file: z.string(),
      model_id: z.string(),
      model_name: z.string(),
      input_tokens: num(),
      output_tokens: num(),
      cached_input_fraction: num(),
      ttft_limit_s: nullableNum(),
      tpot_limit_s: nullableNum(),
      utilization: num(),
      plan: z.string(),
      /** The one price basis of the comparison (hyperscaler, neocloud, marketplace); absent in older results. */
      price_basis: z.string().optional(),
      provider: z.string().nullable(),
      pue: num(),
      usd_per_kwh: num(),
      /** The fleet asked for (docs/model.md section 8): a demand or a power budget; absent in older results. */
      demand_output_tokens_per_day: nullableNum().optional(),
      power_budget_w: nullableNum().optional(),
      /** Speculative decoding (docs/model.md section 3c); absent when not used. */
      speculative: z
        .strictObject({
          draft_model_id: z.string(),
          tokens: num(),
          acceptance: num(),
          /** `tau(k, a)`: expected tokens an iteration yields per sequence. */
          tokens_per_iteration: num(),
        })
        .optional(),
      weights_precision: z.string(),
      activations_precision: z.string(),
      kv_cache_precision: z.string(),
      overrides: z.array(z.string()),
      /**
       * Settings that move the answer and have no field above, as the workload file writes them
       * (`site.power_cap_w=500`, `mechanisms.expert_parallel=true`; defaults left out); absent in
       * older results.
       */
      settings: z.array(z.string()).optional(),
    }),
    baseline: z.string(),
    accelerators: z.array(acceleratorResultSchema()),
  }),
);
export type WorkloadResult = z.infer<ReturnType<typeof workloadResultSchema>>;

/** The metrics a traffic mix blends per chip (docs/model.md section 8b). */
export const MIX_METRICS = [
  'usd_per_mtok_output',
  'output_tokens_per_usd',
  'tokens_per_joule_output',
] as const;
export type MixMetric = (typeof MIX_METRICS)[number];

/** A traffic mix's blend per chip (docs/model.md section 8b); its classes are in `results`. */
export const mixResultSchema = once(() =>
  z.strictObject({
    name: z.string(),
    file: z.string(),
    classes: z.array(z.strictObject({ workload: z.string(), share: num() })),
    accelerators: z.array(
      z.strictObject({
        id: z.string(),
        usd_per_mtok_output: nullableNum(),
        output_tokens_per_usd: nullableNum(),
        tokens_per_joule_output: nullableNum(),
        /** Classes this chip could not run or price; a blend needs every class. */
        missing: z.array(z.string()),
      }),
    ),
  }),
);
export type MixResult = z.infer<ReturnType<typeof mixResultSchema>>;

export const resultSchema = once(() =>
  z.strictObject({
    schema_version: z.literal(RESULT_SCHEMA_VERSION),
    tool: z.strictObject({ name: z.literal('infercost'), version: z.string() }),
    results: z.array(workloadResultSchema()),
    /** Traffic mixes compared (absent when none). */
    mixes: z.array(mixResultSchema()).optional(),
  }),
);
export type ResultDoc = z.infer<ReturnType<typeof resultSchema>>;
