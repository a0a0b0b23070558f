// The model presets as released (issue 12): KV bytes per token and weight bytes derived from the
// numbers in each model's config.json, with the arithmetic written out, against `infercost models`.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

interface Derived {
  kv_bytes_per_token: number;
  kv_window_bytes_per_sequence: number;
  linear_state_bytes_per_sequence: number;
  weight_bytes: number;
  expert_weight_bytes: number;
  decode_read_dense_weight_bytes: number;
}

describe('model presets against their config.json', async () => {
  const r = await runCli(['models', '--format', 'json']);
  const models = new Map(
    (JSON.parse(r.stdout) as { id: string; derived: Derived }[]).map((m) => [m.id, m.derived]),
  );
  const d = (id: string) => models.get(id) as Derived;

  // GQA: 2 (K and V) x num_hidden_layers x num_key_value_heads x head_dim x bytes (BF16 = 2)
  const cases: [string, number, number][] = [
    ['llama-2-70b', 2 * 80 * 8 * 128 * 2, 69e9 * 2], // 80 layers, 8 KV heads, 8192/64 = 128
    ['llama-3.3-70b', 2 * 80 * 8 * 128 * 2, 70.6e9 * 2],
    ['llama-3.1-8b', 2 * 32 * 8 * 128 * 2, 8.03e9 * 2],
    ['llama-3.2-1b', 2 * 16 * 8 * 64 * 2, 1.2358e9 * 2], // head_dim 64; the draft of section 3c
    ['llama-3.1-405b', 2 * 126 * 8 * 128 * 2, 405.9e9 * 2],
    ['mixtral-8x7b', 2 * 32 * 8 * 128 * 2, 46.7e9 * 2],
    ['qwen3-235b-a22b', 2 * 94 * 4 * 128 * 2, 235e9 * 2], // head_dim 128 given explicitly
    ['qwen3-30b-a3b', 2 * 48 * 4 * 128 * 2, 30.5e9 * 2], // 98,304 B/token; head_dim 128 given explicitly
    ['qwen3-32b', 2 * 64 * 8 * 128 * 2, 32.8e9 * 2], // 262,144 B/token; head_dim 128 given explicitly
    ['qwen3-coder-480b-a35b', 2 * 62 * 8 * 128 * 2, 480e9 * 2], // 253,952 B/token; 62 layers, 8 KV heads
    // MLA: num_hidden_layers x (kv_lora_rank + qk_rope_head_dim) x 2 B; FP8 weights as released
    ['deepseek-v3', 61 * (512 + 64) * 2, 671e9 * 1],
  ];
  for (const [id, kv, weights] of cases) {
    it(`${id}: KV ${kv.toLocaleString('en-US')} B/token, weights ${(weights / 1e9).toFixed(1)} GB`, () => {
      expect(d(id).kv_bytes_per_token).toBe(kv);
      expect(d(id).weight_bytes).toBeCloseTo(weights, -3);
      expect(d(id).kv_window_bytes_per_sequence).toBe(0);
      expect(d(id).linear_state_bytes_per_sequence).toBe(0);
    });
  }

  it('every derived figure is a whole number of bytes', () => {
    // 8.03 x 1e9 x 2 is 16059999999.999998 in floating point and 32.8 x 1e9 x 2 is
    // 65599999999.99999; parameter counts are whole from where billions convert, so bytes are too.
    expect(d('llama-3.1-8b').weight_bytes).toBe(16_060_000_000);
    expect(d('qwen3-32b').decode_read_dense_weight_bytes).toBe(65_600_000_000);
    for (const [id, m] of models)
      for (const [k, v] of Object.entries(m)) expect(Number.isInteger(v), `${id} ${k} ${v}`).toBe(true);
  });

  it('gpt-oss-120b: sliding-window layers and MXFP4 experts with BF16 elsewhere', () => {
    const m = d('gpt-oss-120b');
    // layer_types: 18 full_attention + 18 sliding_attention (sliding_window 128); 8 KV heads of 64
    expect(m.kv_bytes_per_token).toBe(2 * 18 * 8 * 64 * 2); // 36,864, not 73,728
    expect(m.kv_window_bytes_per_sequence).toBe(2 * 18 * 8 * 64 * 2 * 128); // 4,718,592
    // experts 36 x 128 x 3 x 2880 x 2880 = 114.7e9 at MXFP4 4.25 bits; the other 116.8 - 114.7 =
    // 2.1e9 parameters at BF16, read at every decode step
    expect(m.decode_read_dense_weight_bytes).toBeCloseTo(2.1e9 * 2, -3); // 4.2 GB, not 1.1 GB
    expect(m.weight_bytes).toBeCloseTo((114.7e9 * 4.25) / 8 + 2.1e9 * 2, -3); // 65.1 GB
  });

  it('qwen3.5-397b-a17b: 45 Gated DeltaNet layers hold a fixed state, the 15 others a KV cache', () => {
    const m = d('qwen3.5-397b-a17b');
    // layer_types: 45 linear_attention + 15 full_attention; 2 KV heads of 256, BF16
    expect(m.kv_bytes_per_token).toBe(2 * 15 * 2 * 256 * 2); // 30,720
    expect(m.kv_window_bytes_per_sequence).toBe(0);
    // linear_num_value_heads 64 x key width 128 x value width 128 (recurrent), plus the convolution's
    // last linear_conv_kernel_dim - 1 = 3 inputs of 2 x 16 x 128 + 64 x 128 channels, at 2 B
    expect(m.linear_state_bytes_per_sequence).toBe(45 * (64 * 128 * 128 + 3 * (2 * 16 * 128 + 64 * 128)) * 2); // 97,689,600
    // experts 60 x 512 x 3 x 4096 x 1024 = 386.5e9; the other 397 - 386.5 = 10.5e9 read every step
    expect(m.weight_bytes).toBeCloseTo(397e9 * 2, -3);
    expect(m.decode_read_dense_weight_bytes).toBeCloseTo((397 - 386.5) * 1e9 * 2, -3);
  });

  it('qwen3-coder-480b-a35b: the experts are all but 11.9B of its weights', () => {
    const m = d('qwen3-coder-480b-a35b');
    // experts 62 x 160 x 3 x 6144 x 2560 = 468.08e9 (no shared expert, every layer MoE); the other
    // 480 - 468.1 = 11.9e9 read at every decode step (the config's attention 62 x (2 x 6144 x 96 x
    // 128 + 2 x 6144 x 8 x 128) = 10.14e9 plus embeddings and head 2 x 151936 x 6144 = 1.87e9 =
    // 12.0e9: the card's 480B total is rounded)
    expect(m.expert_weight_bytes).toBeCloseTo(468.1e9 * 2, -3);
    expect(m.decode_read_dense_weight_bytes).toBeCloseTo((480 - 468.1) * 1e9 * 2, -3);
  });

  it('gpt-oss-20b: the same layout at 24 layers and 32 experts', () => {
    const m = d('gpt-oss-20b');
    // layer_types: 12 full_attention + 12 sliding_attention (sliding_window 128); 8 KV heads of 64
    expect(m.kv_bytes_per_token).toBe(2 * 12 * 8 * 64 * 2); // 24,576
    expect(m.kv_window_bytes_per_sequence).toBe(2 * 12 * 8 * 64 * 2 * 128); // 3,145,728
    // experts 24 x 32 x 3 x 2880 x 2880 = 19.11e9 at MXFP4 4.25 bits = 10.15 GB; the other
    // 20.9 - 19.11 = 1.79e9 parameters at BF16 = 3.58 GB, read at every decode step
    expect(m.decode_read_dense_weight_bytes).toBeCloseTo(1.79e9 * 2, -3);
    expect(m.weight_bytes).toBeCloseTo((19.11e9 * 4.25) / 8 + 1.79e9 * 2, -3); // 13.7 GB (12.8 GiB)
  });
});
