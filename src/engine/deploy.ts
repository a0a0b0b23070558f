import { kvBytesPerToken, kvWindowBytes, linearStateBytes, weightBytes } from './bytes.js';
import { cappedClockFraction } from './energy.js';
import { type ComputeChoice, precisionOf, selectComputePrecision } from './precision.js';
import { decodeStepTimeS, type Replica, type ReplicaPoint, replicaBuilder, replicaPoint } from './replica.js';
import type { Accelerator, Efficiency, Parallelism, Precision, Workload } from './types.js';

/** Everything about running this workload on this chip that does not depend on N or B. */
export interface Setup {
  readonly compute: ComputeChoice;
  readonly weights: Precision;
  readonly activations: Precision;
  readonly kvCache: Precision;
  /** The routed experts' format where the model gives one (quantised like the weights when they are). */
  readonly experts?: Precision | undefined;
  /** The rate attention runs at (docs/model.md section 3a.5). */
  readonly attentionFlopsPerS: number;
  /** 3a.14, 3a.15: the rate decode attention runs at where it differs from `attentionFlopsPerS`. */
  readonly decodeAttentionFlopsPerS?: number;
  /** 3a.9: the rates of the dense weights' GEMMs and of the routed experts' (the compute rate when off). */
  readonly denseFlopsPerS: number;
  readonly expertFlopsPerS: number;
  readonly efficiency: Efficiency;
  /** 12a `layout_pairs`: the factors of a replica of more than one chip (an MoE model's, when the profile has them). */
  readonly moeAcrossEfficiency?: Efficiency;
  /** True when the model had to be quantised to the narrower compute format. */
  readonly weightsQuantised: boolean;
}

export type Failure =
  | { readonly code: 'NO_MATRIX_UNIT'; readonly requested: string }
  | {
      readonly code: 'DOES_NOT_FIT';
      readonly minChips: number;
      readonly weightBytes: number;
      readonly largestReplicaChips: number;
      readonly usableBytesPerChip: number;
    }
  | {
      readonly code: 'SLO_UNMET';
      readonly metric: 'ttft' | 'tpot';
      readonly achievedS: number;
      readonly limitS: number;
      readonly chips: number;
      readonly batch: number;
    };

/** Section 3e: a unit of `decodeReplicas` decode and `prefillReplicas` prefill replicas. */
export interface Disaggregation {
  readonly prefillChips: number;
  readonly prefillReplicas: number;
  readonly decodeChips: number;
  readonly decodeReplicas: number;
  /** `t_pf(Np)`: one prompt on a prefill replica. */
  readonly prefillS: number;
  /** `t_x`: the prompt's KV cache to the decode replica. */
  readonly transferS: number;
}

export type Deployment =
  | {
      readonly ok: true;
      readonly setup: Setup;
      /** The replica that decodes (and, unless disaggregated, also prefills). */
      readonly replica: Replica;
      /** Under 3e: the unit's point (its chips, its tokens/s), at batch B per decode replica. */
      readonly point: ReplicaPoint;
      /** Set when a fixed batch was asked for but memory holds fewer sequences. */
      readonly batchCappedFrom?: number;
      readonly disaggregated?: Disaggregation;
    }
  | { readonly ok: false; readonly setup?: Setup; readonly failure: Failure };

/**
 * Precision selection and effective efficiency (docs/model.md sections 1 and 2). When the
 * chip only has a narrower matrix format, weights wider than it are quantised to it.
 */
