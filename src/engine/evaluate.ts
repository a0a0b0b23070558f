import {
  chooseDeployment,
  type Deployment,
  type Disaggregation,
  efficiencyAt,
  type Failure,
  type Setup,
} from './deploy.js';
import {
  CAP_CLOCK_EXPONENT,
  cappedClockFraction,
  deploymentPowerW,
  type EnergyMetrics,
  energyMetrics,
  type Fleet,
  fleetFor,
  fleetForPower,
} from './energy.js';
import { breakEvenUsdPerChipHour, type ChipCost, type CostMetrics, chipCost, costMetrics } from './money.js';
import { type DecodeStep, decodeStep, stepBound } from './replica.js';
import {
  type Accelerator,
  type ComputeFormat,
  EFFICIENCY_FACTORS,
  type Efficiency,
  type EfficiencyFactor,
  type NumberFormat,
  type Parallelism,
  type Plan,
  type Precision,
  type Workload,
} from './types.js';

/** Things a reader must know to trust a number; data here, words in src/render/. */
export type Warning =
  | {
      readonly code: 'PRECISION_FALLBACK';
      readonly requested: NumberFormat;
      readonly used: ComputeFormat;
      readonly direction: 'wider' | 'narrower';
      readonly weightsQuantised: boolean;
    }
  | { readonly code: 'NO_PRICE'; readonly plan: Plan; readonly provider?: string; readonly basis?: string }
  /** `provider` is `command line` for a price given with --set (the user's figure, no quote). */
  | { readonly code: 'PRICE_ESTIMATE'; readonly plan: Plan; readonly provider?: string }
  | {
      readonly code: 'POWER_ESTIMATE';
      readonly field: 'tdp' | 'system';
      /**
       * Section 11, `tdp` under a cap below its stated high: that high, where the cap's clock
       * meets no deployment (the range leaves it out).
       */
      readonly unmetAtTdpW?: number;
      readonly capW?: number;
    }
  | { readonly code: 'EFFICIENCY_ASSUMED'; readonly factors: readonly EfficiencyFactor[] }
  | { readonly code: 'BATCH_CAPPED'; readonly requested: number; readonly batch: number }
  | {
      readonly code: 'REPLICA_SIZES_DROPPED';
      readonly sizes: readonly number[];
      readonly domainChips: number;
    }
  /** Section 10: the fixed step overhead is more than half of the chosen decode step. */
  | { readonly code: 'OVERHEAD_BOUND'; readonly overheadS: number; readonly stepS: number }
  /** Section 12a: the workload runs a format none of the rows behind the chip's factors ran in. */
  | {
      readonly code: 'FORMAT_UNFITTED';
      readonly used: ComputeFormat;
      readonly fitted: readonly ComputeFormat[];
    }
  /** Section 12c: the chip's factors come from rows whose input length was itself estimated. */
  | { readonly code: 'INPUTS_ESTIMATED' }
  /** Section 11: the collective latency is an estimate whose stated low and high the range spans. */
  | {
      readonly code: 'LATENCY_ESTIMATE';
      readonly latencyS: number;
      readonly rangeS: readonly [number, number];
      /** No deployment meets the workload's limits at the high end (the range leaves it out). */
      readonly unmetAtHigh?: true;
    }
  /** Section 11: a chip that misses the limits at its estimated latency meets them at the estimate's low. */
  | {
      readonly code: 'MEETS_AT_LATENCY_LOW';
      readonly latencyS: number;
      readonly outputTokensPerSPerChip: number;
    }
  /** Section 8: the power budget is less than one replica draws at the facility. */
  | { readonly code: 'BUDGET_FITS_NO_REPLICA'; readonly budgetW: number; readonly replicaW: number }
  /** Sections 6.1 and 6.2: a cap below TDP lowers the power charged and (6.2, when on) the clock. */
  | {
      readonly code: 'POWER_CAP_BELOW_TDP';
      readonly capW: number;
      readonly tdpW: number;
      /** 6.2, when `power_capped_clock` is on: the clock the matrix units keep under the cap. */
      readonly clockFraction?: number;
      /** 6.2: no deployment meets the limits at the clock's low end (exponent 1); the range leaves it out. */
      readonly unmetAtLow?: true;
    };

export interface Performance {
  readonly ttftS: number;
  readonly tpotS: number;
  /** `1 / TPOT`: output tokens/s one user sees. */
  readonly interactivity: number;
  readonly outputTokensPerSPerChip: number;
  readonly outputTokensPerSPerReplica: number;
  readonly requestsPerSPerChip: number;
}

