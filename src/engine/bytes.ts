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

/** Weight bytes (docs/model.md section 2). */
export function weightBytes(model: Model, weights: Precision): WeightBytes {
  const b = bytesPerElement(weights);
  const total = model.paramsTotal * b;
  const routed = model.moe ? model.moe.expertParams * b : 0;
  return { total, routed, dense: total - routed };
}

/**
 * KV-cache bytes per token of context for one sequence (section 2):
 * GQA/MHA `2 * layers * kv_heads * head_dim * b`, MLA `layers * (kv_lora_rank + rope_head_dim) * b`.
 */
export function kvBytesPerToken(model: Model, kvCache: Precision): number {
  const b = bytesPerElement(kvCache);
  if (model.mla) return model.layers * (model.mla.kvLoraRank + model.mla.ropeHeadDim) * b;
  return 2 * model.layers * (model.kvHeads ?? model.heads) * model.headDim * b;
}

/**
 * KV bytes per token held by a whole replica of `chips` chips (section 2): a KV head cannot
 * be split, so it is replicated once chips outnumber KV heads; MLA's latent sits on every chip.
 */
export function kvBytesPerTokenReplica(model: Model, kvCache: Precision, chips: number): number {
  const kv = kvBytesPerToken(model, kvCache);
  if (model.mla) return kv * chips;
  return kv * Math.max(1, chips / (model.kvHeads ?? model.heads));
}

/** Query width `q = heads * head_dim` (section 2). */
export function queryWidth(model: Model): number {
  return model.heads * model.headDim;
}
