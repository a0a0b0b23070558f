import {
  fullAttentionLayers,
  kvBytesPerToken,
  kvReplication,
  kvWindowBytes,
  linearAttentionFlopsPerToken,
  linearStateBytes,
  linearStateReplication,
  type WeightBytes,
  weightBytes,
} from './bytes.js';
import { bytesPerElement } from './precision.js';
import type {
  Accelerator,
  Efficiency,
  EngineConstants,
  Mechanisms,
  Model,
  Parallelism,
  Precision,
} from './types.js';

/** What a replica is built from, but its size, layout and stages (replicaBuilder's arguments). */
export interface ReplicaInputs {
  readonly accelerator: Pick<
    Accelerator,
    | 'memCapacityBytes'
    | 'memBandwidthBytesPerS'
    | 'linkBytesPerSPerDirection'
    | 'collectiveLatencyS'
    | 'scaleOutBytesPerSPerDirection'
    | 'torusDims'
    | 'kvAdmission'
  >;
  readonly model: Model;
  /** Effective precisions after the compute fallback (weights may have been quantised). */
  readonly weights: Precision;
  readonly activations: Precision;
  readonly kvCache: Precision;
  /** The routed experts' format, where it differs from `weights`. */
  readonly experts?: Precision | undefined;
  /** `F`: matmul rate of the chosen compute format, per chip (3a.9: of the dense weights' GEMMs). */
  readonly flopsPerS: number;
  /** 3a.9: the routed experts' GEMM rate (`F` when that correction is off or the model has none). */
  readonly expertFlopsPerS?: number | undefined;
  /** `F_attn`: the rate attention runs at (section 3a.5); `F` when that correction is off. */
  readonly attentionFlopsPerS: number;
  /** 3a.14, 3a.15: decode attention's rate where it differs from `F_attn` (FP8 on TensorRT-LLM). */
  readonly decodeAttentionFlopsPerS?: number | undefined;
  readonly efficiency: Efficiency;
  readonly mechanisms: Mechanisms;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputFraction: number;
  readonly memoryUsableFraction: number;
  /** Prefill tokens an iteration may carry (3b.2). */
  readonly chunkTokens: number;
  /** Section 3c: a draft model proposing `tokens` per iteration, accepted with probability `acceptance`. */
  readonly speculative?:
    | { readonly draft: Model; readonly tokens: number; readonly acceptance: number }
    | undefined;
  /** Chosen constants of 3a.8 and 3a.12 other than the engine's (backtest `--choose`). */
  readonly constants?: Partial<EngineConstants> | undefined;
}

/**
 * One replica of `N` chips with every batch-independent term of docs/model.md sections 3 and
 * 3a computed once, so evaluating a batch size is a handful of arithmetic operations.
 */
