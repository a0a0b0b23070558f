// Linear-attention (Gated DeltaNet) layers, docs/model.md section 2: a fixed state per sequence
// instead of a KV cache, read and written every decode step; a fixed count of FLOPs per token.
// Hand-computed on section 3's Llama 3.3 70B case (model.test.ts) with 60 of its 80 layers made
// linear, a hypothetical hybrid whose every term can be checked with a calculator.
import { describe, expect, it } from 'vitest';
import {
  linearAttentionFlopsPerToken,
  linearStateBytes,
  linearStateReplication,
} from '../../src/engine/bytes.js';
import { chooseDeployment, kvBytesPerToken } from '../../src/engine/index.js';
import type { Workload } from '../../src/engine/types.js';
import { runCli } from '../helpers/cli.js';
import { accelerator, PINNED_EFFICIENCY, workload } from '../helpers/data.js';

const FP8 = { weights: 'fp8', activations: 'fp8', kv_cache: 'fp8' } as const;
// Qwen3-Next's layout of a linear layer: 16 key heads, 32 value heads, widths 128, kernel 4.
const LINEAR = {
  layers: 60,
  keyHeads: 16,
  valueHeads: 32,
  keyHeadDim: 128,
  valueHeadDim: 128,
  convKernel: 4,
};

function hybrid(fields: Parameters<typeof workload>[0]): Workload {
  const w = workload(fields);
  return { ...w, model: { ...w.model, linear: LINEAR } };
}

describe('section 2: linear-attention layers', () => {
  const w = hybrid({ model: 'llama-3.3-70b', input_tokens: 1000, output_tokens: 1000, precision: FP8 });

  it('hold a fixed state per sequence at BF16, and no KV', () => {
    // S = layers * (hv*dk*dv + (k-1)*(2*hk*dk + hv*dv)) * 2
    //   = 60 * (32*128*128 + 3*(2*16*128 + 32*128)) * 2 = 60 * (524,288 + 24,576) * 2
    expect(linearStateBytes(w.model)).toBe(65_863_680);
    // KV only in the 80 - 60 = 20 full-attention layers: 2 * 20 * 8 * 128 * 1 (FP8)
    expect(kvBytesPerToken(w.model, w.model.precision.kvCache)).toBe(40_960);
    // Split by key heads like KV heads: max(1, N / 16)
    expect(linearStateReplication(w.model, 8)).toBe(1);
    expect(linearStateReplication(w.model, 64)).toBe(4);
    // 6 * layers * hv * dk * dv = 6 * 60 * 32 * 128 * 128
    expect(linearAttentionFlopsPerToken(w.model)).toBe(188_743_680);
  });
});

describe('sections 3 and 4 with 60 linear layers: one H200, 1000 in / 1000 out, no SLO', () => {
  const w = hybrid({
    model: 'llama-3.3-70b',
    precision: FP8,
    input_tokens: 1000,
    output_tokens: 1000,
    deployment: { replica_chips: [1] },
    efficiency: PINNED_EFFICIENCY,
    mechanisms: { per_operator_roofline: false },
  });
  const d = chooseDeployment(accelerator('h200-sxm'), w);
  const S = 65_863_680;
  const kv = 40_960;

  it('Bmax: floor((N*C*m - W) / ((I+O) * kvN + SN))', () => {
    // (141 * 2^30 * 0.9 - 70.6e9) / (2000 * 40,960 + 65,863,680) = 65.651e9 / 147.78e6 = 444.2
    expect(d.ok && d.replica.maxBatch).toBe(444);
    expect(d.ok && d.replica.fitBytesPerSequence).toBe(2000 * kv + S);
  });

  it('each step reads and writes the state; the linear FLOPs join attention', () => {
    if (!d.ok) throw new Error('expected a deployment');
    const B = 444;
    const lbar = 1000 + 1000 / 2;
    const linearFlops = 6 * 60 * 32 * 128 * 128; // per token
    const tMem = (70.6e9 + B * (lbar * kv + 2 * S)) / (4.8e12 * 0.8); // 0.04072 s
    const tCmp = (B * (2 * 70.6e9 + 4 * 20 * 8192 * lbar + linearFlops)) / (1979e12 * 0.35); // 0.09126 s
    const tStep = Math.max(tMem, tCmp) + 0.002;
    const tPf = (2 * 70.6e9 * 1000 + 2 * 20 * 8192 * 1000 ** 2 + linearFlops * 1000) / (1979e12 * 0.6);
    expect(d.point.batch).toBe(B);
    expect(d.point.stepS).toBeCloseTo(tStep, 12);
    expect(d.point.prefillS).toBeCloseTo(tPf, 12);
    expect(d.point.outputTokensPerS).toBeCloseTo((B * 1000) / (B * tPf + 1000 * tStep), 9);
  });
});

describe('a model file with linear_attention', () => {
  it('a workload naming one inline runs, and too many linear layers is exit 2 naming the field', async () => {
    const model = (linearLayers: number, valueHeads = 32) => ({
      name: 'hybrid',
      params: { total_b: 80, active_b: 3 },
      layers: 48,
      hidden_size: 2048,
      heads: 16,
      kv_heads: 2,
      head_dim: 256,
      linear_attention: {
        layers: linearLayers,
        key_heads: 16,
        value_heads: valueHeads,
        key_head_dim: 128,
        value_head_dim: 128,
        conv_kernel: 4,
      },
      precision: { weights: 'bf16', activations: 'bf16', kv_cache: 'bf16' },
      source: 'test',
    });
    const file = (m: object) =>
      JSON.stringify({ name: 'hybrid', model: m, input_tokens: 1000, output_tokens: 100 });
    const ok = await runCli(['compare', '-', '--accelerators', 'h200-sxm', '--format', 'json'], {
      stdin: file(model(36)),
    });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const bad = await runCli(['compare', '-', '--accelerators', 'h200-sxm'], { stdin: file(model(49)) });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/model\.linear_attention\.layers.*more than the model's 48 layers/);
    const heads = await runCli(['compare', '-', '--accelerators', 'h200-sxm'], {
      stdin: file(model(36, 24)),
    });
    expect(heads.code).toBe(2);
    expect(heads.stderr).toMatch(
      /model\.linear_attention\.value_heads.*multiple of key_heads \(16\), got 24/,
    );
  });
});
