// Every metric infercost reports, declared once: its JSON key, where the engine's evaluation
// holds it, which way is better, the short names it answers to, whether comparisons against a
// baseline report it, and where a stated range holds it. METRIC_KEYS, LOWER_IS_BETTER,
// METRIC_ALIASES, RANGED_METRICS, the result's `metrics`, `vs_baseline` and `ranges`, CSV columns,
// `--sort` and `--expect` all derive from this table: a new metric is an entry here plus the
// engine computing it.
import { type EfficiencyRange, type Evaluation, type Relative, relative } from '../engine/evaluate.js';

type RangeEnd = EfficiencyRange['low'];

export interface MetricSpec {
  /** The value in an evaluation; undefined when the evaluation lacks it (no price, failed). */
  readonly of: (e: Evaluation) => number | undefined;
  /** Which way is better; `none` for quantities that are neither (power drawn). */
  readonly better: 'higher' | 'lower' | 'none';
  /** Short names accepted by `--expect`, `--sort` and `claim`. */
  readonly aliases?: readonly string[];
  /** Reported against the baseline (`vs_baseline`, docs/model.md section 7). */
  readonly compared?: true;
  /** Where a stated range (docs/model.md section 11) holds this metric. */
  readonly range?: (r: RangeEnd) => number | null;
  /**
   * How the metric moves with a chip's price and with its throughput: `inverse` (tokens per
   * dollar: 1/price, x throughput), `direct` (dollars per token), for claims' break-even and
   * sensitivity (section 7a). Absent: it does not.
   */
  readonly price?: 'inverse' | 'direct';
  readonly throughput?: 'direct' | 'inverse';
}

export const METRICS = {
  ttft_s: { of: (e) => e.performance?.ttftS, better: 'lower', compared: true },
  tpot_s: { of: (e) => e.performance?.tpotS, better: 'lower', compared: true },
  interactivity_tokens_per_s: { of: (e) => e.performance?.interactivity, better: 'higher' },
  output_tokens_per_s_per_chip: {
    of: (e) => e.performance?.outputTokensPerSPerChip,
    better: 'higher',
    aliases: ['throughput'],
    compared: true,
    range: (r) => r.outputTokensPerSPerChip,
    throughput: 'direct',
  },
  output_tokens_per_s_per_replica: {
    of: (e) => e.performance?.outputTokensPerSPerReplica,
    better: 'higher',
    throughput: 'direct',
  },
  requests_per_s_per_chip: {
    of: (e) => e.performance?.requestsPerSPerChip,
    better: 'higher',
    throughput: 'direct',
  },
  usd_per_chip_hour: { of: (e) => e.cost?.usdPerChipHour, better: 'lower', price: 'direct' },
  output_tokens_per_usd: {
    of: (e) => e.cost?.outputTokensPerUsd,
    better: 'higher',
    aliases: ['tokens_per_dollar', 'tokens_per_usd'],
    compared: true,
    range: (r) => r.outputTokensPerUsd,
    price: 'inverse',
    throughput: 'direct',
  },
  usd_per_mtok_output: {
    of: (e) => e.cost?.usdPerMtokOutput,
    better: 'lower',
    aliases: ['cost'],
    compared: true,
    range: (r) => r.usdPerMtokOutput,
    price: 'direct',
    throughput: 'inverse',
  },
  usd_per_request: {
    of: (e) => e.cost?.usdPerRequest,
    better: 'lower',
    price: 'direct',
    throughput: 'inverse',
  },
  total_tokens_per_usd: {
    of: (e) => e.cost?.totalTokensPerUsd,
    better: 'higher',
    price: 'inverse',
    throughput: 'direct',
  },
  tokens_per_joule_output: {
    of: (e) => e.energy?.outputTokensPerJoule,
    better: 'higher',
    aliases: ['tokens_per_watt', 'tokens_per_joule'],
    compared: true,
    range: (r) => r.outputTokensPerJoule,
    throughput: 'direct',
  },
  joules_per_output_token: {
    of: (e) => e.energy?.joulesPerOutputToken,
    better: 'lower',
    compared: true,
    throughput: 'inverse',
  },
  output_tokens_per_kwh: { of: (e) => e.energy?.outputTokensPerKwh, better: 'higher', throughput: 'direct' },
  output_tokens_per_s_per_mw: {
    of: (e) => e.energy?.outputTokensPerSPerMw,
    better: 'higher',
    throughput: 'direct',
  },
  tokens_per_joule_output_chip_only: {
    of: (e) => e.energy?.outputTokensPerJouleChip,
    better: 'higher',
    throughput: 'direct',
  },
  tokens_per_joule_output_nameplate: {
    of: (e) => e.energy?.outputTokensPerJouleNameplate,
    better: 'higher',
    throughput: 'direct',
  },
  facility_w_per_chip: { of: (e) => e.energy?.facilityWPerChip, better: 'lower' },
} as const satisfies Record<string, MetricSpec>;