export interface Replica {
  /** All chips of the replica: `stages * N`. */
  readonly chips: number;
  /** Section 3f: pipeline stages (1: none) and the chips `N` of each. */
  readonly stages: number;
  readonly stageChips: number;
  /** 3f: point-to-point time between stages per sequence of a micro-batch, and its latency. */
  readonly p2pSPerSequence: number;
  readonly p2pFixedS: number;
  /** 3f: the step overhead of one stage. */
  readonly stageOverheadS: number;
  /** A prompt's time to its first token's prefill end (`t_pf`, plus stage hops under 3f). */
  readonly prefillLatencyS: number;
  /** `tp` (section 3) or `ep` (section 3d; MoE models on more than one chip only). */
  readonly parallelism: Parallelism;
  readonly weights: WeightBytes;
  /** `kvN`: KV bytes per token of context held by the whole replica. */
  readonly kvBytesPerTokenReplica: number;
  /** `Bmax(N)`; below 1 the model does not fit. */
  readonly maxBatch: number;
  /** Bytes one sequence holds in the memory fit: `L_fit * kvN` plus sliding windows and linear states. */
  readonly fitBytesPerSequence: number;
  /** `t_pf`: the replica's time per prompt (under 3f, `t_pf(N) / pp`: stages overlap prompts). */
  readonly prefillS: number;
  readonly outputTokens: number;
  /** `1 - k/E` for MoE models (probability a given expert is not picked by one token). */
  readonly expertMissProbability: number;
  /** Weights read at every decode step whatever the batch (`Wd`, less the embedding table under 3a.4). */
  readonly denseReadBytes: number;
  readonly memBytesPerSEffective: number;
  /** Per sequence in the batch: KV read time (3a.8 included), GEMM time and attention time at the mean context. */
  readonly kvSPerSequence: number;
  readonly gemmSPerSequence: number;
  /**
   * 3a.7: the routed experts' GEMMs, when counted by rows: time per row of one expert, `k`,
   * `E` and the tile; `gemmSPerSequence` then leaves them out.
   */
  readonly expertGemm:
    | {
        readonly sPerRow: number;
        readonly expertsPerToken: number;
        readonly experts: number;
        readonly tileRows: number;
      }
    | undefined;
  readonly attentionSPerSequence: number;
  /** No draft (3c), stages (3f), prefill chunks (3b.2) or expert tiles (3a.7): section 3/3a alone. */
  readonly plain: boolean;
  /** True: `max(t_w, t_gemm) + max(t_kv, t_attn)` (3a.1); false: `max(t_w + t_kv, t_gemm + t_attn)`. */
  readonly perOperator: boolean;
  /** 3a.11: the decode roofline joins its terms by `hypot` instead of `max`. */
  readonly softRoofline: boolean;
  readonly commSPerSequence: number;
  readonly commFixedS: number;
  readonly stepOverheadS: number;
  /**
   * 3b.2 chunked prefill: one request's prefill compute (GEMMs, attention, communication), spread
   * over its O iterations and run inside the step's roofline; undefined when off.
   */
  readonly chunked:
    | {
        readonly gemmS: number;
        readonly attnS: number;
        readonly commS: number;
        /** Iterations a prompt takes: `ceil(Ip / chunk_tokens)`. */
        readonly promptIterations: number;
      }
    | undefined;
  /** Section 3c: the draft's replica on the same chips, `k`, and `tau(k, a)` tokens per iteration. */
  readonly speculative:
    | {
        readonly draft: Replica;
        readonly tokens: number;
        readonly tokensPerIteration: number;
      }
    | undefined;
}

/**
 * Section 3g: an all-reduce's bandwidth time on `n` chips of a torus with dimensions `podDims`,
 * over what a switched fabric takes (`2 (n-1)/n` of the data at the chip's full rate `LB`). The
 * slice fills the dimensions in order; along dimension `i` a ring of `k_i` chips reduces what is
 * left (`1 / (k_1 ... k_{i-1})` of the data) at `LB / d` per direction when it closes on itself
 * (`k_i` the whole dimension, both ports used) and `LB / 2d` when it is a line (a sub-slice
 * without wrap-around links, every link crossed twice).
 */
export function torusAllReduceFactor(podDims: readonly number[], n: number): number {
  if (n <= 1) return 1;
  const d = podDims.length;
  let remaining = n;
  let share = 1;
  let time = 0;
  const ring = (k: number, rate: number) => {
    time += ((2 * (k - 1)) / k) * (share / rate);
    share /= k;
  };
  for (const dim of podDims) {
    if (remaining <= 1) break;
    const k = Math.min(dim, remaining);
    ring(k, k === dim ? 1 / d : 1 / (2 * d));
    remaining /= k;
  }
  // A slice larger than the torus (cubes joined by optical switches): one more line.
  if (remaining > 1) ring(remaining, 1 / (2 * d));
  return time / ((2 * (n - 1)) / n);
}

/**
 * 3a.8: the share of their factor's efficiency attention kernels reach. An estimate (0.70-0.80),
 * not a published figure: docs/model.md 3a.8 says how it was chosen.
 */
export const ATTENTION_EFFICIENCY_RATIO = 0.75;

