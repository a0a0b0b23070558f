import type { Accelerator, Plan, PriceBasis, Site } from './types.js';

const HOURS_PER_YEAR = 8760;

export interface ChipCost {
  readonly plan: Plan;
  /** `c`: cost of one chip for one hour. */
  readonly usdPerChipHour: number;
  readonly asOf: string | undefined;
  readonly provider: string | undefined;
  readonly basis: PriceBasis | 'tco';
  readonly region: string | undefined;
  readonly isEstimate: boolean;
  readonly source?: string | undefined;
  /** TCO only: the three terms of the formula, each in USD per chip-hour. */
  readonly tco:
    | {
        readonly capexUsdPerHour: number;
        readonly opexUsdPerHour: number;
        readonly energyUsdPerHour: number;
      }
    | undefined;
}

/**
 * Cost of one chip-hour by plan (docs/model.md section 5). Cloud plans take the profile's
 * quote (the named provider's, and none when it has none; else the first); `tco` amortises capex,
 * adds opex and facility energy at `systemWPerChip` (the operating point's power; default the
 * nameplate). Undefined when the profile has nothing for the plan.
 */
export function chipCost(
  accelerator: Accelerator,
  plan: Plan,
  site: Site,
  provider?: string,
  basis?: PriceBasis,
  systemWPerChip: number = accelerator.systemWPerChip,
): ChipCost | undefined {
  if (plan === 'tco') {
    const t = accelerator.tco;
    if (!t) return undefined;
    const capexUsdPerHour = t.capexUsdPerChip / (t.amortizationYears * HOURS_PER_YEAR);
    const opexUsdPerHour = (t.capexUsdPerChip * t.opexFractionPerYear) / HOURS_PER_YEAR;
    // The power drawn at the operating point when the caller knows it (section 5), else nameplate.
    const energyUsdPerHour = ((systemWPerChip * site.pue) / 1000) * site.usdPerKwh;
    return {
      plan,
      usdPerChipHour: capexUsdPerHour + opexUsdPerHour + energyUsdPerHour,
      asOf: undefined,
      provider: undefined,
      basis: 'tco',
      region: undefined,
      isEstimate: t.isEstimate || accelerator.powerIsEstimate.system,
      tco: { capexUsdPerHour, opexUsdPerHour, energyUsdPerHour },
    };
  }
  // A price the user gave (`--set`, basis `user`) stands on every basis and comes first.
  const quotes = accelerator.prices
    .filter((q) => q.plan === plan && (basis === undefined || q.basis === basis || q.basis === 'user'))
    .sort((a, b) => (a.basis === 'user' ? -1 : 0) - (b.basis === 'user' ? -1 : 0));
  // A named provider is that provider's quote or none: never another provider's silently. A
  // price the user gave wins over both.
  const quote =
    provider === undefined || quotes[0]?.basis === 'user'
      ? quotes[0]
      : quotes.find((q) => q.provider.toLowerCase() === provider.toLowerCase());
  if (!quote) return undefined;
  return {
    plan,
    usdPerChipHour: quote.usdPerChipHour,
    asOf: quote.asOf,
    provider: quote.provider,
    basis: quote.basis,
    region: quote.region,
    isEstimate: quote.isEstimate,
    source: quote.source,
    tco: undefined,
  };
}

export interface CostMetrics {
  /** `tpd = x * 3600 * u / c` */
  readonly outputTokensPerUsd: number;
  /** `1e6 / tpd` */
  readonly usdPerMtokOutput: number;
  /** `c / (3600 * u * R/N)` */
  readonly usdPerRequest: number;
  /** `tpd * (I + O) / O`: the same cost spread over input and output tokens. */
  readonly totalTokensPerUsd: number;
}

/** Money per token (section 5), from per-chip throughput `x` and request rate `R/N`. */
export function costMetrics(
  outputTokensPerSPerChip: number,
  requestsPerSPerChip: number,
  usdPerChipHour: number,
  utilization: number,
  inputTokens: number,
  outputTokens: number,
): CostMetrics {
  const tpd = (outputTokensPerSPerChip * 3600 * utilization) / usdPerChipHour;
  return {
    outputTokensPerUsd: tpd,
    usdPerMtokOutput: 1e6 / tpd,
    usdPerRequest: usdPerChipHour / (3600 * utilization * requestsPerSPerChip),
    totalTokensPerUsd: (tpd * (inputTokens + outputTokens)) / outputTokens,
  };
}

/**
 * Break-even price (section 7): the chip-hour price at which `a` reaches ratio `r` of the
 * baseline's tokens per dollar, `c_a* = x_a * 3600 * u / (r * tpd_b)`.
 */
export function breakEvenUsdPerChipHour(
  outputTokensPerSPerChip: number,
  utilization: number,
  ratio: number,
  baselineOutputTokensPerUsd: number,
): number {
  return (outputTokensPerSPerChip * 3600 * utilization) / (ratio * baselineOutputTokensPerUsd);
}