export type MetricKey = keyof typeof METRICS;

const SPECS = METRICS as Record<MetricKey, MetricSpec>;

/** Every metric key, in the table's order (JSON, CSV). */
export const METRIC_KEYS = Object.keys(METRICS) as MetricKey[];

/** Each metric's getter, in METRIC_KEYS's order: a row reads them without a keyed lookup per cell. */
export const METRIC_GETTERS: readonly MetricSpec['of'][] = METRIC_KEYS.map((k) => SPECS[k].of);

/** Metrics where a smaller number is better (costs, times, energy per token). */
export const LOWER_IS_BETTER: ReadonlySet<MetricKey> = new Set(
  METRIC_KEYS.filter((k) => SPECS[k].better === 'lower'),
);

/** Short names accepted wherever a metric is named (`--expect`, `--sort`). */
export const METRIC_ALIASES: Readonly<Record<string, MetricKey>> = Object.fromEntries(
  METRIC_KEYS.flatMap((k) => (SPECS[k].aliases ?? []).map((a) => [a, k] as const)),
);

/** Metrics reported against the baseline. */
export const COMPARED_METRICS: readonly MetricKey[] = METRIC_KEYS.filter((k) => SPECS[k].compared);

/** Metrics with a stated low/expected/high range: those with a `range` in the table. */
export type RangedMetric = {
  [K in MetricKey]: (typeof METRICS)[K] extends { readonly range: unknown } ? K : never;
}[MetricKey];
export const RANGED_METRICS = METRIC_KEYS.filter((k) => SPECS[k].range) as RangedMetric[];

/** A metric's value in an evaluation, or null. */
export function metricValue(e: Evaluation, k: MetricKey): number | null {
  return SPECS[k].of(e) ?? null;
}

/** A metric at one end of a stated range, or null. */
export function rangeValue(r: RangeEnd, k: MetricKey): number | null {
  return SPECS[k].range?.(r) ?? null;
}

/** Which way is better for a metric. */
export function betterOf(k: MetricKey): MetricSpec['better'] {
  return SPECS[k].better;
}

/** Metric `k` of `a` against the baseline `b` (section 7); undefined when either lacks it. */
export function versusMetric(a: Evaluation, b: Evaluation, k: MetricKey): Relative | undefined {
  const ma = SPECS[k].of(a);
  const mb = SPECS[k].of(b);
  const better = SPECS[k].better;
  if (ma === undefined || mb === undefined || !(mb > 0) || better === 'none') return undefined;
  return relative(ma, mb, better);
}

/** How a metric moves with the chip's price (section 7a); undefined: it does not. */
export function priceDependence(k: MetricKey): MetricSpec['price'] {
  return SPECS[k].price;
}

/** How a metric moves with the chip's throughput (section 7a); undefined: it does not. */
export function throughputDependence(k: MetricKey): MetricSpec['throughput'] {
  return SPECS[k].throughput;
}