/**
 * 3a.12: the share of their factor's efficiency the routed experts' GEMMs reach. An estimate,
 * not a published figure: docs/model.md 3a.12 says how it was chosen.
 */
export const EXPERT_EFFICIENCY_RATIO = 0.3;

/** 3a.7: rows of one GEMM tile (an assumption: the common 128-row CTA of grouped-GEMM kernels). */
export const EXPERT_TILE_ROWS = 128;

/**
 * 3a.7: expert GEMM time for `tokens` tokens in one step: `max(tokens * k, E * cov * T)` rows,
 * `cov = 1 - (1 - k/E)^tokens` the experts touched, each costing at least a tile of `T` rows.
 */
function expertGemmS(r: Replica, tokens: number): number {
  const g = r.expertGemm;
  if (!g) return 0;
  const touched = g.experts * (1 - r.expertMissProbability ** tokens);
  return Math.max(tokens * g.expertsPerToken, touched * g.tileRows) * g.sPerRow;
}

/** `tau(k, a) = (1 - a^(k+1)) / (1 - a)`: expected tokens one iteration yields per sequence (3c). */
export function tokensPerIteration(tokens: number, acceptance: number): number {
  if (acceptance >= 1) return tokens + 1;
  return (1 - acceptance ** (tokens + 1)) / (1 - acceptance);
}

/**
 * Attention FLOPs per token per layer per token of context (section 3a.6): `2*heads*(dk + dv)`,
 * or with MLA weight absorption `2*heads*(2*r + rope)` (scores and values over the latent).
 */
function attentionFlopsPerContextToken(model: Model, absorbed: boolean): number {
  if (absorbed && model.mla) return 2 * model.heads * (2 * model.mla.kvLoraRank + model.mla.ropeHeadDim);
  return 2 * model.heads * ((model.qkHeadDim ?? model.headDim) + model.headDim);
}

/**
 * The draft of section 3c: the same chips, batch and precisions, its own model, no draft of its
 * own. Without 3b.4, `t_step0` is one charge per iteration, paid by the verify pass: the draft's
 * steps, inside the iteration, add none. With 3b.4 each draft step pays its own layers' share.
 */
function draftInputs(inputs: ReplicaInputs, draft: Model): ReplicaInputs {
  const { speculative: _s, experts: _e, ...rest } = inputs;
  const efficiency = inputs.mechanisms.perLayerOverhead
    ? inputs.efficiency
    : { ...inputs.efficiency, tStep0S: 0 };
  return { ...rest, model: draft, efficiency };
}

/**
 * The replicas of one setup at any size (sections 3 and 3a: memory fit, decode step, prefill):
 * the terms that do not depend on the chips `N`, the layout (3d: `ep` spreads an MoE model's
 * experts and replicates the rest) or the pipeline stages (3f) are computed once here, as a
 * deployment search builds up to 14 sizes; the rest per call.
 */