export function setupFor(accelerator: Accelerator, workload: Workload): Setup | undefined {
  const precision = workload.model.precision;
  const compute = selectComputePrecision(accelerator, precision.activations.format);
  if (!compute) return undefined;
  const narrower = compute.fallback?.direction === 'narrower';
  const activations = compute.fallback ? precisionOf(compute.format) : precision.activations;
  const weightsQuantised = narrower && precision.weights.bits > activations.bits;
  // 3a.14, 3a.15: an FP8 KV cache on a stack whose attention kernels multiply at its format.
  const mech = workload.mechanisms;
  const kvAttention =
    accelerator.fp8KvAttention === true && precision.kvCache.format === 'fp8' && !precision.attention;
  const mla = workload.model.mla !== undefined;
  const fp8Decode = kvAttention && (mech.fp8Attention || (mech.fp8MlaDecode && mla));
  // 3a.15: FP8 context FMHA for an FP8 or NVFP4 checkpoint (its dense weights), not MLA's.
  const denseFormat = precision.weights.format;
  const fp8Prefill =
    kvAttention && mech.fp8Attention && !mla && (denseFormat === 'fp8' || denseFormat === 'fp4');
  // 3a.5: attention at the workload's attention format, else BF16 when the correction is on
  // (a chip without BF16 falls back like any format), else at the GEMMs' rate.
  const attentionFormat =
    precision.attention?.format ?? (fp8Prefill ? 'fp8' : mech.attentionBf16 ? 'bf16' : undefined);
  const attention =
    attentionFormat === undefined || attentionFormat === 'int4'
      ? undefined
      : selectComputePrecision(accelerator, attentionFormat);
  const decodeAttention = fp8Decode ? selectComputePrecision(accelerator, 'fp8') : undefined;
  const experts0 = precision.experts;
  const experts = experts0 && narrower && experts0.bits > activations.bits ? activations : experts0;
  const weights = weightsQuantised ? activations : precision.weights;
  // 6.2: a power cap below TDP lowers the clock, so every matrix rate (memory and links keep theirs).
  const clock = cappedClockFraction(
    accelerator.tdpW,
    workload.site.powerCapW,
    mech.powerCappedClock,
    workload.site.powerCapClockExponent,
  );
  // 3a.9: a GEMM runs at the wider of its weights' and the activations' formats.
  const rateOf = (w: Precision) => {
    if (!workload.mechanisms.gemmFormats || w.bits <= activations.bits) return clock * compute.flopsPerS;
    return clock * (selectComputePrecision(accelerator, w.format)?.flopsPerS ?? compute.flopsPerS);
  };
  return {
    compute,
    experts,
    attentionFlopsPerS: clock * (attention?.flopsPerS ?? compute.flopsPerS),
    ...(decodeAttention ? { decodeAttentionFlopsPerS: clock * decodeAttention.flopsPerS } : {}),
    denseFlopsPerS: rateOf(weights),
    expertFlopsPerS: rateOf(experts ?? weights),
    weights,
    activations,
    kvCache: precision.kvCache,
    efficiency: { ...accelerator.efficiency, ...workload.efficiencyOverrides },
    // 12a: kept only where some replica (any of 2 chips or more) would take it; efficiencyAt picks per size.
    ...(accelerator.moeAcrossEfficiency && layoutFitApplies(workload, 2)
      ? { moeAcrossEfficiency: { ...accelerator.moeAcrossEfficiency, ...workload.efficiencyOverrides } }
      : {}),
    weightsQuantised,
  };
}

/**
 * 12a `layout_pairs`: whether a replica of `chips` chips is of the class with a fit of its own, an
 * MoE model served across more than one chip. One rule for compare's search and the backtest's rows.
 */
export function layoutFitApplies(
  workload: {
    readonly mechanisms: { readonly layoutPairs: boolean };
    readonly model: { readonly moe?: unknown };
  },
  chips: number,
): boolean {
  return workload.mechanisms.layoutPairs && moeAcrossChips(workload.model, chips);
}

/** 12a: an MoE model served on more than one chip, the class of deployments with a fit of its own. */
export function moeAcrossChips(model: { readonly moe?: unknown }, chips: number): boolean {
  return model.moe !== undefined && chips > 1;
}

/** The factors a replica of `chips` chips (all its stages') runs at (12a `layout_pairs`). */
export function efficiencyAt(setup: Setup, chips: number): Efficiency {
  return chips > 1 && setup.moeAcrossEfficiency ? setup.moeAcrossEfficiency : setup.efficiency;
}

/**
 * Layouts to try on `chips` chips (section 3d): the workload's, else tensor parallel, and expert
 * parallel too for an MoE model on more than one chip when the correction is on.
 */
export function layoutsFor(workload: Workload, chips: number): readonly Parallelism[] {
  if (workload.parallelism) return [workload.parallelism];
  return workload.mechanisms.expertParallel && workload.model.moe && chips > 1 ? BOTH : TP_ONLY;
}
const TP_ONLY: readonly Parallelism[] = ['tp'];