export interface DeploymentInfo {
  readonly chips: number;
  readonly batch: number;
  readonly maxBatch: number;
  readonly computeFormat: ComputeFormat;
  readonly weights: Precision;
  readonly activations: Precision;
  readonly kvCache: Precision;
  readonly weightBytes: number;
  readonly kvBytesPerTokenReplica: number;
  /** Section 3d: tensor- or expert-parallel; attention data-parallel under EP or 3b.3. */
  readonly parallelism: Parallelism;
  /** Section 3f: pipeline stages and the chips of each (`chips` = stages x stageChips). */
  readonly stages: number;
  readonly stageChips: number;
  readonly dataParallelAttention: boolean;
  /** Section 3e: separate prefill and decode pools; `chips` is then the whole unit's. */
  readonly disaggregated: Disaggregation | undefined;
  readonly prefillS: number;
  readonly step: DecodeStep;
  readonly bound: 'memory' | 'compute';
}

export interface Evaluation {
  readonly acceleratorId: string;
  readonly acceleratorName: string;
  /** The serving stack the factors describe and how they were found; undefined: the profile's block. */
  readonly stack: string | undefined;
  readonly stackLevel: 'pair' | 'stack' | 'pooled' | undefined;
  // Every key is always present (undefined when it does not apply): evaluations are built by
  // literal, without object spread, because a sweep makes millions of them.
  readonly failure: Failure | undefined;
  readonly deployment: DeploymentInfo | undefined;
  readonly performance: Performance | undefined;
  readonly cost: (ChipCost & CostMetrics) | undefined;
  readonly energy: EnergyMetrics | undefined;
  readonly fleet: Fleet | undefined;
  readonly efficiency: Efficiency;
  /** 12a `layout_pairs`: the factors are the stack's fit on MoE models served across chips. */
  readonly layoutFit: boolean;
  readonly calibrated: Readonly<Record<EfficiencyFactor, boolean>>;
  readonly warnings: readonly Warning[];
}

/** The workload sets every efficiency factor itself: nothing the profile's fit says applies. */
function everyFactorSet(workload: Workload): boolean {
  return EFFICIENCY_FACTORS.every((f) => workload.efficiencyOverrides[f] !== undefined);
}

function setupWarnings(setup: Setup | undefined, accelerator: Accelerator, workload: Workload): Warning[] {
  if (!setup) return [];
  const warnings: Warning[] = [];
  const fallback = setup.compute.fallback;
  if (fallback)
    warnings.push({
      code: 'PRECISION_FALLBACK',
      requested: fallback.requested,
      used: setup.compute.format,
      direction: fallback.direction,
      weightsQuantised: setup.weightsQuantised,
    });
  // Section 12a: factors are fractions of the peak of the format their rows ran in.
  const fitted = accelerator.fittedFormats;
  const used = setup.compute.format;
  if (fitted && fitted.length > 0 && !fitted.includes(used) && !everyFactorSet(workload))
    warnings.push({ code: 'FORMAT_UNFITTED', used, fitted });
  return warnings;
}

function profileWarnings(accelerator: Accelerator, workload: Workload): Warning[] {
  const warnings: Warning[] = [];
  if (accelerator.inputsEstimated && !everyFactorSet(workload)) warnings.push({ code: 'INPUTS_ESTIMATED' });
  if (accelerator.powerIsEstimate.tdp) warnings.push({ code: 'POWER_ESTIMATE', field: 'tdp' });
  if (accelerator.powerIsEstimate.system) warnings.push({ code: 'POWER_ESTIMATE', field: 'system' });
  const capW = workload.site.powerCapW;
  if (capW !== undefined && capW < accelerator.tdpW) {
    // The fraction setupFor applied; 1 (left out) when power_capped_clock is off.
    const clock = cappedClockFraction(
      accelerator.tdpW,
      capW,
      workload.mechanisms.powerCappedClock,
      workload.site.powerCapClockExponent,
    );
    warnings.push({
      code: 'POWER_CAP_BELOW_TDP',
      capW,
      tdpW: accelerator.tdpW,
      ...(clock < 1 ? { clockFraction: clock } : {}),
    });
  }
  const assumed = EFFICIENCY_FACTORS.filter(
    (f) => !accelerator.calibrated[f] && workload.efficiencyOverrides[f] === undefined,
  );
  if (assumed.length > 0) warnings.push({ code: 'EFFICIENCY_ASSUMED', factors: assumed });
  if (workload.replicaChips) {
    // replicaSizes keeps every listed size within the domain; only the larger ones are dropped.
    const over = workload.replicaChips.filter((n) => n > accelerator.domainChips);
    if (over.length > 0)
      warnings.push({ code: 'REPLICA_SIZES_DROPPED', sizes: over, domainChips: accelerator.domainChips });
  }
  return warnings;
}