export function replicaBuilder(
  inputs: ReplicaInputs,
): (n: number, parallelism: Parallelism, stages: number) => Replica {
  const { model, efficiency, mechanisms: mech, inputTokens: i, outputTokens: o } = inputs;
  const acc = inputs.accelerator;
  const weights = weightBytes(model, inputs.weights, inputs.experts);
  const bAct = bytesPerElement(inputs.activations);
  // 3a.3: tensor-parallel partial sums are reduced in BF16 even when activations are FP8.
  const bComm = mech.allReduceBf16 ? Math.max(bAct, 2) : bAct;
  const f = inputs.flopsPerS;
  const fExpert = inputs.expertFlopsPerS ?? f;
  const fAttn = inputs.attentionFlopsPerS;
  // 3a.14, 3a.15: decode attention at the FP8 rate where the setup found it; under 3a.14 alone
  // only for a model with MLA (never a draft without it).
  const fAttnDecode = model.mla || mech.fp8Attention ? (inputs.decodeAttentionFlopsPerS ?? fAttn) : fAttn;
  // Memory fit: W + B * L_fit * kvN <= N * C * m, with L_fit the peak context I + O, or under
  // 3b.1 the steady-state mean I + O/2 with 10% headroom (never above the peak); under 3b.7 the
  // steady state only where the stack admits by occupancy (vLLM preempts; TensorRT-LLM reserves).
  const steady = mech.steadyStateKv || (mech.stackKvAdmission && acc.kvAdmission === 'occupancy');
  const fitContext = steady ? Math.min(i + o, 1.1 * (i + o / 2)) : i + o;
  // Sliding-window layers hold min(L, window) tokens per sequence, replicated like the rest.
  const fitWindowBytes = kvWindowBytes(model, inputs.kvCache, fitContext);
  // 3c: a draft model shares the chips: its weights and its KV cache join the fit.
  const spec = inputs.speculative;
  const draftBuilder = spec ? replicaBuilder(draftInputs(inputs, spec.draft)) : undefined;
  const tokensPerSpecIteration = spec ? tokensPerIteration(spec.tokens, spec.acceptance) : 0;

  const meanContext = i + o / 2; // Lbar
  const meanWindowBytes = kvWindowBytes(model, inputs.kvCache, meanContext);
  // Linear-attention layers hold a fixed state per sequence, whatever its context (section 2).
  const stateBytes = linearStateBytes(model);
  const kvPerToken = kvBytesPerToken(model, inputs.kvCache);
  const uncachedInput = i * (1 - inputs.cachedInputFraction); // Ip
  const linkBytesPerS = acc.linkBytesPerSPerDirection * efficiency.etaLink;

  // 3a.4: the embedding is a lookup (B rows read, no matmul); the LM head is a matmul, and a
  // prefill needs its output for the last prompt token only.
  const table = (model.vocabSize ?? 0) * model.hidden; // parameters of one vocab x hidden matrix
  const lookup = mech.embeddingLookup && table > 0;
  const embeddingParams = lookup && !model.tiedEmbeddings ? table : 0;
  // 3a.7: the routed experts' matmuls counted per touched expert, at least one tile of rows each.
  const moe = model.moe;
  const tiles = mech.expertGemmTiles && moe !== undefined;
  const paramsPerExpert = moe ? moe.expertParams / moe.experts : 0;
  const gemmParamsDecode =
    model.paramsActive - embeddingParams - (tiles && moe ? moe.expertsPerToken * paramsPerExpert : 0);
  const gemmParamsPrefillPerToken = lookup
    ? model.paramsActive - embeddingParams - table
    : model.paramsActive;
  const headFlopsPerRequest = lookup ? 2 * table : 0;
  const prefillGemmFlops = 2 * gemmParamsPrefillPerToken * uncachedInput + headFlopsPerRequest;
  // 3a.9: the routed experts' share of those FLOPs, at their own rate where it differs.
  const expertActiveParams = moe ? moe.expertsPerToken * paramsPerExpert : 0;
  // 3a.12: the routed experts' GEMMs reach r_moe of the factor's efficiency.
  const expertShare =
    mech.expertEfficiency && moe !== undefined
      ? (inputs.constants?.expertEfficiencyRatio ?? EXPERT_EFFICIENCY_RATIO)
      : 1;
  const ownExpertRate = (fExpert !== f || expertShare !== 1) && expertActiveParams > 0;
  const prefillExpertFlops = ownExpertRate ? 2 * expertActiveParams * uncachedInput : 0;
  // Decode: the experts inside gemmParamsDecode (when 3a.7 does not count them by tiles).
  const decodeExpertParams = ownExpertRate && !tiles ? expertActiveParams : 0;
  // Always-read weight bytes of one copy (3d: under EP every chip reads its own).
  const denseCopyBytes = weights.dense - embeddingParams * bytesPerElement(inputs.weights);

  // Full-attention layers attend over the whole context; sliding ones over at most their window.
  const fullLayers = fullAttentionLayers(model);
  const window = model.sliding?.windowTokens ?? 0;
  const slidingLayers = model.sliding?.layers ?? 0;
  // Linear-attention layers: a fixed count per token, run as attention (section 2).
  const linearFlopsPerToken = linearAttentionFlopsPerToken(model);
  const decodeAttnFlops =
    attentionFlopsPerContextToken(model, mech.mlaAbsorbed) *
      (fullLayers * meanContext + slidingLayers * Math.min(window, meanContext)) +
    linearFlopsPerToken;
  // Causal prefill: Ip^2/2 token pairs per full layer; a sliding layer pairs each token with at
  // most `window` earlier ones: Ip*w - w^2/2 when Ip > w.
  const slidingPairs =
    uncachedInput > window ? uncachedInput * window - window ** 2 / 2 : uncachedInput ** 2 / 2;
  const prefillAttnFlops =
    attentionFlopsPerContextToken(model, false) *
      (fullLayers * (uncachedInput ** 2 / 2) + slidingLayers * slidingPairs) +
    linearFlopsPerToken * uncachedInput;

  // Prefill of one request: GEMMs, causal attention (Ip^2 / 2 pairs), and with 3a.2 the weights
  // read once, each expert the prompt's tokens pick (coverage over Ip tokens).
  const missP = model.moe ? 1 - model.moe.expertsPerToken / model.moe.experts : 0;
  const routedPrefillBytes = weights.routed * (1 - missP ** uncachedInput);
  // 3b.4: launches and synchronisation are per layer: t_step0 is stated for an 80-layer model.
  const stepOverheadS = mech.perLayerOverhead ? (efficiency.tStep0S * model.layers) / 80 : efficiency.tStep0S;
  // 3f: activations cross the scale-out network between stages.
  const p2pBytesPerS =
    (acc.scaleOutBytesPerSPerDirection ?? acc.linkBytesPerSPerDirection) * efficiency.etaLink;
  const promptIterations = Math.max(1, Math.ceil(uncachedInput / inputs.chunkTokens));

  return (n, parallelism, stages) => {
    // 3d: expert parallelism replicates the always-read weights on every chip and spreads the experts.
    const ep = parallelism === 'ep' && model.moe !== undefined && n > 1;
    const heldWeightBytes = ep ? n * weights.dense + weights.routed : weights.total;
    // 3b.3 (and 3d): each chip keeps its own sequences' cache and state, so nothing is replicated;
    // else a KV head (section 2), or a linear layer's key head, is copied once chips outnumber them.
    const ownSequences = mech.dpAttention || ep;
    const replication = ownSequences ? 1 : kvReplication(model, n);
    const kvN = kvPerToken * replication; // = kvBytesPerTokenReplica(model, kvCache, own ? 1 : n)
    // 3f: pp stages of n chips hold the model once between them.
    const pp = Math.max(1, stages);
    const usableBytes = pp * n * acc.memCapacityBytes * inputs.memoryUsableFraction;
    const stateN = stateBytes * (ownSequences ? 1 : linearStateReplication(model, n));
    const perSequenceFit = fitContext * kvN + fitWindowBytes * replication + stateN;
    const draft = draftBuilder?.(n, parallelism, 1);
    const fitBytesPerSequence = perSequenceFit + (draft?.fitBytesPerSequence ?? 0);
    const maxBatch = Math.max(
      0,
      Math.floor((usableBytes - heldWeightBytes - (draft?.weights.total ?? 0)) / fitBytesPerSequence),
    );

    const ringFactor = (2 * (n - 1)) / n;
    const multiChip = n > 1;
    const memBytesPerSEffective = n * acc.memBandwidthBytesPerS * efficiency.etaMem;
    const denseReadBytes = (ep ? n : 1) * denseCopyBytes;

    const prefillGemmS =
      (prefillGemmFlops - prefillExpertFlops) / (n * f * efficiency.etaPrefill) +
      prefillExpertFlops / (n * fExpert * efficiency.etaPrefill * expertShare);
    // 3a.8: attention kernels reach r_attn of the efficiency the whole-step factors were fitted at.
    const attnShare = mech.attentionEfficiency
      ? (inputs.constants?.attentionEfficiencyRatio ?? ATTENTION_EFFICIENCY_RATIO)
      : 1;
    // 3a.10: a decode GEMM is the prefill's kernel with B rows; the roofline's max already bounds it by the read.
    const etaDecodeGemm = mech.oneGemmEfficiency ? efficiency.etaPrefill : efficiency.etaDecode;
    const prefillAttnS = prefillAttnFlops / (n * fAttn * efficiency.etaPrefill * attnShare);
    const prefillReadS = (denseReadBytes + routedPrefillBytes) / memBytesPerSEffective;
    const prefillCoreS = !mech.prefillMemory
      ? prefillGemmS + prefillAttnS
      : mech.perOperatorRoofline
        ? Math.max(prefillReadS, prefillGemmS) + prefillAttnS
        : Math.max(prefillReadS, prefillGemmS + prefillAttnS);
    // Traffic per token of the batch and per step. Section 3: two ring all-reduces of the hidden
    // vector per layer. 3d: per layer an all-to-all dispatch and combine of the token's hidden vector
    // to its k experts, (N-1)/N of them elsewhere, each chip sending for its own B/N tokens.
    // 3g: on a torus an all-reduce runs dimension by dimension over that dimension's ports.
    const torus = mech.torusCollectives && acc.torusDims ? torusAllReduceFactor(acc.torusDims, n) : 1;
    const commSPerToken = !multiChip
      ? 0
      : ep
        ? (2 * model.layers * (model.moe?.expertsPerToken ?? 1) * model.hidden * bComm * ((n - 1) / n)) /
          (n * linkBytesPerS)
        : (torus * 2 * model.layers * ringFactor * model.hidden * bComm) / linkBytesPerS;
    // 12a `collective_latency_fit`: the fitted per-collective latency, where the fit gave one.
    const alphaS =
      mech.collectiveLatencyFit && efficiency.collectiveLatencyS !== undefined
        ? efficiency.collectiveLatencyS
        : acc.collectiveLatencyS;
    const commFixedS = multiChip ? 2 * model.layers * alphaS : 0;
    const prefillCommS = uncachedInput * commSPerToken + commFixedS;

    const prefillOneS = prefillCoreS + prefillCommS + (draft?.prefillS ?? 0);
    const p2pSPerSequence = pp > 1 ? (model.hidden * bAct) / p2pBytesPerS : 0;
    const p2pFixedS = pp > 1 ? alphaS : 0;
    return {
      chips: pp * n,
      stages: pp,
      stageChips: n,
      p2pSPerSequence,
      p2pFixedS,
      stageOverheadS: mech.perLayerOverhead ? stepOverheadS / pp : stepOverheadS,
      prefillLatencyS: prefillOneS + (pp - 1) * (uncachedInput * p2pSPerSequence + p2pFixedS),
      parallelism: ep ? 'ep' : 'tp',
      weights,
      kvBytesPerTokenReplica: kvN,
      maxBatch,
      fitBytesPerSequence,
      prefillS: prefillOneS / pp,
      outputTokens: o,
      expertMissProbability: missP,
      denseReadBytes,
      memBytesPerSEffective,
      // 3a.13: the KV read streams like a weight read, at eta_mem; r_attn slows the FLOPs only.
      // A linear layer's state is read and written every step: 2 * SN (section 2).
      kvSPerSequence:
        (meanContext * kvN + meanWindowBytes * replication + 2 * stateN) /
        (memBytesPerSEffective * (mech.kvReadsAtMem ? 1 : attnShare)),
      gemmSPerSequence:
        (2 * (gemmParamsDecode - decodeExpertParams)) / (n * f * etaDecodeGemm) +
        (2 * decodeExpertParams) / (n * fExpert * etaDecodeGemm * expertShare),
      // Every field is always present (undefined when off): one object shape for V8, no spreads.
      expertGemm:
        tiles && moe
          ? {
              sPerRow: (2 * paramsPerExpert) / (n * fExpert * etaDecodeGemm * expertShare),
              expertsPerToken: moe.expertsPerToken,
              experts: moe.experts,
              tileRows: EXPERT_TILE_ROWS,
            }
          : undefined,
      attentionSPerSequence: decodeAttnFlops / (n * fAttnDecode * efficiency.etaDecode * attnShare),
      plain: !spec && pp === 1 && !mech.chunkedPrefill && !tiles,
      perOperator: mech.perOperatorRoofline,
      softRoofline: mech.softRoofline,
      commSPerSequence: commSPerToken,
      commFixedS,
      stepOverheadS,
      chunked: mech.chunkedPrefill
        ? { gemmS: prefillGemmS, attnS: prefillAttnS, commS: prefillCommS, promptIterations }
        : undefined,
      speculative:
        spec && draft
          ? { draft, tokens: spec.tokens, tokensPerIteration: tokensPerSpecIteration }
          : undefined,
    };
  };
}

