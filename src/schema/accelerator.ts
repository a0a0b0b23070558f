import { z } from 'zod';
import { COMPUTE_FORMATS, PLANS } from '../engine/types.js';
import {
  dateSchema,
  idSchema,
  nonNegative,
  once,
  positive,
  positiveInt,
  sourceKindSchema,
  sourceSchema,
} from './common.js';

const efficiencyStatus = once(() => z.enum(['calibrated', 'assumed']));

/** An efficiency factor in (0, 1], whether it was fitted, and the range used when it was not. */
const eta = once(() =>
  z.strictObject({
    value: z.number().positive().max(1),
    status: efficiencyStatus(),
    low: z.number().positive().max(1).optional(),
    high: z.number().positive().max(1).optional(),
  }),
);

const stepOverhead = once(() =>
  z.strictObject({
    value: nonNegative(1000),
    status: efficiencyStatus(),
    low: nonNegative(1000).optional(),
    high: nonNegative(1000).optional(),
  }),
);

const cloudPlan = once(() =>
  z.enum(PLANS.filter((p) => p !== 'tco') as ['on_demand', 'reserved_1y', 'reserved_3y', 'spot']),
);

/**
 * Who sells at this price: a hyperscaler's list, a neocloud's list, a marketplace listing; or
 * `user`, a price the user gave (`--set`), which stands on whatever basis the comparison uses.
 */
export const PRICE_BASES = ['hyperscaler', 'neocloud', 'marketplace', 'user'] as const;

/** The most a quote may ask per chip-hour: far above any accelerator's rent, so a typo or unit slip. */
export const MAX_USD_PER_CHIP_HOUR = 10_000;

export const priceQuote = once(() =>
  z.strictObject({
    plan: cloudPlan(),
    /** hyperscaler (AWS, Azure, GCP, OCI list), neocloud (CoreWeave, Lambda, Nebius, ...), marketplace, user. */
    basis: z.enum(PRICE_BASES),
    usd_per_chip_hour: positive(MAX_USD_PER_CHIP_HOUR),
    /** For an estimate: the lowest and highest prices its derivation allows (required then). */
    low_usd_per_chip_hour: positive(MAX_USD_PER_CHIP_HOUR).optional(),
    high_usd_per_chip_hour: positive(MAX_USD_PER_CHIP_HOUR).optional(),
    as_of: dateSchema(),
    provider: z.string().min(1),
    region: z.string().min(1),
    kind: sourceKindSchema(),
    source: z.string().min(1),
    note: z.string().min(1).optional(),
  }),
);

/** Efficiency factors for one serving stack on this chip, as `calibrate --all` fitted them. */
export const stackEntry = once(() =>
  z.strictObject({
    /**
     * pair: fitted on this chip's rows for this stack; stack: this stack's rows on other chips
     * (the chip was never measured on it); pooled: every stack's rows (this stack was never measured).
     */
    level: z.enum(['pair', 'stack', 'pooled']),
    efficiency: stackFactors(),
    /** The factors the rows could move (the rest stayed at the level above). */
    fitted: z.array(z.string().min(1)).optional(),
    /** The matrix-unit formats the rows behind the factors ran in (docs/model.md 12a). */
    fitted_formats: z.array(z.enum(COMPUTE_FORMATS)).optional(),
    /** Measured rows behind the factors: their ids for a pair, their count otherwise. */
    fitted_on: z.array(z.string().min(1)).optional(),
    /**
     * A pair fitted on rows whose input length nobody published (MLPerf), each at its dataset's
     * estimated mean input (docs/model.md 12c).
     */
    inputs_estimated: z.literal(true).optional(),
    rows: z.number().int().nonnegative(),
    /**
     * The stated range, from cross-validated residuals at this level (docs/model.md section 11):
     * the measured value lies within predicted x (1 + low/100) .. (1 + high/100) for 80% of
     * held-out rows.
     */
    interval_pct: z.strictObject({ low: z.number().gt(-100).max(0), high: z.number().min(0).max(10_000) }),
    /**
     * The range for MoE models, where it differs (docs/model.md section 11, per model kind): the
     * level's range widened to its held-out MoE rows; `interval_pct` is then the dense models'.
     */
    moe_interval_pct: z
      .strictObject({ low: z.number().gt(-100).max(0), high: z.number().min(0).max(10_000) })
      .optional(),
    /**
     * Cross-validated error of this chip's held-out rows on this stack, where it has any (its
     * dense models' rows where `moe_interval_pct` is given).
     */
    cv: z
      .strictObject({ rows: z.number().int().positive(), median_abs_error_pct: nonNegative(10_000) })
      .optional(),
    /** The same over its MoE models' rows, where it has any (with `moe_interval_pct`). */
    moe_cv: z
      .strictObject({ rows: z.number().int().positive(), median_abs_error_pct: nonNegative(10_000) })
      .optional(),
    /**
     * The factors of an MoE model served on more than one chip, fitted on this chip's rows of that
     * kind on this stack and pulled towards `efficiency` (docs/model.md 12a, `layout_pairs`): used
     * for such a deployment when the switch is on.
     */
    moe_across: z
      .strictObject({
        efficiency: stackFactors(),
        fitted: z.array(z.string().min(1)),
        fitted_on: z.array(z.string().min(1)).min(1),
        rows: z.number().int().positive(),
      })
      .optional(),
  }),
);