/**
 * One accelerator against one workload: deployment choice (section 4), money (5), energy (6)
 * and fleet (8), with the inputs and warnings that let any number be traced.
 */
export function evaluate(
  accelerator: Accelerator,
  workload: Workload,
  // The search, when the caller already ran it for this chip and workload: prices do not enter
  // it, nor power but under a cap below the TDP (6.2), where estimateRange searches again.
  d: Deployment = chooseDeployment(accelerator, workload),
): Evaluation {
  const overrides = workload.efficiencyOverrides;
  const efficiency =
    Object.keys(overrides).length === 0
      ? accelerator.efficiency
      : { ...accelerator.efficiency, ...overrides };
  const warnings = setupWarnings(d.setup, accelerator, workload);
  for (const w of profileWarnings(accelerator, workload)) warnings.push(w);
  if (!d.ok) {
    return {
      acceleratorId: accelerator.id,
      acceleratorName: accelerator.name,
      stack: accelerator.stack,
      stackLevel: accelerator.stackLevel,
      failure: d.failure,
      deployment: undefined,
      performance: undefined,
      cost: undefined,
      energy: undefined,
      fleet: undefined,
      efficiency,
      layoutFit: false,
      calibrated: accelerator.calibrated,
      warnings,
    };
  }

  const { point, replica, setup } = d;
  if (d.batchCappedFrom !== undefined) {
    warnings.push({ code: 'BATCH_CAPPED', requested: d.batchCappedFrom, batch: point.batch });
  }
  const step = decodeStep(replica, point.batch);
  const ranAt = efficiencyAt(setup, replica.chips);
  if (step.overheadS > 0.5 * step.totalS)
    warnings.push({ code: 'OVERHEAD_BOUND', overheadS: step.overheadS, stepS: step.totalS });
  const x = point.outputTokensPerS / point.chips;
  const requestsPerSPerChip = point.requestsPerS / point.chips;
  // 6.1: power at this operating point, or the nameplate all-in power when that is switched off.
  const systemW = workload.mechanisms.powerUnderLoad
    ? deploymentPowerW(accelerator, workload, d, step, ranAt)
    : accelerator.systemWPerChip;
  const energy = energyMetrics(x, systemW, workload.site.pue, accelerator.tdpW, accelerator.systemWPerChip);
  const price = chipCost(
    accelerator,
    workload.plan,
    workload.site,
    workload.provider,
    workload.basis,
    systemW,
  );
  if (!price)
    warnings.push({
      code: 'NO_PRICE',
      plan: workload.plan,
      ...(workload.plan === 'tco' ? {} : { basis: workload.basis }),
      ...(workload.provider === undefined ? {} : { provider: workload.provider }),
    });
  else if (price.isEstimate)
    warnings.push({
      code: 'PRICE_ESTIMATE',
      plan: workload.plan,
      ...(price.provider === undefined ? {} : { provider: price.provider }),
    });
  let cost: (ChipCost & CostMetrics) | undefined;
  if (price) {
    const m = costMetrics(
      x,
      requestsPerSPerChip,
      price.usdPerChipHour,
      workload.utilization,
      workload.inputTokens,
      workload.outputTokens,
    );
    cost = {
      plan: price.plan,
      usdPerChipHour: price.usdPerChipHour,
      asOf: price.asOf,
      provider: price.provider,
      basis: price.basis,
      region: price.region,
      isEstimate: price.isEstimate,
      source: price.source,
      tco: price.tco,
      outputTokensPerUsd: m.outputTokensPerUsd,
      usdPerMtokOutput: m.usdPerMtokOutput,
      usdPerRequest: m.usdPerRequest,
      totalTokensPerUsd: m.totalTokensPerUsd,
    };
  }
  // Section 8: a budget that fits no replica sizes a fleet of nothing; said, not left as zeros.
  const budgetFleet =
    workload.powerBudgetW === undefined
      ? undefined
      : fleetForPower(
          workload.powerBudgetW,
          x,
          workload.utilization,
          point.chips,
          energy.facilityWPerChip,
          price?.usdPerChipHour,
        );
  if (budgetFleet !== undefined && budgetFleet.replicas === 0 && workload.powerBudgetW !== undefined)
    warnings.push({
      code: 'BUDGET_FITS_NO_REPLICA',
      budgetW: workload.powerBudgetW,
      replicaW: point.chips * energy.facilityWPerChip,
    });
  return {
    acceleratorId: accelerator.id,
    acceleratorName: accelerator.name,
    stack: accelerator.stack,
    stackLevel: accelerator.stackLevel,
    failure: undefined,
    deployment: {
      chips: point.chips,
      batch: point.batch,
      maxBatch: replica.maxBatch,
      computeFormat: setup.compute.format,
      weights: setup.weights,
      activations: setup.activations,
      kvCache: setup.kvCache,
      weightBytes: replica.weights.total,
      kvBytesPerTokenReplica: replica.kvBytesPerTokenReplica,
      parallelism: replica.parallelism,
      stages: replica.stages,
      stageChips: replica.stageChips,
      dataParallelAttention:
        replica.stageChips > 1 && (replica.parallelism === 'ep' || workload.mechanisms.dpAttention),
      disaggregated: d.disaggregated,
      prefillS: replica.prefillS,
      step,
      bound: stepBound(step),
    },
    performance: {
      ttftS: point.ttftS,
      tpotS: point.tpotS,
      interactivity: 1 / point.tpotS,
      outputTokensPerSPerChip: x,
      outputTokensPerSPerReplica: point.outputTokensPerS,
      requestsPerSPerChip,
    },
    cost,
    energy,
    fleet:
      workload.powerBudgetW !== undefined
        ? budgetFleet
        : workload.outputTokensPerDay === undefined
          ? undefined
          : fleetFor(
              workload.outputTokensPerDay,
              x,
              workload.utilization,
              point.chips,
              energy.facilityWPerChip,
              price?.usdPerChipHour,
            ),
    // 12a: the factors this deployment ran at (an MoE model across chips may take the layout's).
    efficiency: ranAt,
    layoutFit: ranAt !== setup.efficiency,
    calibrated: accelerator.calibrated,
    warnings,
  };
}