/**
 * Weights read by a decode step at batch B (section 3): `touched(B) = Wd + We * (1 - (1 - k/E)^B)`,
 * with `Wd` less the embedding table when 3a.4 is on.
 */
export function touchedWeightBytes(r: Replica, batch: number): number {
  if (r.weights.routed === 0) return r.denseReadBytes;
  return r.denseReadBytes + r.weights.routed * (1 - r.expertMissProbability ** batch);
}

export interface DecodeStep {
  /** Weights and KV read: `t_w + t_kv`. */
  readonly memoryS: number;
  /** GEMMs and attention: `t_gemm + t_attn`. */
  readonly computeS: number;
  readonly commS: number;
  readonly overheadS: number;
  /** `max(t_w, t_gemm) + max(t_kv, t_attn)` (3a.1) or `max(t_w + t_kv, t_gemm + t_attn)`, `+ t_comm + t_step0` */
  readonly totalS: number;
}

/** Which side of the roofline sets the step: its reads or its arithmetic (memory on a tie). */
export function stepBound(step: DecodeStep): 'memory' | 'compute' {
  return step.memoryS >= step.computeS ? 'memory' : 'compute';
}

/** Section 3's decode roofline (3a.1 per operator; 3a.11 a soft knee: `hypot` for `max`). */
function roofline(r: Replica, w: number, kv: number, gemm: number, attn: number): number {
  const join = r.softRoofline ? Math.hypot : Math.max;
  return r.perOperator ? join(w, gemm) + join(kv, attn) : join(w + kv, gemm + attn);
}