/**
 * Pipeline stages to try for a replica of `chips` chips (section 3f): 1, and 2, 4, 8 of the
 * largest size when the switch is on, the chip has a scale-out figure, the search is free to
 * choose sizes and no draft model runs.
 */
export function stagesFor(
  accelerator: Accelerator,
  workload: Workload,
  chips: number,
  sizes: readonly number[],
): readonly number[] {
  const free =
    workload.mechanisms.pipelineParallel &&
    accelerator.scaleOutBytesPerSPerDirection !== undefined &&
    workload.replicaChips === undefined &&
    workload.speculative === undefined &&
    chips === sizes[sizes.length - 1];
  return free ? PIPELINE_STAGES : ONE_STAGE;
}
const ONE_STAGE: readonly number[] = [1];
const PIPELINE_STAGES: readonly number[] = [1, 2, 4, 8];
const BOTH: readonly Parallelism[] = ['tp', 'ep'];

/** Replica sizes to try (section 4): the workload's list, else 1, 2, 4, ... up to the domain. */
export function replicaSizes(domainChips: number, allowed?: readonly number[]): number[] {
  if (allowed) return allowed.filter((n) => n <= domainChips);
  const sizes: number[] = [];
  for (let n = 1; n <= domainChips; n *= 2) sizes.push(n);
  return sizes;
}

export function replicaFor(
  accelerator: Accelerator,
  workload: Workload,
  setup: Setup,
  chips: number,
  parallelism: Parallelism = workload.parallelism ?? 'tp',
  stages = 1,
): Replica {
  return replicasOf(accelerator, workload, setup)(chips, parallelism, stages);
}

/** The replicas of this workload on this chip at any size (a search builds many: one builder). */
export function replicasOf(
  accelerator: Accelerator,
  workload: Workload,
  setup: Setup,
): (chips: number, parallelism: Parallelism, stages: number) => Replica {
  const builderAt = (efficiency: Efficiency) =>
    replicaBuilder({
      accelerator,
      model: workload.model,
      weights: setup.weights,
      activations: setup.activations,
      kvCache: setup.kvCache,
      experts: setup.experts,
      flopsPerS: setup.denseFlopsPerS,
      expertFlopsPerS: setup.expertFlopsPerS,
      attentionFlopsPerS: setup.attentionFlopsPerS,
      decodeAttentionFlopsPerS: setup.decodeAttentionFlopsPerS,
      efficiency,
      mechanisms: workload.mechanisms,
      inputTokens: workload.inputTokens,
      outputTokens: workload.outputTokens,
      cachedInputFraction: workload.cachedInputFraction,
      memoryUsableFraction: workload.memoryUsableFraction,
      chunkTokens: workload.chunkTokens,
      speculative: workload.speculative,
      constants: workload.constants,
    });
  const one = builderAt(setup.efficiency);
  // 12a: a replica of more than one chip (all stages) of an MoE model takes the layout's fit.
  const across = setup.moeAcrossEfficiency ? builderAt(setup.moeAcrossEfficiency) : undefined;
  return across ? (n, p, stages) => (n * Math.max(1, stages) > 1 ? across : one)(n, p, stages) : one;
}

function meetsSlo(p: ReplicaPoint, ttftS: number, tpotS: number): boolean {
  return p.ttftS <= ttftS && p.tpotS <= tpotS;
}

/** Output tokens/s per chip: what the search maximises (section 4). */
function perChip(p: ReplicaPoint): number {
  return p.outputTokensPerS / p.chips;
}

/**
 * Largest batch in [1, hi] that meets the SLO, by bisection (section 4): both latencies grow
 * with B, so the feasible batches form a prefix. Returns 0 when even B = 1 misses.
 */
export function largestFeasibleBatch(
  r: Replica,
  hi: number,
  ttftS: number,
  tpotS: number,
  hiMeets?: boolean,
): number {
  return largestMeeting(hi, (b) => meetsSlo(replicaPoint(r, b), ttftS, tpotS), hiMeets);
}

/**
 * Largest whole number in [1, hi] meeting `ok` (monotone: true up to some point), else 0.
 * `hiMeets` is ok(hi) when the caller already knows it.
 */