export interface Relative {
  /** `m_a / m_b` */
  readonly ratio: number;
  /** `(m_a / m_b - 1) * 100` */
  readonly percent: number;
  /** True when `a` is better than the baseline on this metric (lower for costs and times). */
  readonly better: boolean;
}

export function relative(a: number, b: number, direction: 'higher' | 'lower'): Relative {
  const ratio = a / b;
  return { ratio, percent: (ratio - 1) * 100, better: direction === 'higher' ? ratio > 1 : ratio < 1 };
}

export interface VsBaseline {
  readonly baselineId: string;
  /** The baseline's own evaluation: each metric's ratio is taken against it (section 7). */
  readonly baseline: Evaluation;
  /** Chip-hour price at which this accelerator matches the baseline's tokens per dollar. */
  readonly breakEvenUsdPerChipHour: number | undefined;
}

/**
 * The baseline a comparison is against, and the break-even price (section 7); the ratios of the
 * metrics the comparison reports are taken from the two evaluations (src/schema/metrics.ts).
 */
export function versus(a: Evaluation, baseline: Evaluation, utilization: number): VsBaseline {
  const x = a.performance?.outputTokensPerSPerChip;
  const tpdB = baseline.cost?.outputTokensPerUsd;
  return {
    baselineId: baseline.acceleratorId,
    baseline,
    breakEvenUsdPerChipHour:
      x === undefined || tpdB === undefined ? undefined : breakEvenUsdPerChipHour(x, utilization, 1, tpdB),
  };
}

export interface ComparedEvaluation {
  readonly evaluation: Evaluation;
  readonly vsBaseline: VsBaseline | undefined;
  readonly range: EfficiencyRange | undefined;
}

export interface Comparison {
  readonly baselineId: string;
  readonly evaluations: readonly ComparedEvaluation[];
}