/**
 * The step's roofline terms at batch `B` with `q` query tokens per sequence (`q = k + 1` for a
 * speculative verify pass, section 3c; 1 otherwise): weights read once (the experts `B * q`
 * tokens pick), KV read once, per-token compute and traffic times `q`.
 */
function coreS(
  r: Replica,
  batch: number,
  q = 1,
): { w: number; kv: number; gemm: number; attn: number; core: number } {
  const w = touchedWeightBytes(r, batch * q) / r.memBytesPerSEffective;
  const kv = batch * r.kvSPerSequence;
  // 3b.2: B/O of a prefill per iteration, its compute inside the same roofline.
  const share = r.chunked ? batch / r.outputTokens : 0;
  const gemm = batch * q * r.gemmSPerSequence + expertGemmS(r, batch * q) + share * (r.chunked?.gemmS ?? 0);
  const attn = batch * q * r.attentionSPerSequence + share * (r.chunked?.attnS ?? 0);
  const core = roofline(r, w, kv, gemm, attn);
  return { w, kv, gemm, attn, core };
}

function commS(r: Replica, batch: number, q = 1): number {
  const share = r.chunked ? (batch / r.outputTokens) * r.chunked.commS : 0;
  return batch * q * r.commSPerSequence + r.commFixedS + share;
}