/** A stack entry's five efficiency factors, as the file writes them. */
function stackFactors() {
  return z.strictObject({
    eta_mem: z.number().positive().max(1),
    eta_prefill: z.number().positive().max(1),
    eta_decode: z.number().positive().max(1),
    eta_link: z.number().positive().max(1),
    t_step0_ms: nonNegative(1000),
    /** 12a `collective_latency_fit`: the fitted per-collective latency, used while that switch is on. */
    collective_latency_us: positive(1000).optional(),
  });
}
export type StackEntry = z.infer<ReturnType<typeof stackEntry>>;

/** One price quote of a profile, as the file writes it. */
export type PriceQuote = z.infer<ReturnType<typeof priceQuote>>;

export const acceleratorSchema = once(() =>
  z.strictObject({
    id: idSchema(),
    name: z.string().min(1),
    vendor: z.string().min(1),
    kind: z.enum(['gpu', 'tpu', 'asic']),
    release_date: dateSchema(),
    memory: z.strictObject({
      /**
       * HBM capacity in GiB (2^30 B): HBM stacks are 16/24/36 GiB, and vendors' "80 GB" (H100)
       * or "192 GB" (MI300X) are binary. Give exactly one of capacity_gib and capacity_gb.
       */
      capacity_gib: positive(100_000).optional(),
      /** HBM capacity in decimal GB (1e9 B), for a figure that really is decimal (device bytes / 1e9). */
      capacity_gb: positive(100_000).optional(),
      bandwidth_tbps: positive(1_000),
      sram_mb: positive(1_000_000).optional(),
    }),
    compute_tflops: z.strictObject({
      fp4: positive(1_000_000).optional(),
      fp6: positive(1_000_000).optional(),
      fp8: positive(1_000_000).optional(),
      int8: positive(1_000_000).optional(),
      bf16: positive(1_000_000).optional(),
      fp16: positive(1_000_000).optional(),
      fp32: positive(1_000_000).optional(),
    }),
    interconnect: z.strictObject({
      domain_chips: positiveInt(1_000_000),
      /** Gigabytes (not gigabits) per second, one direction, per chip. */
      link_gbps_per_direction: positive(1_000_000),
      latency_us: positive(1_000_000),
      /**
       * Scale-out network per chip, gigabytes per second, one direction (the server's NICs divided
       * by its chips); absent: the chip is never pipelined across domains (docs/model.md 3f).
       */
      scale_out_gbps_per_direction: positive(1_000_000).optional(),
      /**
       * The scale-up fabric's shape (docs/model.md 3g): `torus_dims` gives a torus's dimensions (TPU
       * v6e's 16 x 16); absent: a switched fabric, every chip reaching every other at full rate.
       */
      torus_dims: z.array(positiveInt(1_000_000)).min(1).max(4).optional(),
    }),
    power: z.strictObject({
      tdp_w: positive(100_000),
      system_w_per_chip: positive(1_000_000).optional(),
    }),
    prices: z.array(priceQuote()).optional(),
    tco: z
      .strictObject({
        capex_usd_per_chip: positive(100_000_000),
        amortization_years: positive(50),
        opex_fraction_per_year: nonNegative(10),
      })
      .optional(),
    efficiency: z.strictObject({
      eta_mem: eta(),
      eta_prefill: eta(),
      eta_decode: eta(),
      eta_link: eta(),
      t_step0_ms: stepOverhead(),
    }),
    calibration: z
      .strictObject({
        rows: z.array(z.string().min(1)).min(1),
        method: z.string().min(1),
        median_abs_error_pct: nonNegative(1000).optional(),
        max_abs_error_pct: nonNegative(1000).optional(),
      })
      .optional(),
    /**
     * Other systems sold with the same chip (docs/model.md section 1): each is compared under its own
     * id with its own scale-up domain, and its own system power and prices where it gives them.
     */
    form_factors: z
      .array(
        z.strictObject({
          id: idSchema(),
          name: z.string().min(1),
          domain_chips: positiveInt(1_000_000),
          torus_dims: z.array(positiveInt(1_000_000)).min(1).max(4).optional(),
          system_w_per_chip: positive(1_000_000).optional(),
          prices: z.array(priceQuote()).optional(),
          /** Where the form's domain (and power) come from. */
          kind: sourceKindSchema(),
          source: z.string().min(1),
          note: z.string().optional(),
        }),
      )
      .min(1)
      .optional(),
    /**
     * The serving stacks that run on this chip, where its vendor's do not all (docs/model.md 12a:
     * transformers-neuronx ended before Trainium3). Absent: every stack measured on the vendor's
     * chips, and vLLM. Sourced in `sources.serving_stacks`.
     */
    serving_stacks: z.array(idSchema()).min(1).optional(),
    /** The stack compare assumes when the workload names none: the best one with calibration. */
    default_stack: idSchema().optional(),
    /** Factors per serving stack (written by `infercost calibrate --all`); absent: `efficiency` alone. */
    stacks: z.record(idSchema(), stackEntry()).optional(),
    sources: z.record(z.string(), sourceSchema()),
    notes: z.string().optional(),
  }),
);

export type AcceleratorFile = z.infer<ReturnType<typeof acceleratorSchema>>;

/** The numeric sections whose every field needs an entry in `sources` (prices carry their own). */
export const SOURCED_SECTIONS = [
  'memory',
  'compute_tflops',
  'interconnect',
  'power',
  'tco',
  'efficiency',
] as const;
