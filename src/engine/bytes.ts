import { bytesPerElement } from './precision.js';
import type { Model, Precision } from './types.js';

export interface WeightBytes {
  /** `W = P * b(weights)` */
  readonly total: number;
  /** `We = expert_params * b(weights)`: routed experts, read only when a token picks them. */
  readonly routed: number;
  /** `Wd = W - We`: read at every decode step. */
  readonly dense: number;
}

/**
 * Weight bytes (docs/model.md section 2): routed experts at their own format where the model
 * gives one (`We = expert_params * b(experts)`), everything else at `b(weights)`.
 */
export function weightBytes(model: Model, weights: Precision, experts?: Precision): WeightBytes {
  const b = bytesPerElement(weights);
  const expertParams = model.moe ? model.moe.expertParams : 0;
  const routed = expertParams * bytesPerElement(experts ?? weights);
  const dense = (model.paramsTotal - expertParams) * b;
  return { total: dense + routed, routed, dense };
}

/**
 * KV-cache bytes per token of context for one sequence (section 2):
 * GQA/MHA `2 * layers * kv_heads * head_dim * b`, MLA `layers * (kv_lora_rank + rope_head_dim) * b`.
 */
export function kvBytesPerToken(model: Model, kvCache: Precision): number {
  const b = bytesPerElement(kvCache);
  if (model.mla) return model.layers * (model.mla.kvLoraRank + model.mla.ropeHeadDim) * b;
  return 2 * fullAttentionLayers(model) * (model.kvHeads ?? model.heads) * model.headDim * b;
}

/** Layers attending over the whole context (all but the sliding-window and linear ones). */
export function fullAttentionLayers(model: Model): number {
  return model.layers - (model.sliding?.layers ?? 0) - (model.linear?.layers ?? 0);
}

/** Bytes of a linear-attention state element: BF16 whatever the KV cache's format (section 2). */
const LINEAR_STATE_BYTES_PER_ELEMENT = 2;

/**
 * The fixed state one sequence holds in its linear-attention layers (section 2):
 * `S = layers * (hv * dk * dv + (k - 1) * (2 * hk * dk + hv * dv)) * 2` bytes, whatever its context.
 */
export function linearStateBytes(model: Model): number {
  const l = model.linear;
  if (!l) return 0;
  const recurrent = l.valueHeads * l.keyHeadDim * l.valueHeadDim;
  const conv = (l.convKernel - 1) * (2 * l.keyHeads * l.keyHeadDim + l.valueHeads * l.valueHeadDim);
  return l.layers * (recurrent + conv) * LINEAR_STATE_BYTES_PER_ELEMENT;
}

/** Copies of a sequence's linear-attention state a replica of `chips` holds: `max(1, N / hk)`. */
export function linearStateReplication(model: Model, chips: number): number {
  return model.linear ? Math.max(1, chips / model.linear.keyHeads) : 1;
}

/** FLOPs per token of the linear-attention layers (section 2): `6 * layers * hv * dk * dv`. */
export function linearAttentionFlopsPerToken(model: Model): number {
  const l = model.linear;
  return l ? 6 * l.layers * l.valueHeads * l.keyHeadDim * l.valueHeadDim : 0;
}

/**
 * KV bytes a sequence holds in its sliding-window layers at context `L` (section 2): each such
 * layer keeps `min(L, window)` tokens, `2 * kv_heads * head_dim * b` bytes each.
 */
export function kvWindowBytes(model: Model, kvCache: Precision, contextTokens: number): number {
  if (!model.sliding || model.mla) return 0;
  const perToken =
    2 * model.sliding.layers * (model.kvHeads ?? model.heads) * model.headDim * bytesPerElement(kvCache);
  return perToken * Math.min(contextTokens, model.sliding.windowTokens);
}

/**
 * KV bytes per token held by a whole replica of `chips` chips (section 2): a KV head cannot
 * be split, so it is replicated once chips outnumber KV heads; MLA's latent sits on every chip.
 */
export function kvBytesPerTokenReplica(model: Model, kvCache: Precision, chips: number): number {
  return kvBytesPerToken(model, kvCache) * kvReplication(model, chips);
}

/** How many copies of a sequence's KV a replica of `chips` chips holds (section 2). */
export function kvReplication(model: Model, chips: number): number {
  if (model.mla) return chips;
  return Math.max(1, chips / (model.kvHeads ?? model.heads));
}

/** Query width `q = heads * head_dim` (section 2). */
export function queryWidth(model: Model): number {
  return model.heads * model.headDim;
}