/**
 * 3f: `pp` micro-batches flow through `pp` stages; a step of the whole batch is the section-3
 * terms of the whole model at the largest micro-batch, `ceil(B/pp)` whole sequences, plus each
 * stage's overhead and hop.
 */
function pipelinedStep(r: Replica, batch: number): DecodeStep {
  const pp = r.stages;
  const b = Math.ceil(batch / pp);
  const c = coreS(r, b);
  const comm = commS(r, b) + pp * (b * r.p2pSPerSequence + r.p2pFixedS);
  const overheadS = pp * r.stageOverheadS;
  return {
    memoryS: c.w + c.kv,
    computeS: c.gemm + c.attn,
    commS: comm,
    overheadS,
    totalS: c.core + comm + overheadS,
  };
}

/** Decode step (or, under 3c, iteration) time at batch `B`, term by term (sections 3, 3a, 3c, 3f). */
export function decodeStep(r: Replica, batch: number): DecodeStep {
  if (r.stages > 1) return pipelinedStep(r, batch);
  const q = r.speculative ? r.speculative.tokens + 1 : 1;
  const c = coreS(r, batch, q);
  const comm = commS(r, batch, q);
  const own: DecodeStep = {
    memoryS: c.w + c.kv,
    computeS: c.gemm + c.attn,
    commS: comm,
    overheadS: r.stepOverheadS,
    totalS: c.core + comm + r.stepOverheadS,
  };
  if (!r.speculative) return own;
  // 3c: k draft steps precede the verify pass.
  const k = r.speculative.tokens;
  const d = decodeStep(r.speculative.draft, batch);
  return {
    memoryS: own.memoryS + k * d.memoryS,
    computeS: own.computeS + k * d.computeS,
    commS: own.commS + k * d.commS,
    overheadS: own.overheadS + k * d.overheadS,
    totalS: own.totalS + k * d.totalS,
  };
}