function largestMeeting(hi: number, ok: (b: number) => boolean, hiMeets?: boolean): number {
  if (hi < 1 || !ok(1)) return 0;
  if (hiMeets ?? ok(hi)) return hi;
  let lo = 1; // meets
  let bad = hi; // does not
  while (bad - lo > 1) {
    const mid = Math.floor((lo + bad) / 2);
    if (ok(mid)) lo = mid;
    else bad = mid;
  }
  return lo;
}

/**
 * Deployment choice (section 4): over replica sizes N and batches B, the highest output
 * tokens/s per chip that meets the SLO. X(B) never falls as B grows (t_step(B)/B does not
 * grow), so for each N the best batch is the end of the feasible prefix. Ties go to fewer chips.
 */
export function chooseDeployment(accelerator: Accelerator, workload: Workload): Deployment {
  const setup = setupFor(accelerator, workload);
  if (!setup) {
    return {
      ok: false,
      failure: { code: 'NO_MATRIX_UNIT', requested: workload.model.precision.activations.format },
    };
  }
  const ttftS = workload.slo.ttftS ?? Number.POSITIVE_INFINITY;
  const tpotS = workload.slo.tpotS ?? Number.POSITIVE_INFINITY;
  const sizes = replicaSizes(accelerator.domainChips, workload.replicaChips);

  let best: { replica: Replica; point: ReplicaPoint; cappedFrom?: number } | undefined;
  let closest:
    | { point: ReplicaPoint; metric: 'ttft' | 'tpot'; achievedS: number; limitS: number }
    | undefined;
  let anyFits = false;
  const replicaAt = replicasOf(accelerator, workload, setup);

  for (const chips of sizes) {
    for (const layout of layoutsFor(workload, chips)) {
      // 3f: more stages add memory only (per chip, `pp` stages at batch B do no better than one
      // stage at the micro-batch ceil(B/pp)), so deeper pipelines are tried only while memory
      // binds, or while the shallower pipeline does not fit at all.
      let deeper = true;
      for (const stages of stagesFor(accelerator, workload, chips, sizes)) {
        if (!deeper) break;
        const replica = replicaAt(chips, layout, stages);
        if (replica.maxBatch < 1) continue;
        deeper = false;
        anyFits = true;
        let cap =
          workload.maxBatch === undefined ? replica.maxBatch : Math.min(replica.maxBatch, workload.maxBatch);
        let cappedFrom: number | undefined;
        if (workload.fixedBatch !== undefined) {
          if (workload.fixedBatch > cap) cappedFrom = workload.fixedBatch;
          cap = Math.min(cap, workload.fixedBatch);
        }
        // 3f: a pipeline's step depends on its micro-batch ceil(B/pp) alone, so it runs whole
        // micro-batches, B = pp * m (all pp of one sequence each when the cap is below pp).
        const pp = replica.stages;
        const units = workload.fixedBatch === undefined && pp > 1 ? Math.floor(cap / pp) : 0;
        const top = units >= 1 ? pp * units : cap;
        const memoryCapped = cap === replica.maxBatch;
        const capPoint = replicaPoint(replica, top);
        const capMeets = meetsSlo(capPoint, ttftS, tpotS);
        // Section 4: X(B) never falls with B, so X(cap)/N bounds this replica. One that cannot
        // beat the best so far is not bisected.
        if (best && perChip(capPoint) <= perChip(best.point)) {
          deeper = capMeets && memoryCapped;
          continue;
        }
        let batch: number;
        if (workload.fixedBatch !== undefined) batch = capMeets ? cap : 0;
        else if (units < 1) batch = largestFeasibleBatch(replica, cap, ttftS, tpotS, capMeets);
        else
          batch =
            pp *
            largestMeeting(units, (m) => meetsSlo(replicaPoint(replica, pp * m), ttftS, tpotS), capMeets);
        if (batch === 0) {
          const p = replicaPoint(replica, workload.fixedBatch === undefined ? 1 : cap);
          // docs/model.md 10, "Cannot meet SLO": the metric that misses by most here, and the
          // replica whose worse miss is the smallest; loosening the other limit would not run it.
          const metric = p.tpotS / tpotS >= p.ttftS / ttftS ? 'tpot' : 'ttft';
          const achievedS = metric === 'tpot' ? p.tpotS : p.ttftS;
          const limitS = metric === 'tpot' ? tpotS : ttftS;
          if (!closest || achievedS / limitS < closest.achievedS / closest.limitS) {
            closest = { point: p, metric, achievedS, limitS };
          }
          continue;
        }
        const point = batch === top ? capPoint : replicaPoint(replica, batch);
        if (!best || perChip(point) > perChip(best.point)) {
          best = cappedFrom === undefined ? { replica, point } : { replica, point, cappedFrom };
        }
        deeper = memoryCapped && batch === top;
      }
    }
  }

  // 3e: separate prefill and decode pools, where they serve more tokens per chip.
  const split = workload.mechanisms.disaggregation
    ? bestDisaggregated(accelerator, workload, setup, sizes, ttftS, tpotS)
    : undefined;
  if (split && (!best || perChip(split.point) > perChip(best.point))) {
    return {
      ok: true,
      setup,
      replica: split.replica,
      point: split.point,
      disaggregated: split.disaggregated,
    };
  }
  if (best) {
    return best.cappedFrom === undefined
      ? { ok: true, setup, replica: best.replica, point: best.point }
      : { ok: true, setup, replica: best.replica, point: best.point, batchCappedFrom: best.cappedFrom };
  }
  if (!anyFits) {
    const weights = weightBytes(workload.model, setup.weights, setup.experts).total;
    const usableBytesPerChip = accelerator.memCapacityBytes * workload.memoryUsableFraction;
    return {
      ok: false,
      setup,
      failure: {
        code: 'DOES_NOT_FIT',
        minChips: minChipsToFit(accelerator, workload, setup),
        weightBytes: weights,
        largestReplicaChips: sizes.length > 0 ? Math.max(...sizes) : 0,
        usableBytesPerChip,
      },
    };
  }
  const c = closest as NonNullable<typeof closest>;
  return {
    ok: false,
    setup,
    failure: {
      code: 'SLO_UNMET',
      metric: c.metric,
      achievedS: c.achievedS,
      limitS: c.limitS,
      chips: c.point.chips,
      batch: c.point.batch,
    },
  };
}