/** Every accelerator against one workload, each with its ratios to the baseline (section 7). */
export function compareAccelerators(
  workload: Workload,
  accelerators: readonly Accelerator[],
  baselineId: string,
  options: { readonly ranges: boolean } = { ranges: true },
): Comparison {
  const deployments = accelerators.map((a) => chooseDeployment(a, workload));
  // Each chip at its latency estimate's high end and at its capped clock's low end, where its
  // notes need them; the range's own runs there (the same chip and workload) take them rather
  // than searching again.
  const atHigh: (Evaluation | undefined)[] = [];
  const atClockLow: (Evaluation | undefined)[] = [];
  const evaluations = accelerators.map((a, i) => {
    const e0 = evaluate(a, workload, deployments[i]);
    // Section 6.2: a chip that runs at the cap's nominal clock but at no deployment at the
    // clock's low end: the range leaves that out, so the cap's note says it.
    if (options.ranges && e0.performance !== undefined && clockIsCapped(a, workload))
      atClockLow[i] = evaluate(a, atCapClockLow(workload));
    // Section 11: likewise at an estimated TDP's stated high, where the cap lies below it.
    const hotTdpW =
      options.ranges && e0.performance !== undefined && a.powerIsEstimate.tdp && tdpMovesClock(a, workload)
        ? a.powerRangeW?.tdpW[1]
        : undefined;
    const unmetHot = hotTdpW !== undefined && !evaluate(atPowerEnd(a, 1, workload), workload).performance;
    const unmetLow = atClockLow[i] !== undefined && !atClockLow[i]?.performance;
    const e =
      unmetLow || unmetHot
        ? {
            ...e0,
            warnings: e0.warnings.map((w) =>
              unmetLow && w.code === 'POWER_CAP_BELOW_TDP'
                ? { ...w, unmetAtLow: true as const }
                : unmetHot && w.code === 'POWER_ESTIMATE' && w.field === 'tdp'
                  ? { ...w, unmetAtTdpW: hotTdpW, capW: workload.site.powerCapW as number }
                  : w,
            ),
          }
        : e0;
    const latency0 = options.ranges ? latencyWarning(a, workload) : undefined;
    if (!latency0) return e;
    // A chip that runs at the nominal latency but at no deployment at the high end: the range
    // (of the runs that meet the limits) leaves that out, so the note says it.
    if (e.performance !== undefined)
      atHigh[i] = evaluate({ ...a, collectiveLatencyS: latency0.rangeS[1] }, workload);
    const unmetAtHigh = atHigh[i] !== undefined && !atHigh[i]?.performance;
    const latency = unmetAtHigh ? { ...latency0, unmetAtHigh: true as const } : latency0;
    // A latency limit missed at the nominal latency may be met within the estimate: say so.
    const x =
      e.failure?.code === 'SLO_UNMET'
        ? evaluate({ ...a, collectiveLatencyS: latency.rangeS[0] }, workload).performance
            ?.outputTokensPerSPerChip
        : undefined;
    const meets = x
      ? [{ code: 'MEETS_AT_LATENCY_LOW' as const, latencyS: latency.rangeS[0], outputTokensPerSPerChip: x }]
      : [];
    return { ...e, warnings: [...e.warnings, latency, ...meets] };
  });
  const baseline = evaluations.find((e) => e.acceleratorId === baselineId);
  return {
    baselineId,
    evaluations: evaluations.map((e, i) => ({
      evaluation: e,
      vsBaseline: baseline?.performance ? versus(e, baseline, workload.utilization) : undefined,
      range:
        options.ranges && e.performance
          ? estimateRange(
              accelerators[i] as Accelerator,
              workload,
              e,
              estimatedInputRange(
                accelerators[i] as Accelerator,
                workload,
                e,
                efficiencyRange(accelerators[i] as Accelerator, workload, e),
                (a, w) => {
                  const high = atHigh[i];
                  if (
                    high &&
                    w === workload &&
                    a.collectiveLatencyS === accelerators[i]?.collectiveLatencyRangeS?.[1]
                  )
                    return high;
                  // estimatedInputEnds pairs the chip itself with the workload at the clock's low end
                  const low = atClockLow[i];
                  if (
                    low &&
                    a === accelerators[i] &&
                    w !== workload &&
                    w.site.powerCapClockExponent === CAP_CLOCK_EXPONENT.low
                  )
                    return low;
                  return evaluate(a, w);
                },
              ),
              deployments[i],
            )
          : undefined,
    })),
  };
}

export interface RangeEnd {
  readonly outputTokensPerSPerChip: number | null;
  readonly outputTokensPerUsd: number | null;
  readonly usdPerMtokOutput: number | null;
  readonly outputTokensPerJoule: number | null;
}