/** `t_step(B)` alone (`t_iter(B)` under 3c): the hot path of the deployment search. */
export function decodeStepTimeS(r: Replica, batch: number): number {
  // One test keeps the common case (no draft, stages, chunks or expert tiles) a straight line.
  if (!r.plain) {
    if (r.speculative || r.stages > 1) return decodeStep(r, batch).totalS;
    return coreS(r, batch).core + commS(r, batch) + r.stepOverheadS;
  }
  const w = touchedWeightBytes(r, batch) / r.memBytesPerSEffective;
  const kv = batch * r.kvSPerSequence;
  const gemm = batch * r.gemmSPerSequence;
  const attn = batch * r.attentionSPerSequence;
  const core = roofline(r, w, kv, gemm, attn);
  return core + batch * r.commSPerSequence + r.commFixedS + r.stepOverheadS;
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

/** Continuous-batching steady state at batch `B` (section 3; 3c: `tau` tokens per iteration). */
export function replicaPoint(r: Replica, batch: number): ReplicaPoint {
  const stepS = decodeStepTimeS(r, batch);
  const tau = r.speculative?.tokensPerIteration ?? 1;
  const iterations = r.outputTokens / tau;
  if (r.chunked) {
    // 3b.2: every iteration yields tau tokens per sequence; a prompt takes its chunks' iterations.
    return {
      chips: r.chips,
      batch,
      stepS,
      prefillS: r.prefillS,
      batchTimeS: iterations * stepS,
      outputTokensPerS: (batch * tau) / stepS,
      requestsPerS: batch / (iterations * stepS),
      tpotS: stepS / tau,
      ttftS: (r.chunked.promptIterations + 1) * stepS,
    };
  }
  const batchTimeS = batch * r.prefillS + iterations * stepS;
  return {
    chips: r.chips,
    batch,
    stepS,
    prefillS: r.prefillS,
    batchTimeS,
    outputTokensPerS: (batch * r.outputTokens) / batchTimeS,
    requestsPerS: batch / batchTimeS,
    tpotS: batchTimeS / r.outputTokens,
    ttftS: r.prefillLatencyS + stepS,
  };
}
