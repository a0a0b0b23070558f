export interface EnergyMetrics {
  /** `Pw = system_w_per_chip * pue`: facility power per chip at load. */
  readonly facilityWPerChip: number;
  /** `tpw = x / Pw`: output tokens per joule (= tokens/s per W). */
  readonly outputTokensPerJoule: number;
  readonly joulesPerOutputToken: number;
  readonly outputTokensPerKwh: number;
  /** Output tokens/s per MW of facility power. */
  readonly outputTokensPerSPerMw: number;
  /** Chip-only variant: `x / tdp_w`. */
  readonly outputTokensPerJouleChip: number;
}

/** Energy per token (docs/model.md section 6). */
export function energyMetrics(
  outputTokensPerSPerChip: number,
  systemWPerChip: number,
  pue: number,
  tdpW: number,
): EnergyMetrics {
  const facilityWPerChip = systemWPerChip * pue;
  const tpw = outputTokensPerSPerChip / facilityWPerChip;
  return {
    facilityWPerChip,
    outputTokensPerJoule: tpw,
    joulesPerOutputToken: 1 / tpw,
    outputTokensPerKwh: tpw * 3.6e6,
    outputTokensPerSPerMw: tpw * 1e6,
    outputTokensPerJouleChip: outputTokensPerSPerChip / tdpW,
  };
}

export interface Fleet {
  readonly chips: number;
  readonly replicas: number;
  readonly facilityW: number;
  readonly usdPerYear?: number;
}

/**
 * Fleet for a daily demand (docs/model.md section 8): `ceil(Q / (x * 86400 * u))` chips,
 * rounded up to whole replicas.
 */
export function fleetFor(
  outputTokensPerDay: number,
  outputTokensPerSPerChip: number,
  utilization: number,
  chipsPerReplica: number,
  facilityWPerChip: number,
  usdPerChipHour: number | undefined,
): Fleet {
  const chipsNeeded = Math.ceil(outputTokensPerDay / (outputTokensPerSPerChip * 86400 * utilization));
  const replicas = Math.max(1, Math.ceil(chipsNeeded / chipsPerReplica));
  const chips = replicas * chipsPerReplica;
  const fleet = { chips, replicas, facilityW: chips * facilityWPerChip };
  return usdPerChipHour === undefined ? fleet : { ...fleet, usdPerYear: chips * usdPerChipHour * 8760 };
}