/** Low and high ends of the metrics when assumed efficiency factors span their ranges. */
export interface EfficiencyRange {
  readonly low: RangeEnd;
  readonly high: RangeEnd;
}

function rangeEnd(e: Evaluation): RangeEnd {
  return {
    outputTokensPerSPerChip: e.performance?.outputTokensPerSPerChip ?? null,
    outputTokensPerUsd: e.cost?.outputTokensPerUsd ?? null,
    usdPerMtokOutput: e.cost?.usdPerMtokOutput ?? null,
    outputTokensPerJoule: e.energy?.outputTokensPerJoule ?? null,
  };
}

/**
 * A cross-validated prediction interval (section 11): the measured value lies within
 * `x * exp(lo) .. x * exp(hi)` for 80% of held-out rows. Price and power per chip do not depend
 * on throughput, so tokens/$ and tokens/W move by the same factor; $/1M inversely.
 */
export function intervalRange(e: Evaluation, [lo, hi]: readonly [number, number]): EfficiencyRange {
  const end = (k: number): RangeEnd => ({
    outputTokensPerSPerChip: scaled(e.performance?.outputTokensPerSPerChip, k),
    outputTokensPerUsd: scaled(e.cost?.outputTokensPerUsd, k),
    usdPerMtokOutput: scaled(e.cost?.usdPerMtokOutput, 1 / k),
    outputTokensPerJoule: scaled(e.energy?.outputTokensPerJoule, k),
  });
  return { low: end(Math.exp(lo)), high: end(Math.exp(hi)) };
}

function scaled(v: number | undefined, k: number): number | null {
  return v === undefined ? null : v * k;
}

/** The cross-validated interval a prediction for `model` states (section 11): its kind's, where the profile has one. */
export function intervalLogFor(
  accelerator: Accelerator,
  model: { readonly moe?: unknown },
): readonly [number, number] | undefined {
  return (model.moe !== undefined ? accelerator.moeIntervalLog : undefined) ?? accelerator.intervalLog;
}

/**
 * The range of an uncalibrated accelerator (docs/model.md, "Ranges"): every assumed factor at
 * its pessimistic end (low etas, high t_step0), then at its optimistic end. Throughput never
 * falls as an eta grows or t_step0 shrinks, so these bound every mix of the factors. Factors
 * the workload overrides stay fixed. Undefined for a profile with no ranged factor.
 */
export function efficiencyRange(
  accelerator: Accelerator,
  workload: Workload,
  nominal?: Evaluation,
): EfficiencyRange | undefined {
  const interval = intervalLogFor(accelerator, workload.model);
  if (interval) return intervalRange(nominal ?? evaluate(accelerator, workload), interval);
  const ranged = Object.entries(accelerator.efficiencyRange ?? {}).filter(
    ([f]) => workload.efficiencyOverrides[f as EfficiencyFactor] === undefined,
  ) as [EfficiencyFactor, readonly [number, number]][];
  if (ranged.length === 0) return undefined;
  const at = (end: 'low' | 'high') => {
    const efficiency: Record<EfficiencyFactor, number> = { ...accelerator.efficiency };
    for (const [f, [lo, hi]] of ranged) {
      const pessimistic = f === 'tStep0S' ? hi : lo;
      const optimistic = f === 'tStep0S' ? lo : hi;
      efficiency[f] = end === 'low' ? pessimistic : optimistic;
    }
    return rangeEnd(evaluate({ ...accelerator, efficiency }, workload));
  };
  return { low: at('low'), high: at('high') };
}

/**
 * Section 11: a stated range names the collective latency estimate it spans (a comparison without
 * ranges, as a sweep's, leaves it out). A fitted latency (12a `collective_latency_fit`) replaces
 * the estimate: nothing to span.
 */
function latencyWarning(
  accelerator: Accelerator,
  workload: Workload,
): Extract<Warning, { code: 'LATENCY_ESTIMATE' }> | undefined {
  const alpha = estimatedLatencyRangeS(accelerator, workload);
  return alpha
    ? { code: 'LATENCY_ESTIMATE', latencyS: accelerator.collectiveLatencyS, rangeS: alpha }
    : undefined;
}

/**
 * Section 11: the collective latency's stated low and high where the answer runs at the estimate;
 * undefined where none is stated or a fitted latency (12a `collective_latency_fit`) replaces it,
 * since moving the estimate then moves nothing.
 */
