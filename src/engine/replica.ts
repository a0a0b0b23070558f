import { kvBytesPerTokenReplica, queryWidth, type WeightBytes, weightBytes } from './bytes.js';
import { bytesPerElement } from './precision.js';
import type { Accelerator, Efficiency, Model, Precision } from './types.js';

export interface ReplicaInputs {
  readonly accelerator: Pick<
    Accelerator,
    'memCapacityBytes' | 'memBandwidthBytesPerS' | 'linkBytesPerSPerDirection' | 'collectiveLatencyS'
  >;
  readonly model: Model;
  /** Effective precisions after the compute fallback (weights may have been quantised). */
  readonly weights: Precision;
  readonly activations: Precision;
  readonly kvCache: Precision;
  /** `F`: dense matmul rate of the chosen compute format, per chip. */
  readonly flopsPerS: number;
  readonly efficiency: Efficiency;
  readonly chips: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputFraction: number;
  readonly memoryUsableFraction: number;
}

/**
 * One replica of `N` chips with every batch-independent term of docs/model.md section 3
 * computed once, so evaluating a batch size is a handful of arithmetic operations.
 */
export interface Replica {
  readonly chips: number;
  readonly weights: WeightBytes;
  /** `kvN`: KV bytes per token of context held by the whole replica. */
  readonly kvBytesPerTokenReplica: number;
  /** `Bmax(N)`; below 1 the model does not fit. */
  readonly maxBatch: number;
  /** `t_pf`: prefill time of one request. */
  readonly prefillS: number;
  readonly outputTokens: number;
  /** `1 - k/E` for MoE models (probability a given expert is not picked by one token). */
  readonly expertMissProbability: number;
  readonly memBytesPerSEffective: number;
  readonly kvBytesPerSequenceDecode: number;
  readonly computeSPerSequence: number;
  readonly commSPerSequence: number;
  readonly commFixedS: number;
  readonly stepOverheadS: number;
}

/** Builds the replica constants (section 3: memory fit, decode step, prefill). */
export function buildReplica(inputs: ReplicaInputs): Replica {
  const { model, efficiency, chips: n, inputTokens: i, outputTokens: o } = inputs;
  const acc = inputs.accelerator;
  const weights = weightBytes(model, inputs.weights);
  const kvN = kvBytesPerTokenReplica(model, inputs.kvCache, n);
  const q = queryWidth(model);
  const bAct = bytesPerElement(inputs.activations);
  const f = inputs.flopsPerS;

  // Memory fit: W + B * (I + O) * kvN <= N * C * m
  const usableBytes = n * acc.memCapacityBytes * inputs.memoryUsableFraction;
  const maxBatch = Math.max(0, Math.floor((usableBytes - weights.total) / ((i + o) * kvN)));

  const meanContext = i + o / 2; // Lbar
  const uncachedInput = i * (1 - inputs.cachedInputFraction); // Ip
  const linkBytesPerS = acc.linkBytesPerSPerDirection * efficiency.etaLink;
  const ringFactor = (2 * (n - 1)) / n;
  const multiChip = n > 1;

  const prefillComputeS =
    (2 * model.paramsActive * uncachedInput + 2 * model.layers * q * uncachedInput ** 2) /
    (n * f * efficiency.etaPrefill);
  const prefillCommS = multiChip
    ? 2 *
      model.layers *
      ((ringFactor * (uncachedInput * model.hidden * bAct)) / linkBytesPerS + acc.collectiveLatencyS)
    : 0;

  return {
    chips: n,
    weights,
    kvBytesPerTokenReplica: kvN,
    maxBatch,
    prefillS: prefillComputeS + prefillCommS,
    outputTokens: o,
    expertMissProbability: model.moe ? 1 - model.moe.expertsPerToken / model.moe.experts : 0,
    memBytesPerSEffective: n * acc.memBandwidthBytesPerS * efficiency.etaMem,
    kvBytesPerSequenceDecode: meanContext * kvN,
    computeSPerSequence:
      (2 * model.paramsActive + 4 * model.layers * q * meanContext) / (n * f * efficiency.etaDecode),
    commSPerSequence: multiChip ? (2 * model.layers * ringFactor * model.hidden * bAct) / linkBytesPerS : 0,
    commFixedS: multiChip ? 2 * model.layers * acc.collectiveLatencyS : 0,
    stepOverheadS: efficiency.tStep0S,
  };
}

/** `touched(B) = Wd + We * (1 - (1 - k/E)^B)` (section 3). */
export function touchedWeightBytes(r: Replica, batch: number): number {
  if (r.weights.routed === 0) return r.weights.total;
  return r.weights.dense + r.weights.routed * (1 - r.expertMissProbability ** batch);
}

export interface DecodeStep {
  readonly memoryS: number;
  readonly computeS: number;
  readonly commS: number;
  readonly overheadS: number;
  /** `t_step(B) = max(t_mem, t_cmp) + t_comm + t_step0` */
  readonly totalS: number;
}

/** Decode step time at batch `B`, term by term (section 3). */
export function decodeStep(r: Replica, batch: number): DecodeStep {
  const memoryS =
    (touchedWeightBytes(r, batch) + batch * r.kvBytesPerSequenceDecode) / r.memBytesPerSEffective;
  const computeS = batch * r.computeSPerSequence;
  const commS = batch * r.commSPerSequence + r.commFixedS;
  return {
    memoryS,
    computeS,
    commS,
    overheadS: r.stepOverheadS,
    totalS: Math.max(memoryS, computeS) + commS + r.stepOverheadS,
  };
}

/** `t_step(B)` alone: the hot path of the deployment search. */
export function decodeStepTimeS(r: Replica, batch: number): number {
  const memoryS =
    (touchedWeightBytes(r, batch) + batch * r.kvBytesPerSequenceDecode) / r.memBytesPerSEffective;
  const computeS = batch * r.computeSPerSequence;
  return Math.max(memoryS, computeS) + batch * r.commSPerSequence + r.commFixedS + r.stepOverheadS;
}

export interface ReplicaPoint {
  readonly chips: number;
  readonly batch: number;
  readonly stepS: number;
  readonly prefillS: number;
  /** `T(B) = B * t_pf + O * t_step(B)`: time to serve B requests end to end. */
  readonly batchTimeS: number;
  /** `X(B) = B * O / T(B)` */
  readonly outputTokensPerS: number;
  /** `R(B) = B / T(B)` */
  readonly requestsPerS: number;
  /** `TPOT(B) = T(B) / O` */
  readonly tpotS: number;
  /** `TTFT(B) = t_pf + t_step(B)` */
  readonly ttftS: number;
}

/** Continuous-batching steady state at batch `B` (section 3). */
export function replicaPoint(r: Replica, batch: number): ReplicaPoint {
  const stepS = decodeStepTimeS(r, batch);
  const batchTimeS = batch * r.prefillS + r.outputTokens * stepS;
  return {
    chips: r.chips,
    batch,
    stepS,
    prefillS: r.prefillS,
    batchTimeS,
    outputTokensPerS: (batch * r.outputTokens) / batchTimeS,
    requestsPerS: batch / batchTimeS,
    tpotS: batchTimeS / r.outputTokens,
    ttftS: r.prefillS + stepS,
  };
}