/** Section 3e: the decode pool's step without prefill: TPOT `t/tau`, `B*tau/t` tokens/s. */
function decodeOnly(r: Replica, batch: number): { stepS: number; tpotS: number; tokensPerS: number } {
  const stepS = decodeStepTimeS(r, batch);
  const tau = r.speculative?.tokensPerIteration ?? 1;
  return { stepS, tpotS: stepS / tau, tokensPerS: (batch * tau) / stepS };
}

/** Decode replicas per unit tried (section 3e): enough to round the prefill pool with little waste. */
const MAX_DECODE_REPLICAS_PER_UNIT = 8;

/**
 * The best disaggregated unit (docs/model.md section 3e) over prefill sizes `Np`, decode sizes
 * `Nd` with their layouts, the largest batch meeting the limits, and `d` in 1..8 decode replicas
 * per unit; undefined when none meets them.
 */
function bestDisaggregated(
  accelerator: Accelerator,
  workload: Workload,
  setup: Setup,
  sizes: readonly number[],
  ttftS: number,
  tpotS: number,
): { replica: Replica; point: ReplicaPoint; disaggregated: Disaggregation } | undefined {
  // Decode replicas carry no prefill chunks. A replica's prompt time does not depend on chunking,
  // so the same replicas, built once, also price the prefill pool.
  const decodeWorkload: Workload = workload.mechanisms.chunkedPrefill
    ? { ...workload, mechanisms: { ...workload.mechanisms, chunkedPrefill: false } }
    : workload;
  const decodeReplicaAt = replicasOf(accelerator, decodeWorkload, setup);
  const replicas = sizes.flatMap((chips) =>
    layoutsFor(workload, chips)
      .map((layout) => decodeReplicaAt(chips, layout, 1))
      .filter((r) => r.maxBatch >= 1),
  );
  // The prefill pool: per size, the layout with the least time per prompt.
  const prefills: { chips: number; prefillS: number }[] = [];
  for (const r of replicas) {
    const same = prefills.find((p) => p.chips === r.chips);
    if (!same) prefills.push({ chips: r.chips, prefillS: r.prefillS });
    else if (r.prefillS < same.prefillS) same.prefillS = r.prefillS;
  }
  if (prefills.length === 0) return undefined;
  const model = workload.model;
  // The prompt's KV cache (and a linear-attention state, section 2) crosses the scale-up link when
  // a prefill and a decode replica fit in one domain (or the scale-out network, if faster: both are
  // open then), else the scale-out network where the profile gives it.
  const kvBytes =
    workload.inputTokens * kvBytesPerToken(model, setup.kvCache) +
    kvWindowBytes(model, setup.kvCache, workload.inputTokens) +
    linearStateBytes(model);
  const scaleOut = accelerator.scaleOutBytesPerSPerDirection;
  const link = accelerator.linkBytesPerSPerDirection;
  const transferSFor = (np: number, nd: number) =>
    kvBytes /
    ((np + nd > accelerator.domainChips ? (scaleOut ?? link) : Math.max(link, scaleOut ?? 0)) *
      efficiencyAt(setup, nd).etaLink);
  const o = workload.outputTokens;
  let best: { replica: Replica; point: ReplicaPoint; disaggregated: Disaggregation } | undefined;
  let bestPerChip = 0;
  for (const r of replicas) {
    const nd = r.chips;
    let cap = workload.maxBatch === undefined ? r.maxBatch : Math.min(r.maxBatch, workload.maxBatch);
    if (workload.fixedBatch !== undefined) cap = Math.min(cap, workload.fixedBatch);
    for (const p of prefills) {
      const transferS = transferSFor(p.chips, nd);
      const ok = (b: number) => {
        const d = decodeOnly(r, b);
        return d.tpotS <= tpotS && p.prefillS + transferS + d.stepS <= ttftS;
      };
      const batch = workload.fixedBatch !== undefined ? (ok(cap) ? cap : 0) : largestMeeting(cap, ok);
      if (batch === 0) continue;
      const d = decodeOnly(r, batch);
      const decodeRequestsPerS = d.tokensPerS / o; // R_d(B), one decode replica
      const prefillRequestsPerS = 1 / p.prefillS; // one prefill replica
      for (let dr = 1; dr <= MAX_DECODE_REPLICAS_PER_UNIT; dr++) {
        // The unit serves min(d * R_d, p / t_pf) requests/s: the best p is the floor or the
        // ceiling of the prefill replicas d decode replicas keep busy.
        const exact = (dr * decodeRequestsPerS) / prefillRequestsPerS;
        for (const pr of new Set([Math.max(1, Math.floor(exact)), Math.max(1, Math.ceil(exact - 1e-9))])) {
          const chips = dr * nd + pr * p.chips;
          const requestsPerS = Math.min(dr * decodeRequestsPerS, pr * prefillRequestsPerS);
          const tokensPerS = requestsPerS * o;
          if (tokensPerS / chips <= bestPerChip) continue;
          bestPerChip = tokensPerS / chips;
          best = {
            replica: r,
            point: {
              chips,
              batch,
              stepS: d.stepS,
              prefillS: p.prefillS,
              batchTimeS: (batch * o) / d.tokensPerS,
              outputTokensPerS: tokensPerS,
              requestsPerS,
              tpotS: d.tpotS,
              ttftS: p.prefillS + transferS + d.stepS,
            },
            disaggregated: {
              prefillChips: p.chips,
              prefillReplicas: pr,
              decodeChips: nd,
              decodeReplicas: dr,
              prefillS: p.prefillS,
              transferS,
            },
          };
        }
      }
    }
  }
  return best;
}

/**
 * Fewest chips (any count, not only the allowed sizes) that hold the weights and one sequence;
 * 0 when no count up to 4096 does (an MLA latent replicated per chip can outgrow every chip).
 */
export function minChipsToFit(accelerator: Accelerator, workload: Workload, setup: Setup): number {
  const limit = 4096;
  let n = Math.max(
    1,
    Math.ceil(
      weightBytes(workload.model, setup.weights, setup.experts).total /
        (accelerator.memCapacityBytes * workload.memoryUsableFraction),
    ),
  );
  const replicaAt = replicasOf(accelerator, workload, setup);
  const layout = workload.parallelism ?? 'tp';
  while (n <= limit) {
    if (replicaAt(n, layout, 1).maxBatch >= 1) return n;
    n += 1;
  }
  return 0;
}