export function estimatedLatencyRangeS(
  accelerator: Accelerator,
  workload: Workload,
): readonly [number, number] | undefined {
  const fitted =
    workload.mechanisms.collectiveLatencyFit && accelerator.efficiency.collectiveLatencyS !== undefined;
  return fitted ? undefined : accelerator.collectiveLatencyRangeS;
}

/** Section 11: under a cap below an estimated TDP's stated high (6.2 on), the clock depends on the TDP. */
function tdpMovesClock(accelerator: Accelerator, workload: Workload): boolean {
  const power = accelerator.powerRangeW;
  const cap = workload.site.powerCapW;
  return (
    power !== undefined && workload.mechanisms.powerCappedClock && cap !== undefined && cap < power.tdpW[1]
  );
}

/**
 * Section 11: the chip with every estimated price, power and capex figure at one end of its stated
 * range (0 the low, 1 the high); capex moves only where the workload is priced on `tco`.
 */
function atPowerEnd(accelerator: Accelerator, end: 0 | 1, workload?: Workload): Accelerator {
  const power = accelerator.powerRangeW;
  const capex = workload?.plan === 'tco' ? accelerator.tco?.capexRange : undefined;
  return {
    ...accelerator,
    prices: accelerator.prices.map((q) =>
      q.usdPerChipHourRange ? { ...q, usdPerChipHour: q.usdPerChipHourRange[end] } : q,
    ),
    ...(power ? { tdpW: power.tdpW[end], systemWPerChip: power.systemWPerChip[end] } : {}),
    ...(capex && accelerator.tco ? { tco: { ...accelerator.tco, capexUsdPerChip: capex[end] } } : {}),
  };
}

/** Section 6.2: a cap below the chip's TDP slows its clock (the switch on). */
function clockIsCapped(accelerator: Accelerator, workload: Workload): boolean {
  return (
    cappedClockFraction(accelerator.tdpW, workload.site.powerCapW, workload.mechanisms.powerCappedClock) !== 1
  );
}

/** Section 6.2: the workload with the cap's clock at the low end of its estimate (exponent 1). */
function atCapClockLow(workload: Workload): Workload {
  return { ...workload, site: { ...workload.site, powerCapClockExponent: CAP_CLOCK_EXPONENT.low } };
}

/**
 * Section 11: the chip and workload with estimated performance inputs at their ends. `pessimistic`
 * lists the runs that cost throughput: every such input at its costly end together (6.2's exponent
 * 1 under a cap below TDP, the collective latency at its stated high), then, where there are two,
 * each alone, since no deployment may meet the limits with both and one alone still says how far
 * the range reaches. `optimistic`: the latency at its stated low (the cap's nominal exponent is
 * already its optimistic end). Empty where no such estimate applies.
 */
export function estimatedInputEnds(
  accelerator: Accelerator,
  workload: Workload,
): {
  readonly pessimistic: readonly (readonly [Accelerator, Workload])[];
  readonly optimistic: readonly (readonly [Accelerator, Workload])[];
} {
  const capped = clockIsCapped(accelerator, workload);
  const alpha = estimatedLatencyRangeS(accelerator, workload);
  const slowWorkload = capped ? atCapClockLow(workload) : workload;
  const slowAccelerator = alpha ? { ...accelerator, collectiveLatencyS: alpha[1] } : accelerator;
  const pessimistic: (readonly [Accelerator, Workload])[] =
    capped || alpha ? [[slowAccelerator, slowWorkload]] : [];
  if (capped && alpha) pessimistic.push([accelerator, slowWorkload], [slowAccelerator, workload]);
  return {
    pessimistic,
    optimistic: alpha ? [[{ ...accelerator, collectiveLatencyS: alpha[0] }, workload]] : [],
  };
}

/**
 * Section 11 (and 6.2): estimated performance inputs widen the range. The chip is searched again
 * at each end of `estimatedInputEnds` (a slower clock or collective may move the layout and the
 * batch a latency limit allows) and each metric takes, at each end of its range, the farthest
 * ratio to the nominal among the runs that meet the limits: below 1 the low end, above 1 the
 * high end ($/1M inversely), each end moved once. Unchanged where no estimate applies (no cap
 * below TDP, the switch off, no stated latency range) or no run meets the limits.
 */
