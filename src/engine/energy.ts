import type { Workload } from './types.js';

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
  /** At nameplate system power: the lower bound of tokens per joule (power's upper bound). */
  readonly outputTokensPerJouleNameplate: number;
}

/** Energy per token (docs/model.md section 6). */
export function energyMetrics(
  outputTokensPerSPerChip: number,
  systemWPerChip: number,
  pue: number,
  tdpW: number,
  nameplateSystemWPerChip: number = systemWPerChip,
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
    outputTokensPerJouleNameplate: outputTokensPerSPerChip / (nameplateSystemWPerChip * pue),
  };
}

/**
 * The power model of section 6.1, fitted on MLPerf Inference Power results (docs/accuracy.md):
 * the chip draws `idleFraction` of its limit when idle and the rest in proportion to activity;
 * the host's share of nameplate (`system_w_per_chip - tdp_w`) draws `hostLoad` of it.
 */
export interface PowerModel {
  readonly idleFraction: number;
  readonly hostLoad: number;
}

/**
 * 6.2: the estimate's exponent, nominal (switching power goes as `V^2 f` and the voltage follows
 * the clock, so power as `f^3`: the least slowdown a cap allows) and pessimistic (the clock falls
 * in proportion to power), the range's low end.
 */
export const CAP_CLOCK_EXPONENT = { nominal: 1 / 3, low: 1 } as const;

/**
 * 6.2 `power_capped_clock`: the fraction of its clock a chip held below its TDP sustains,
 * `(min(cap, tdp_w) / tdp_w)^exponent`, the exponent 1/3 unless the range's low end asks for 1;
 * 1 without a cap, with a cap at or above TDP, or switched off.
 */
export function cappedClockFraction(
  tdpW: number,
  capW: number | undefined,
  on: boolean,
  exponent: number = CAP_CLOCK_EXPONENT.nominal,
): number {
  if (!on || capW === undefined || capW >= tdpW) return 1;
  return exponent === CAP_CLOCK_EXPONENT.nominal ? Math.cbrt(capW / tdpW) : (capW / tdpW) ** exponent;
}

/**
 * 6.1: the prefill time that falls to each decode step, `B * t_pf / O`, when `prefill_power` is on;
 * 0 when it is off, under chunked prefill (the step already carries it) or disaggregated (the
 * decode replica prefills nothing).
 */
export function prefillSharePerStepS(
  mechanisms: { readonly prefillPower: boolean; readonly chunkedPrefill: boolean },
  batch: number,
  prefillS: number,
  outputTokens: number,
  disaggregated: boolean,
): number {
  return mechanisms.prefillPower && !mechanisms.chunkedPrefill && !disaggregated
    ? (batch * prefillS) / outputTokens
    : 0;
}

/**
 * System power per chip at an operating point (section 6.1):
 * `P = (system_w - tdp_w) * hostLoad + min(cap, tdp_w) * (idle + (1 - idle) * a)` with activity
 * `a = max(eta_mem * t_mem, eta_decode * t_cmp) / t_step`: the busier of the memory and the
 * matrix units, as a fraction of its peak, over a decode step; with `prefillS` (the prefill time
 * that falls to each step, `B * t_pf / O`) the time-weighted mean with the prefills' `eta_prefill`.
 */
export function operatingPowerW(
  accelerator: { readonly tdpW: number; readonly systemWPerChip: number },
  step: { readonly memoryS: number; readonly computeS: number; readonly totalS: number },
  efficiency: { readonly etaMem: number; readonly etaDecode: number; readonly etaPrefill: number },
  model: PowerModel,
  capW?: number,
  prefillS = 0,
): number {
  const decodeBusyS = Math.max(efficiency.etaMem * step.memoryS, efficiency.etaDecode * step.computeS);
  const activity = Math.min(1, (decodeBusyS + efficiency.etaPrefill * prefillS) / (step.totalS + prefillS));
  const limit = Math.min(capW ?? accelerator.tdpW, accelerator.tdpW);
  const host = Math.max(0, accelerator.systemWPerChip - accelerator.tdpW) * model.hostLoad;
  return host + limit * (model.idleFraction + (1 - model.idleFraction) * activity);
}

/**
 * 6.1 at a chosen deployment: the activity of its decode step at batch B and, with
 * `prefill_power`, of the prefills that fall to each step. One definition for `evaluate` and
 * `calibrate`'s predictions.
 */
export function deploymentPowerW(
  accelerator: { readonly tdpW: number; readonly systemWPerChip: number },
  workload: Pick<Workload, 'mechanisms' | 'powerModel' | 'site' | 'outputTokens'>,
  d: {
    readonly point: { readonly batch: number };
    readonly replica: { readonly prefillS: number };
    readonly disaggregated?: unknown;
  },
  step: { readonly memoryS: number; readonly computeS: number; readonly totalS: number },
  efficiency: { readonly etaMem: number; readonly etaDecode: number; readonly etaPrefill: number },
): number {
  // 3a.10: decode GEMMs ran at eta_prefill; the step's compute is almost all GEMMs.
  const eff = workload.mechanisms.oneGemmEfficiency
    ? { ...efficiency, etaDecode: efficiency.etaPrefill }
    : efficiency;
  return operatingPowerW(
    accelerator,
    step,
    eff,
    workload.powerModel,
    workload.site.powerCapW,
    prefillSharePerStepS(
      workload.mechanisms,
      d.point.batch,
      d.replica.prefillS,
      workload.outputTokens,
      d.disaggregated !== undefined,
    ),
  );
}

export interface Fleet {
  /** What the fleet was sized for: a demand, or a power budget to fill. */
  readonly sizedFor: 'demand' | 'power_budget';
  readonly chips: number;
  readonly replicas: number;
  readonly facilityW: number;
  /** Output tokens per day the fleet can serve: `chips * x * 86400 * u`. */
  readonly outputTokensPerDay: number;
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
  return fleetOf(
    'demand',
    replicas,
    chipsPerReplica,
    outputTokensPerSPerChip,
    utilization,
    facilityWPerChip,
    usdPerChipHour,
  );
}

/**
 * Fleet that fills a power budget (section 8): whole replicas within `budgetW` of facility power,
 * `N * floor(G / (N * Pw))` chips.
 */
export function fleetForPower(
  budgetW: number,
  outputTokensPerSPerChip: number,
  utilization: number,
  chipsPerReplica: number,
  facilityWPerChip: number,
  usdPerChipHour: number | undefined,
): Fleet {
  const replicas = Math.floor(budgetW / (chipsPerReplica * facilityWPerChip));
  return fleetOf(
    'power_budget',
    replicas,
    chipsPerReplica,
    outputTokensPerSPerChip,
    utilization,
    facilityWPerChip,
    usdPerChipHour,
  );
}

function fleetOf(
  sizedFor: Fleet['sizedFor'],
  replicas: number,
  chipsPerReplica: number,
  outputTokensPerSPerChip: number,
  utilization: number,
  facilityWPerChip: number,
  usdPerChipHour: number | undefined,
): Fleet {
  const chips = replicas * chipsPerReplica;
  const fleet = {
    sizedFor,
    chips,
    replicas,
    facilityW: chips * facilityWPerChip,
    outputTokensPerDay: chips * outputTokensPerSPerChip * 86400 * utilization,
  };
  return usdPerChipHour === undefined ? fleet : { ...fleet, usdPerYear: chips * usdPerChipHour * 8760 };
}
