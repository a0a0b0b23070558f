import { z } from 'zod';
import { idSchema, modelPrecisionSchema, once, positive, positiveInt } from './common.js';

/** A model's fields, built fresh for each schema that holds them (built on first use: common.ts once). */
const modelFields = () => ({
  name: z.string().min(1),
  params: z.strictObject({
    total_b: positive(100_000),
    active_b: positive(100_000),
  }),
  layers: positiveInt(10_000),
  hidden_size: positiveInt(1_000_000),
  heads: positiveInt(10_000),
  kv_heads: positiveInt(10_000).optional(),
  head_dim: positiveInt(100_000),
  /** Query/key head width where it differs from head_dim (the value width): DeepSeek MLA 192. */
  qk_head_dim: positiveInt(100_000).optional(),
  /** vocab_size of config.json: the embedding and the LM head are vocab x hidden each. */
  vocab_size: positiveInt(10_000_000).optional(),
  /** tie_word_embeddings of config.json: one matrix is both embedding and LM head. */
  tied_embeddings: z.boolean().optional(),
  /** Layers with sliding-window attention (config.json layer_types) and their window in tokens. */
  sliding_window: z
    .strictObject({ layers: positiveInt(10_000), window_tokens: positiveInt(100_000_000) })
    .optional(),
  /**
   * Linear-attention (Gated DeltaNet) layers, config.json's `layer_types` "linear_attention" and
   * its `linear_num_key_heads`, `linear_num_value_heads`, `linear_key_head_dim`,
   * `linear_value_head_dim` and `linear_conv_kernel_dim`: a fixed state per sequence, no KV cache.
   */
  linear_attention: z
    .strictObject({
      layers: positiveInt(10_000),
      key_heads: positiveInt(10_000),
      value_heads: positiveInt(10_000),
      key_head_dim: positiveInt(100_000),
      value_head_dim: positiveInt(100_000),
      conv_kernel: positiveInt(1_000),
    })
    .optional(),
  mla: z
    .strictObject({
      kv_lora_rank: positiveInt(1_000_000),
      rope_head_dim: positiveInt(100_000),
    })
    .optional(),
  moe: z
    .strictObject({
      experts: positiveInt(100_000),
      experts_per_token: positiveInt(100_000),
      expert_params_b: positive(100_000),
    })
    .optional(),
  /** The longest context (input + output tokens) the model was trained for, from its config.json. */
  max_context_tokens: positiveInt(100_000_000).optional(),
  precision: modelPrecisionSchema(),
  source: z.string().min(1),
  notes: z.string().optional(),
});

export const modelSchema = once(() => z.strictObject({ id: idSchema(), ...modelFields() }));
export type ModelFile = z.infer<ReturnType<typeof modelSchema>>;

/** A model written inside a workload: the id is optional there. */
export const inlineModelSchema = once(() => z.strictObject({ id: idSchema().optional(), ...modelFields() }));
export type InlineModel = z.infer<ReturnType<typeof inlineModelSchema>>;