export function estimatedInputRange(
  accelerator: Accelerator,
  workload: Workload,
  nominal: Evaluation,
  range: EfficiencyRange | undefined,
  // How a run is evaluated: a caller that already has one (compare's note at the high latency) passes it.
  evaluateRun: (a: Accelerator, w: Workload) => Evaluation = evaluate,
): EfficiencyRange | undefined {
  const ends = estimatedInputEnds(accelerator, workload);
  const runs = [...ends.pessimistic, ...ends.optimistic];
  if (runs.length === 0) return range;
  const base = range ?? { low: rangeEnd(nominal), high: rangeEnd(nominal) };
  const at = rangeEnd(nominal);
  const moved = runs.map(([a, w]) => rangeEnd(evaluateRun(a, w)));
  const low = { ...base.low };
  const high = { ...base.high };
  for (const k of Object.keys(at) as (keyof RangeEnd)[]) {
    const n = at[k];
    if (n === null || n === 0) continue;
    // Where no deployment meets the limits at a run, it says nothing.
    const ratios = moved.map((m) => m[k]).flatMap((m) => (m === null ? [] : [m / n]));
    const [down, up] = [Math.min(1, ...ratios), Math.max(1, ...ratios)];
    // `low` is the pessimistic end: fewer tokens, or more dollars per million.
    const [toLow, toHigh] = k === 'usdPerMtokOutput' ? [up, down] : [down, up];
    const l = low[k];
    const h = high[k];
    if (l !== null) low[k] = l * toLow;
    if (h !== null) high[k] = h * toHigh;
  }
  return { low, high };
}

/**
 * Estimated prices and power widen the range (section 11): the pessimistic end takes every
 * estimated price and power figure at its stated high, the optimistic end at its low. Each end's
 * tokens/$ and tokens/W move by the ratio of the metric re-evaluated there to the nominal one
 * ($/1M inversely); throughput moves only under a power cap the TDP's range reaches, where the
 * clock depends on the TDP. Unchanged without such estimates.
 */
export function estimateRange(
  accelerator: Accelerator,
  workload: Workload,
  nominal: Evaluation,
  range: EfficiencyRange | undefined,
  deployment?: Deployment,
): EfficiencyRange | undefined {
  const power = accelerator.powerRangeW;
  const capex = workload.plan === 'tco' ? accelerator.tco?.capexRange : undefined;
  if (!power && !capex && !accelerator.prices.some((q) => q.usdPerChipHourRange)) return range;
  const d = deployment ?? chooseDeployment(accelerator, workload);
  // Section 11: under a cap below the TDP's stated high (6.2 on) the clock depends on the TDP, so
  // each power end is searched again and throughput moves with it; otherwise the nominal search
  // stands and throughput does not move.
  const clockMoves = tdpMovesClock(accelerator, workload);
  const at = (end: 0 | 1, fixed: boolean) =>
    evaluate(atPowerEnd(accelerator, end, workload), workload, fixed ? d : undefined);
  const ratio = (moved: number | undefined, base: number | undefined) =>
    moved === undefined || base === undefined || base === 0 ? 1 : moved / base;
  const widen = (end: RangeEnd, moved: Evaluation): RangeEnd => {
    const usd = ratio(moved.cost?.outputTokensPerUsd, nominal.cost?.outputTokensPerUsd);
    const joule = ratio(moved.energy?.outputTokensPerJoule, nominal.energy?.outputTokensPerJoule);
    const x = ratio(moved.performance?.outputTokensPerSPerChip, nominal.performance?.outputTokensPerSPerChip);
    return {
      outputTokensPerSPerChip: end.outputTokensPerSPerChip === null ? null : end.outputTokensPerSPerChip * x,
      outputTokensPerUsd: end.outputTokensPerUsd === null ? null : end.outputTokensPerUsd * usd,
      usdPerMtokOutput: end.usdPerMtokOutput === null ? null : end.usdPerMtokOutput / usd,
      outputTokensPerJoule: end.outputTokensPerJoule === null ? null : end.outputTokensPerJoule * joule,
    };
  };
  // Where the search at a power end finds no deployment (the clock too slow for a limit), the
  // end keeps the nominal deployment for its price and power and throughput stays, as without a
  // cap: losing the end would drop its price and capex widening too.
  const atEnd = (end: 0 | 1): Evaluation => {
    const searched = clockMoves ? at(end, false) : undefined;
    if (searched?.performance) return searched;
    const kept = at(end, true);
    return clockMoves ? { ...kept, performance: nominal.performance } : kept;
  };
  const base = range ?? { low: rangeEnd(nominal), high: rangeEnd(nominal) };
  return { low: widen(base.low, atEnd(1)), high: widen(base.high, atEnd(0)) };
}
