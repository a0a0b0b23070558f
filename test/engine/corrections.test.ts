// docs/model.md sections 3a and 3b: each engine correction against the arithmetic written out.
// Every case switches one correction on over section 3 and checks the term it changes.
import { describe, expect, it } from 'vitest';
import {
  chooseDeployment,
  decodeStep,
  decodeStepTimeS,
  replicaFor,
  replicaPoint,
  setupFor,
} from '../../src/engine/index.js';
import type { Accelerator, Workload } from '../../src/engine/types.js';
import { kvAdmissionOf, stackTraitsOf } from '../../src/schema/convert.js';
import type { WorkloadFile } from '../../src/schema/workload.js';
import { accelerator, workload } from '../helpers/data.js';

const FP8 = { weights: 'fp8', activations: 'fp8', kv_cache: 'fp8' } as const;
/** eta_decode 0.25 makes the chat GEMMs compute-bound at batch 101, as the H100 profile's 0.257 does. */
const EFF = { eta_mem: 0.8, eta_prefill: 0.6, eta_decode: 0.25, eta_link: 0.7, t_step0_ms: 2 };

function chatFields(
  mechanisms: WorkloadFile['mechanisms'] = {},
  extra: Partial<Omit<WorkloadFile, 'model'>> = {},
) {
  return {
    model: 'llama-3.3-70b',
    precision: FP8,
    input_tokens: 800,
    output_tokens: 300,
    efficiency: EFF,
    // Section 3 with only the correction under test switched on (two are on by default).
    mechanisms: { per_operator_roofline: false, dp_attention: false, ...mechanisms },
    ...extra,
  };
}

function chat(
  mechanisms: WorkloadFile['mechanisms'] = {},
  extra: Partial<Omit<WorkloadFile, 'model'>> = {},
): Workload {
  return workload(chatFields(mechanisms, extra));
}

function replica(a: Accelerator, w: Workload, chips: number) {
  const setup = setupFor(a, w);
  if (!setup) throw new Error('no setup');
  return replicaFor(a, w, setup, chips);
}

const h100 = accelerator('h100-sxm');
// Llama 3.3 70B FP8 chat on 2 x H100 at B = 101, Lbar = 800 + 300/2 = 950, kvN = 163,840 B/token:
const tW = 70.6e9 / (2 * 3.35e12 * 0.8); //                13.172 ms weights
const tKv = (101 * 950 * 163_840) / (2 * 3.35e12 * 0.8); // 2.933 ms KV
const tGemm = (101 * 2 * 70.6e9) / (2 * 1979e12 * 0.25); // 14.413 ms GEMMs
const tAttn = (101 * 4 * 80 * 8192 * 950) / (2 * 1979e12 * 0.25); // 0.254 ms attention

describe('3a.1 per-operator roofline', () => {
  it('the H100 chat step at B=101 is max(t_w, t_gemm) + max(t_kv, t_attn) = 14.4 + 2.9 ms, not max(16.1, 14.7)', () => {
    const comm = decodeStep(replica(h100, chat(), 2), 101).commS;
    const before = decodeStep(replica(h100, chat(), 2), 101).totalS - comm - 0.002;
    const after =
      decodeStep(replica(h100, chat({ per_operator_roofline: true }), 2), 101).totalS - comm - 0.002;
    expect(before).toBeCloseTo(Math.max(tW + tKv, tGemm + tAttn), 12); // 16.105 ms
    expect(after).toBeCloseTo(Math.max(tW, tGemm) + Math.max(tKv, tAttn), 12); // 17.346 ms
    expect(after * 1000).toBeCloseTo(17.345, 3);
  });
});

describe('3a.2 prefill reads the weights', () => {
  it('DeepSeek-V3 FP8 on 8 H200, 800-token prompt: every expert is covered, reads outweigh compute', () => {
    const w = (on: boolean) =>
      workload({
        model: 'deepseek-v3',
        precision: FP8,
        input_tokens: 800,
        output_tokens: 100,
        efficiency: { ...EFF, eta_prefill: 0.6 },
        mechanisms: { prefill_memory: on, per_operator_roofline: false, dp_attention: false },
      });
    const h200 = accelerator('h200-sxm');
    const off = replica(h200, w(false), 8);
    const on = replica(h200, w(true), 8);
    // Reads: Wd + We * (1 - (1 - 8/256)^800) = all 671e9 B (coverage 1 - 0.96875^800 = 1 - 9e-12),
    // over 8 * 4.8e12 * 0.8 = 30.72e12 B/s: 21.84 ms. Compute: 2 * 37e9 * 800 = 59.2e12 plus
    // attention 61 * 2 * 128 * (192 + 128) * 800^2 / 2 = 1.60e12 FLOP (query/key 192 wide, value
    // 128), over 8 * 1979e12 * 0.6: 6.40 ms.
    const reads = 671e9 / (8 * 4.8e12 * 0.8);
    const compute = (2 * 37e9 * 800 + (61 * 2 * 128 * 320 * 800 ** 2) / 2) / (8 * 1979e12 * 0.6);
    expect(reads * 1000).toBeCloseTo(21.84, 2);
    expect(compute * 1000).toBeCloseTo(6.4, 1);
    expect(on.prefillS - off.prefillS).toBeCloseTo(reads - compute, 9);
  });
});

describe('3a.3 all-reduce in BF16', () => {
  it('FP8 activations reduce 2 B per value: the bandwidth term of t_comm doubles', () => {
    const off = decodeStep(replica(h100, chat(), 2), 10).commS;
    const on = decodeStep(replica(h100, chat({ all_reduce_bf16: true }), 2), 10).commS;
    // 2 * 80 * [1 * 10 * 8192 * b / (450e9 * 0.7) + 5e-6] with b = 1, then 2
    expect(off).toBeCloseTo(2 * 80 * ((10 * 8192 * 1) / (450e9 * 0.7) + 5e-6), 15);
    expect(on).toBeCloseTo(2 * 80 * ((10 * 8192 * 2) / (450e9 * 0.7) + 5e-6), 15);
  });
});

describe('3a.4 embedding lookup and LM head', () => {
  it('Llama 3.1 8B (vocab 128,256, hidden 4,096): decode GEMMs skip the embedding, prefill runs the head once', () => {
    const w = (on: boolean) =>
      workload({
        model: 'llama-3.1-8b',
        precision: FP8,
        input_tokens: 1000,
        output_tokens: 100,
        efficiency: EFF,
        mechanisms: { embedding_lookup: on },
      });
    const off = replica(h100, w(false), 1);
    const on = replica(h100, w(true), 1);
    const table = 128_256 * 4096; // 525.3M parameters
    // decode: 2 * (8.03e9 - T) FLOP per token instead of 2 * 8.03e9
    expect(on.gemmSPerSequence).toBeCloseTo((2 * (8.03e9 - table)) / (1979e12 * 0.25), 15);
    expect(off.gemmSPerSequence).toBeCloseTo((2 * 8.03e9) / (1979e12 * 0.25), 15);
    // weights read per step: the table is looked up, not read
    expect(off.denseReadBytes - on.denseReadBytes).toBeCloseTo(table * 1, 0);
    // prefill GEMMs: 2 * (Pa - 2T) * 1000 + 2T (the head for the last token) instead of 2 * Pa * 1000
    const saved = (2 * 8.03e9 * 1000 - (2 * (8.03e9 - 2 * table) * 1000 + 2 * table)) / (1979e12 * 0.6);
    expect(off.prefillS - on.prefillS).toBeCloseTo(saved, 12);
    expect(saved / off.prefillS).toBeGreaterThan(0.12); // 13% of this prefill
  });
});

describe('3a.5 attention in BF16', () => {
  it('attention runs at the BF16 rate (989 TFLOPS on H100): twice the time of the FP8 rate', () => {
    const off = replica(h100, chat(), 2);
    const on = replica(h100, chat({ attention_bf16: true }), 2);
    // 4 * 80 * 8192 * 950 FLOP per sequence over 2 chips at 1979e12 or 989e12, times eta_decode 0.25
    expect(off.attentionSPerSequence).toBeCloseTo((4 * 80 * 8192 * 950) / (2 * 1979e12 * 0.25), 15);
    expect(on.attentionSPerSequence).toBeCloseTo((4 * 80 * 8192 * 950) / (2 * 989e12 * 0.25), 15);
  });
});

describe('3a.6 MLA absorbed decode', () => {
  it('DeepSeek-V3 decode attention: 2 * heads * (2 * 512 + 64) per layer per context token, 4.25x', () => {
    const w = (on: boolean) =>
      workload({
        model: 'deepseek-v3',
        precision: FP8,
        input_tokens: 1000,
        output_tokens: 100,
        efficiency: EFF,
        mechanisms: { mla_absorbed: on },
      });
    const h200 = accelerator('h200-sxm');
    const off = replica(h200, w(false), 8);
    const on = replica(h200, w(true), 8);
    // 2 * 128 * (2 * 512 + 64) = 278,528 against 2 * 128 * (192 + 128) = 81,920 (query/key 192
    // wide, value 128): 3.4x; against section 3's 4 * q = 65,536 it is the review's 4.25x
    expect(on.attentionSPerSequence / off.attentionSPerSequence).toBeCloseTo(278_528 / 81_920, 12);
  });
});

describe('3a.7 expert GEMMs by tiles', () => {
  it('gpt-oss-120b at B = 2048 on one GB200: 64 tokens per expert pay for 128 rows', () => {
    const w = (on: boolean) =>
      workload({
        model: 'gpt-oss-120b',
        input_tokens: 1000,
        output_tokens: 1000,
        efficiency: EFF,
        mechanisms: { expert_gemm_tiles: on },
      });
    const gb200 = accelerator('gb200');
    const off = decodeStep(replica(gb200, w(false), 1), 2048).computeS;
    const on = decodeStep(replica(gb200, w(true), 1), 2048).computeS;
    // Pe = 114.7e9 / 128 = 896.1e6 parameters per expert (all layers); k = 4, E = 128:
    // rows = max(2048 x 4 = 8,192, 128 x (1 - (124/128)^2048) x 128 = 16,384) = 16,384, so the
    // experts' FLOPs double: + 8,192 rows x 2 x 896.1e6 over one chip's BF16 rate at eta 0.25.
    const extra = (8192 * 2 * (114.7e9 / 128)) / ((gb200.flopsPerS.bf16 ?? 0) * 0.25);
    expect(on - off).toBeCloseTo(extra, 9);
  });
});

describe('3a.8 attention below the GEMMs efficiency', () => {
  it('the H100 chat step at B=101: max(t_w, t_gemm) + max(t_kv, t_attn) / 0.75 = 14.41 + 3.91 ms', async () => {
    const { ATTENTION_EFFICIENCY_RATIO } = await import('../../src/engine/replica.js');
    expect(ATTENTION_EFFICIENCY_RATIO).toBe(0.75);
    const on = chat({ per_operator_roofline: true, attention_efficiency: true });
    const r = replica(h100, on, 2);
    const after = decodeStep(r, 101).totalS - decodeStep(r, 101).commS - 0.002;
    // 14.413 ms GEMMs + 2.933 ms KV / 0.75 = 3.910 ms (attention's 0.254 / 0.75 = 0.339 stays under it)
    expect(after).toBeCloseTo(Math.max(tW, tGemm) + Math.max(tKv, tAttn) / 0.75, 12);
    expect(after * 1000).toBeCloseTo(18.323, 3);
  });

  it("prefill attention runs at 0.75 of eta_prefill's rate, prefill GEMMs as before", () => {
    const off = replica(h100, chat({ per_operator_roofline: true }), 2);
    const on = replica(h100, chat({ per_operator_roofline: true, attention_efficiency: true }), 2);
    // 800-token causal prefill of Llama 3.3 70B: 4 * 80 * 8192 * 800^2 / 2 = 8.389e14 attention FLOPs
    // (QK^T and PV, half the pairs) at 2 x 1979e12 x 0.6: 0.353 ms; at 0.75 of that rate, 0.471 ms
    const attnS = (4 * 80 * 8192 * 800 ** 2) / 2 / (2 * 1979e12 * 0.6);
    expect(on.prefillS - off.prefillS).toBeCloseTo(attnS / 0.75 - attnS, 12);
  });
});

describe('3a.13 KV reads at the memory factor', () => {
  it('the H100 chat step at B=101 reads its KV at eta_mem: 14.41 + max(2.93, 0.254 / 0.75) ms', () => {
    const r = replica(
      h100,
      chat({ per_operator_roofline: true, attention_efficiency: true, kv_reads_at_mem: true }),
      2,
    );
    const after = decodeStep(r, 101).totalS - decodeStep(r, 101).commS - 0.002;
    // 14.413 ms GEMMs + max(2.933 ms KV at 0.8 of 2 x 3.35 TB/s, 0.339 ms attention FLOPs at 0.75)
    expect(after).toBeCloseTo(Math.max(tW, tGemm) + Math.max(tKv, tAttn / 0.75), 12);
    expect(after * 1000).toBeCloseTo(17.3455, 4); // 14.4125 + 2.9330
  });
});

// gpt-oss-120b with MXFP8 activations (as TensorRT-LLM runs it on Blackwell): its 2.1B BF16
// parameters cannot multiply FP8 activations as FP8, its MXFP4 experts run as FP8 (W4A8).
const gptOssFp8 = (mechanisms: WorkloadFile['mechanisms']) =>
  workload({
    model: 'gpt-oss-120b',
    precision: { weights: 'bf16', activations: 'fp8', kv_cache: 'fp8' },
    input_tokens: 1000,
    output_tokens: 1000,
    efficiency: EFF,
    mechanisms,
  });
const b200 = accelerator('b200'); // 2,250 TFLOPS BF16, 4,500 FP8
// Pe = 4 x 114.7e9 / 128 = 3.584e9 expert parameters per token; Pd = 5.1e9 - 3.584e9 = 1.516e9
const gptOssPe = (4 * 114.7e9) / 128;
const gptOssPd = 5.1e9 - gptOssPe;

describe('3a.14 MLA decode at the KV cache format (fp8_mla_decode, off)', () => {
  const h200 = accelerator('h200-sxm'); // default stack trtllm: its MLA generation kernel runs FP8
  const w = (on: boolean, kv: 'fp8' | 'bf16' = 'fp8', model = 'deepseek-v3') =>
    workload({
      model,
      precision: { ...FP8, kv_cache: kv },
      input_tokens: 1000,
      output_tokens: 100,
      efficiency: EFF,
      mechanisms: { fp8_mla_decode: on, mla_absorbed: true, attention_bf16: true },
    });
  // Absorbed decode attention of DeepSeek-V3: 61 layers * 2 * 128 * (2 * 512 + 64) = 16,990,208 FLOP
  // per context token, at Lbar = 1000 + 100/2 = 1,050 tokens, over 8 chips at eta_decode 0.25.
  const flops = 61 * 2 * 128 * (2 * 512 + 64) * 1050; // 17,839,718,400 FLOP per sequence per step
  it('DeepSeek-V3 with an FP8 KV cache on TensorRT-LLM decodes attention at 1,979 TFLOPS, not BF16 989', () => {
    const off = replica(h200, w(false), 8);
    const on = replica(h200, w(true), 8);
    expect(off.attentionSPerSequence).toBeCloseTo(flops / (8 * 989e12 * 0.25), 15); // 9.019 us
    expect(on.attentionSPerSequence).toBeCloseTo(flops / (8 * 1979e12 * 0.25), 15); // 4.507 us
    // prefill attention keeps BF16: the prompt's time is the same
    expect(on.prefillS).toBe(off.prefillS);
  });
  it('a BF16 KV cache, a GQA model and a stack without the kernel (vLLM) decode attention as before', () => {
    for (const [acc, on, off] of [
      [h200, w(true, 'bf16'), w(false, 'bf16')],
      [h200, w(true, 'fp8', 'llama-3.3-70b'), w(false, 'fp8', 'llama-3.3-70b')],
      [{ ...h200, fp8KvAttention: false }, w(true), w(false)],
    ] as const)
      expect(replica(acc, on, 8).attentionSPerSequence).toBe(replica(acc, off, 8).attentionSPerSequence);
  });
  it('the stacks that have the kernel: TensorRT-LLM only', () => {
    expect(stackTraitsOf('trtllm').fp8KvAttention).toBe(true);
    for (const s of ['vllm', 'sglang', 'vllm-neuron', 'nxdi', 'vllm-tpu', undefined])
      expect(stackTraitsOf(s).fp8KvAttention).toBe(false);
  });
});

describe('3a.15 attention at the KV cache format on TensorRT-LLM (fp8_attention, off)', () => {
  const h200 = accelerator('h200-sxm'); // default stack trtllm
  const w = (
    on: boolean,
    model = 'llama-3.3-70b',
    kv: 'fp8' | 'bf16' = 'fp8',
    weights: 'fp8' | 'bf16' = 'fp8',
  ) =>
    workload({
      model,
      precision: { weights, activations: 'fp8', kv_cache: kv },
      input_tokens: 800,
      output_tokens: 300,
      efficiency: EFF,
      mechanisms: { fp8_attention: on, attention_bf16: true, mla_absorbed: true },
    });
  it('Llama 3.3 70B FP8 with an FP8 cache: prefill and decode attention at 1,979 TFLOPS, not 989', () => {
    const off = replica(h200, w(false), 2);
    const on = replica(h200, w(true), 2);
    // prefill: 2 * 64 * (128 + 128) = 32,768 FLOP per layer per token pair, 80 layers, 800^2 / 2 pairs
    const prefillAttnFlops = 32_768 * 80 * (800 ** 2 / 2); // 838,860,800,000 FLOP
    expect(off.prefillS - on.prefillS).toBeCloseTo(
      prefillAttnFlops / (2 * 989e12 * 0.6) - prefillAttnFlops / (2 * 1979e12 * 0.6), // 0.7068 - 0.3532 ms
      15,
    );
    // decode: 4 * 80 * 8192 * 950 FLOP per sequence, as in 3a.5, at the FP8 rate
    expect(off.attentionSPerSequence).toBeCloseTo((4 * 80 * 8192 * 950) / (2 * 989e12 * 0.25), 15);
    expect(on.attentionSPerSequence).toBeCloseTo((4 * 80 * 8192 * 950) / (2 * 1979e12 * 0.25), 15);
  });
  it('a BF16 checkpoint (gpt-oss keeps its attention weights BF16) and MLA prefill stay BF16; their decode is FP8', () => {
    for (const [model, weights, chips] of [
      ['llama-3.3-70b', 'bf16', 2],
      ['deepseek-v3', 'fp8', 8],
    ] as const) {
      const off = replica(h200, w(false, model, 'fp8', weights), chips);
      const on = replica(h200, w(true, model, 'fp8', weights), chips);
      expect(on.prefillS).toBe(off.prefillS);
      expect(off.attentionSPerSequence / on.attentionSPerSequence).toBeCloseTo(1979 / 989, 12);
    }
  });
  it('a BF16 cache, or a stack without these kernels, changes nothing', () => {
    for (const [acc, kv] of [
      [h200, 'bf16'],
      [{ ...h200, fp8KvAttention: false }, 'fp8'],
    ] as const) {
      const off = replica(acc, w(false, 'llama-3.3-70b', kv), 2);
      const on = replica(acc, w(true, 'llama-3.3-70b', kv), 2);
      expect(on.prefillS).toBe(off.prefillS);
      expect(on.attentionSPerSequence).toBe(off.attentionSPerSequence);
    }
  });
});

describe('3a.9 each GEMM at its own weights format', () => {
  const w = (on: boolean) => gptOssFp8({ gemm_formats: on, expert_gemm_tiles: false });

  it('dense GEMMs at the BF16 rate, the experts at the FP8 rate; off, both at FP8', () => {
    const on = setupFor(b200, w(true));
    const off = setupFor(b200, w(false));
    expect(on?.denseFlopsPerS).toBe(2250e12);
    expect(on?.expertFlopsPerS).toBe(4500e12);
    expect(off?.denseFlopsPerS).toBe(4500e12);
    expect(off?.expertFlopsPerS).toBe(4500e12);
  });

  it('decode GEMM time per sequence: 2 Pd / F_bf16 + 2 Pe / F_fp8, at eta_decode 0.25', () => {
    const pe = gptOssPe;
    const pd = gptOssPd;
    const on = replica(b200, w(true), 1).gemmSPerSequence;
    const off = replica(b200, w(false), 1).gemmSPerSequence;
    // on: 2 x 1.516e9 / (2250e12 x 0.25) + 2 x 3.584e9 / (4500e12 x 0.25) = 5.390 + 6.371 = 11.761 us
    expect(on).toBeCloseTo((2 * pd) / (2250e12 * 0.25) + (2 * pe) / (4500e12 * 0.25), 15);
    expect(on * 1e6).toBeCloseTo(11.761, 3);
    // off: 2 x 5.1e9 / (4500e12 x 0.25) = 9.067 us
    expect(off * 1e6).toBeCloseTo(9.067, 3);
  });

  it('weights no wider than the activations (Llama FP8, or FP4 weights under FP8 activations) do not move', () => {
    const llama = (on: boolean, weights: 'fp8' | 'fp4') =>
      setupFor(
        b200,
        workload({
          model: 'llama-3.3-70b',
          precision: { weights, activations: 'fp8', kv_cache: 'fp8' },
          input_tokens: 1000,
          output_tokens: 1000,
          mechanisms: { gemm_formats: on },
        }),
      )?.denseFlopsPerS;
    expect(llama(true, 'fp8')).toBe(4500e12);
    expect(llama(true, 'fp4')).toBe(4500e12); // W4A8 runs at the FP8 rate
    expect(llama(false, 'fp4')).toBe(4500e12);
  });
});

describe('3a.10 decode GEMMs at eta_prefill (one_gemm_efficiency, off)', () => {
  it('the gpt-oss decode GEMM time per sequence scales by eta_decode / eta_prefill = 0.25 / 0.6', () => {
    const w = (on: boolean) =>
      gptOssFp8({ gemm_formats: true, expert_gemm_tiles: false, one_gemm_efficiency: on });
    const pe = gptOssPe;
    const pd = gptOssPd;
    const on = replica(b200, w(true), 1);
    const off = replica(b200, w(false), 1);
    // on: 2 x 1.516e9 / (2250e12 x 0.6) + 2 x 3.584e9 / (4500e12 x 0.6) = 2.246 + 2.655 = 4.900 us
    expect(on.gemmSPerSequence).toBeCloseTo((2 * pd) / (2250e12 * 0.6) + (2 * pe) / (4500e12 * 0.6), 15);
    expect(on.gemmSPerSequence * 1e6).toBeCloseTo(4.9, 3);
    expect(off.gemmSPerSequence * 1e6).toBeCloseTo(11.761, 3);
    // decode attention keeps eta_decode
    expect(on.attentionSPerSequence).toBe(off.attentionSPerSequence);
  });
});

describe('3a.11 a soft roofline knee (soft_roofline, off)', () => {
  it('the H100 chat step at B=101 joins by hypot: sqrt(13.172^2 + 14.413^2) + sqrt(2.933^2 + 0.254^2) = 19.525 + 2.944 ms', () => {
    const w = chat({ per_operator_roofline: true, soft_roofline: true });
    const step = decodeStep(replica(h100, w, 2), 101);
    const core = step.totalS - step.commS - 0.002;
    expect(core).toBeCloseTo(Math.hypot(tW, tGemm) + Math.hypot(tKv, tAttn), 12);
    expect(core * 1000).toBeCloseTo(22.469, 3);
    // and the search's fast path agrees with the term-by-term step
    expect(decodeStepTimeS(replica(h100, w, 2), 101)).toBeCloseTo(step.totalS, 15);
  });
});

describe('3a.12 routed experts below the GEMMs efficiency (expert_efficiency, off)', () => {
  const w = (on: boolean, tiles = false) =>
    gptOssFp8({ gemm_formats: true, expert_gemm_tiles: tiles, expert_efficiency: on });

  it('decode GEMM time per sequence: 2 Pd / F_bf16 + 2 Pe / (F_fp8 x r_moe 0.3), at eta_decode 0.25', () => {
    const on = replica(b200, w(true), 1).gemmSPerSequence;
    // 2 x 1.516e9 / (2250e12 x 0.25) + 2 x 3.584e9 / (4500e12 x 0.25 x 0.3) = 5.389 + 21.241 = 26.630 us
    expect(on).toBeCloseTo((2 * gptOssPd) / (2250e12 * 0.25) + (2 * gptOssPe) / (4500e12 * 0.25 * 0.3), 15);
    expect(on * 1e6).toBeCloseTo(26.63, 2);
    // off: 3a.9's 11.761 us
    expect(replica(b200, w(false), 1).gemmSPerSequence * 1e6).toBeCloseTo(11.761, 3);
  });

  it("3a.7's expert rows cost 2 x 114.7e9 / 128 / (4500e12 x 0.25 x 0.3) = 5.310 us each, not 1.593", () => {
    const on = replica(b200, w(true, true), 1);
    const off = replica(b200, w(false, true), 1);
    expect(on.expertGemm?.sPerRow).toBeCloseTo((2 * 114.7e9) / 128 / (4500e12 * 0.25 * 0.3), 15);
    expect((on.expertGemm?.sPerRow ?? 0) * 1e9).toBeCloseTo(5310.19, 1);
    expect((off.expertGemm?.sPerRow ?? 0) * 1e9).toBeCloseTo(1593.06, 1);
  });

  it('a 1,000-token prefill spends 2 x 3.584e9 x 1000 / (4500e12 x 0.6) x (1/0.3 - 1) = 6.195 ms more on experts', () => {
    const on = replica(b200, w(true), 1).prefillS;
    const off = replica(b200, w(false), 1).prefillS;
    expect((on - off) * 1e3).toBeCloseTo(6.195, 3);
  });

  it('a dense model does not move', () => {
    const dense = (on: boolean) => replica(h100, chat({ expert_efficiency: on }), 2);
    expect(dense(true).gemmSPerSequence).toBe(dense(false).gemmSPerSequence);
    expect(dense(true).prefillS).toBe(dense(false).prefillS);
  });
});

describe('3b.1 steady-state KV occupancy', () => {
  it('fits sequences at 1.1 * (I + O/2) = 1,045 tokens, not the peak 1,100', () => {
    const w = chat({ steady_state_kv: true }, { deployment: { replica_chips: [1] } });
    // (80 * 2^30 * 0.9 - 70.6e9) / (1.1 * 950 * 163,840) = 6,709,411,328 / 171,212,800 = 39.2 -> 39
    expect(replica(h100, w, 1).maxBatch).toBe(39);
    expect(replica(h100, chat({}, { deployment: { replica_chips: [1] } }), 1).maxBatch).toBe(37);
  });
});

describe('3b.7 how the stack admits sequences', () => {
  const one = (mechanisms: WorkloadFile['mechanisms']) =>
    chat(mechanisms, { deployment: { replica_chips: [1] } });
  it("a stack that admits by occupancy (vLLM) fits at 3b.1's 1,045 tokens; one that reserves (TensorRT-LLM) at the peak 1,100", () => {
    // Same arithmetic as 3b.1: 6,709,411,328 B of room / (1,045 or 1,100 tokens * 163,840 B) = 39.2 or 37.2
    const vllm: Accelerator = { ...h100, kvAdmission: 'occupancy' };
    expect(replica(vllm, one({ stack_kv_admission: true }), 1).maxBatch).toBe(39);
    expect(replica({ ...h100, kvAdmission: 'reserve' }, one({ stack_kv_admission: true }), 1).maxBatch).toBe(
      37,
    );
    // the switch off: every stack at the peak, as before
    expect(replica(vllm, one({}), 1).maxBatch).toBe(37);
  });
  it("the profiles' stacks: vLLM on GPU and TPU by occupancy, TensorRT-LLM and the undocumented stacks reserve", () => {
    expect(h100.kvAdmission).toBe('reserve'); // the H100 profile runs TensorRT-LLM by default
    expect(kvAdmissionOf('vllm')).toBe('occupancy');
    expect(kvAdmissionOf('vllm-tpu')).toBe('occupancy');
    for (const s of ['trtllm', 'sglang', 'vllm-neuron', 'nim', 'llmboost', undefined])
      expect(kvAdmissionOf(s)).toBe('reserve');
  });
});

describe('3b.2 chunked prefill', () => {
  it('an iteration carries B/O of a prefill; TPOT is the iteration; prefill compute hides under weight reads', () => {
    const w = chat({ chunked_prefill: true });
    const r = replica(h100, w, 2);
    const p = replicaPoint(r, 101);
    // Prefill of one request: GEMMs 2 * 70.6e9 * 800 and attention 80 * 2 * 64 * 256 * 800^2 / 2
    // over 2 * 1979e12 * 0.6; B/O = 101/300 of it rides every iteration.
    const pfGemm = (2 * 70.6e9 * 800) / (2 * 1979e12 * 0.6);
    const pfAttn = (80 * 2 * 64 * 256 * 800 ** 2) / 2 / (2 * 1979e12 * 0.6);
    const share = 101 / 300;
    const comm = decodeStep(r, 101).commS;
    const core = Math.max(tW + tKv, tGemm + share * pfGemm + tAttn + share * pfAttn);
    expect(p.tpotS).toBeCloseTo(core + comm + 0.002, 12);
    expect(p.outputTokensPerS).toBeCloseTo(101 / p.tpotS, 9);
    // one 800-token prompt fits one 2,048-token chunk: TTFT = 2 iterations
    expect(p.ttftS).toBeCloseTo(2 * p.tpotS, 12);
  });
});

describe('3b.3 data-parallel attention', () => {
  it("DeepSeek-V3's latent is held once per sequence, not once per chip: 8x the batch on 8 chips", () => {
    const w = (on: boolean) =>
      workload({
        model: 'deepseek-v3',
        precision: FP8,
        input_tokens: 1000,
        output_tokens: 1000,
        mechanisms: { dp_attention: on },
      });
    const h200 = accelerator('h200-sxm');
    // kv = 61 * (512 + 64) * 1 = 35,136 B/token (FP8 cache); replicated: x 8 on 8 chips
    expect(replica(h200, w(false), 8).kvBytesPerTokenReplica).toBe(35_136 * 8);
    expect(replica(h200, w(true), 8).kvBytesPerTokenReplica).toBe(35_136);
  });
});

describe('3c speculative decoding', () => {
  const spec = { draft: 'llama-3.2-1b', tokens: 3, acceptance: 0.6 };
  const target = replica(h100, chat(), 2);
  const withSpec = replica(h100, chat({}, { speculative: spec }), 2);
  // The draft alone, on the same 2 chips at the same FP8 precisions and efficiencies.
  const draft = replica(h100, workload({ ...chatFields(), model: 'llama-3.2-1b' }), 2);

  it('tau(3, 0.6) = (1 - 0.6^4) / (1 - 0.6) = 0.8704 / 0.4 = 2.176 tokens per iteration', () => {
    expect(withSpec.speculative?.tokensPerIteration).toBeCloseTo(2.176, 12);
  });

  it('an iteration is a verify pass over 4 tokens per sequence plus 3 draft steps', () => {
    // Verify at B = 101: weights and KV read once (13.172 + 2.933 ms), matmuls and attention
    // for 4 tokens per sequence: 4 x (14.413 + 0.254) = 58.668 ms; section 3 takes the max.
    const core = Math.max(tW + tKv, 4 * (tGemm + tAttn));
    expect(core * 1000).toBeCloseTo(58.668, 2);
    // Traffic: 4 x 101 sequences' all-reduce plus the per-layer latencies, and t_step0 = 2 ms.
    const comm = 4 * 101 * target.commSPerSequence + target.commFixedS;
    const verify = core + comm + 0.002;
    // Draft weights: 1,235,814,400 B at FP8 over 2 x 3.35e12 x 0.8 B/s = 0.2306 ms a step.
    expect(draft.weights.total / (2 * 3.35e12 * 0.8)).toBeCloseTo(0.2306e-3, 7);
    // Section 3 (3b.4 off): t_step0 is one charge per iteration, paid by the verify pass; the
    // draft steps run inside the iteration and pay none, where the draft alone pays 2 ms a step.
    expect(decodeStep(draft, 101).overheadS).toBe(0.002);
    const iteration = verify + 3 * (decodeStep(draft, 101).totalS - 0.002);
    expect(decodeStep(withSpec, 101).overheadS).toBe(0.002);
    expect(decodeStep(withSpec, 101).totalS).toBeCloseTo(iteration, 12);
    // T(B) = B * (t_pf + t_pf_draft) + (O / tau) * t_iter; TPOT = T / O
    const prefill = target.prefillS + draft.prefillS;
    const p = replicaPoint(withSpec, 101);
    expect(p.tpotS).toBeCloseTo((101 * prefill + (300 / 2.176) * iteration) / 300, 12);
    expect(p.ttftS).toBeCloseTo(prefill + iteration, 12);
  });

  it('under 3b.4 each draft step pays its own layers of t_step0: 2 ms x 16/80 = 0.4 ms', () => {
    const on = { per_layer_overhead: true };
    const specOn = replica(h100, chat(on, { speculative: spec }), 2);
    const draftOn = replica(h100, workload({ ...chatFields(on), model: 'llama-3.2-1b' }), 2);
    expect(decodeStep(draftOn, 101).overheadS).toBeCloseTo(0.0004, 15);
    // The verify pass pays the 80-layer target's 2 ms x 80/80, each of the 3 draft steps 0.4 ms.
    const step = decodeStep(specOn, 101);
    expect(step.overheadS).toBeCloseTo(0.002 + 3 * 0.0004, 15);
    const targetOn = replica(h100, chat(on), 2);
    const verify = Math.max(tW + tKv, 4 * (tGemm + tAttn)) + 4 * 101 * targetOn.commSPerSequence;
    expect(step.totalS).toBeCloseTo(
      verify + targetOn.commFixedS + 0.002 + 3 * decodeStep(draftOn, 101).totalS,
      12,
    );
  });

  it("the draft's weights and KV cache share the memory", () => {
    // (2 x 80 GiB x 0.9 - 70.6e9 - 1.2358e9) / (1,100 x (163,840 + 16 x 2 x 8 x 64 x 1)) per
    // sequence: (154,618,822,656 - 71,835,814,400) / (1,100 x 180,224) = 417.6 -> 417 sequences
    expect(withSpec.maxBatch).toBe(417);
    expect(target.maxBatch).toBe(Math.floor((2 * 80 * 2 ** 30 * 0.9 - 70.6e9) / (1100 * 163_840)));
  });
});

describe('3d expert parallelism', () => {
  const h200 = accelerator('h200-sxm');
  const ds = (layout: 'tp' | 'ep') =>
    workload({
      model: 'deepseek-v3',
      precision: FP8,
      input_tokens: 1000,
      output_tokens: 1000,
      efficiency: EFF,
      mechanisms: { expert_parallel: true },
      deployment: { parallelism: layout },
    });
  const tp = replica(h200, ds('tp'), 8);
  const ep = replica(h200, ds('ep'), 8);
  // FP8: Wd = (671 - 653.9)e9 = 17.1e9 B always read, We = 653.9e9 B of routed experts.
  const wd = 17.1e9;
  const we = 653.9e9;
  const usable = 8 * h200.memCapacityBytes * 0.9;

  it('replicates Wd on each of 8 chips and never the latent: N * Wd + We + B * (I + O) * kv', () => {
    expect(ep.parallelism).toBe('ep');
    expect(ep.kvBytesPerTokenReplica).toBe(35_136); // 61 * (512 + 64) * 1, once per sequence
    expect(tp.kvBytesPerTokenReplica).toBe(35_136 * 8); // section 2: replicated per chip
    expect(ep.maxBatch).toBe(Math.floor((usable - (8 * wd + we)) / (2000 * 35_136)));
    expect(tp.maxBatch).toBe(Math.floor((usable - (wd + we)) / (2000 * 35_136 * 8)));
  });

  it('each chip reads its own Wd: t_w = (8 Wd + We (1 - (1 - 8/256)^B)) / (8 BW eta_mem)', () => {
    const b = 64;
    const step = decodeStep(ep, b);
    const tW = (8 * wd + we * (1 - (1 - 8 / 256) ** b)) / (8 * h200.memBandwidthBytesPerS * 0.8);
    const tKv = (b * 1500 * 35_136) / (8 * h200.memBandwidthBytesPerS * 0.8); // Lbar = 1000 + 500
    expect(step.memoryS).toBeCloseTo(tW + tKv, 12);
  });

  it('trades the all-reduces for an all-to-all of each token to its 8 experts, 7/8 of them remote', () => {
    const link = h200.linkBytesPerSPerDirection * 0.7;
    // per token: 2 (dispatch, combine) x 61 layers x 8 experts x 7168 x 1 B x 7/8, over 8 chips' links
    expect(ep.commSPerSequence).toBeCloseTo((2 * 61 * 8 * 7168 * (7 / 8)) / (8 * link), 15);
    // section 3: 2 ring all-reduces per layer, 2 * 7/8 of 7168 values each
    expect(tp.commSPerSequence).toBeCloseTo((2 * 61 * ((2 * 7) / 8) * 7168) / link, 15);
    expect(ep.commFixedS).toBe(tp.commFixedS);
  });

  it('a dense model or one chip stays tensor-parallel', () => {
    const dense = workload({
      ...chatFields(),
      mechanisms: { expert_parallel: true },
      deployment: { parallelism: 'ep' },
    });
    expect(replica(h100, dense, 2).parallelism).toBe('tp');
    expect(replica(h200, ds('ep'), 1).parallelism).toBe('tp');
  });
});

describe('3e disaggregated prefill and decode', () => {
  // Llama 3.3 70B FP8 chat on 2-chip H100 replicas, TPOT <= 100 ms, no TTFT limit.
  const w = chat({ disaggregation: true }, { deployment: { replica_chips: [2] }, slo: { tpot_ms: 100 } });
  const r = replica(h100, w, 2);
  const d = chooseDeployment(h100, w);

  it('decode runs at the largest batch memory holds, TPOT = t_step(466) with no prefill in it', () => {
    // (2 x 80 GiB x 0.9 - 70.6e9) / (1,100 x 163,840) = 84,018,822,656 / 180,224,000 = 466.2
    expect(r.maxBatch).toBe(466);
    if (!d.ok || !d.disaggregated) throw new Error('expected a disaggregated deployment');
    const t = decodeStep(r, 466).totalS; // 72.41 ms (sections 3 and 3a, checked above)
    expect(d.point.batch).toBe(466);
    expect(d.point.tpotS).toBeCloseTo(t, 12);
    // TTFT = t_pf + 800 x 163,840 B over 450 GB/s x 0.7 (0.416 ms) + t_step
    expect(d.point.ttftS).toBeCloseTo(r.prefillS + (800 * 163_840) / (450e9 * 0.7) + t, 12);
  });

  it('the unit is 8 decode and 9 prefill replicas: min(8 R_d, 9 / t_pf) x 300 / 34 chips', () => {
    if (!d.ok || !d.disaggregated) throw new Error('expected a disaggregated deployment');
    const t = decodeStep(r, 466).totalS;
    const rd = 466 / (300 * t); // 21.45 requests/s per decode replica
    const rp = 1 / r.prefillS; // 19.21 per prefill replica (t_pf 52.05 ms)
    // d = 8 keeps 8 x 21.45 / 19.21 = 8.93 prefill replicas busy; 9 of them: 171.6 requests/s
    // on 16 + 18 = 34 chips, 1,514 tokens/s per chip (d = 1..7 reach 1,441-1,502)
    expect(d.disaggregated).toMatchObject({
      decodeReplicas: 8,
      decodeChips: 2,
      prefillReplicas: 9,
      prefillChips: 2,
    });
    expect(d.point.chips).toBe(34);
    expect(d.point.outputTokensPerS / d.point.chips).toBeCloseTo((Math.min(8 * rd, 9 * rp) * 300) / 34, 9);
    expect(d.point.outputTokensPerS / d.point.chips).toBeCloseTo(1514.1, 0);
  });

  it('pools that cannot share an 8-GPU server ship the KV cache over its 50 GB/s NICs', () => {
    const wide = chat(
      { disaggregation: true },
      { deployment: { replica_chips: [8] }, slo: { tpot_ms: 100 } },
    );
    const d8 = chooseDeployment(h100, wide);
    if (!d8.ok || !d8.disaggregated) throw new Error('expected a disaggregated deployment');
    // 8 prefill + 8 decode chips > the 8-chip domain: 800 x 163,840 B over 50 GB/s x 0.7 = 3.74 ms
    expect(d8.disaggregated.transferS).toBeCloseTo((800 * 163_840) / (50e9 * 0.7), 12);
  });

  it('with no latency limit the aggregated replica serves more per chip and is kept', () => {
    const free = chooseDeployment(
      h100,
      chat({ disaggregation: true }, { deployment: { replica_chips: [2] } }),
    );
    if (!free.ok) throw new Error('expected a deployment');
    expect(free.disaggregated).toBeUndefined();
    // T(466) = 466 x 52.05 ms + 300 x 72.41 ms = 45.98 s: 466 x 300 / 45.98 / 2 = 1,520 per chip
    expect(free.point.outputTokensPerS / free.point.chips).toBeCloseTo(1520.3, 0);
  });
});

describe('3f pipeline stages across domains', () => {
  // Llama 3.1 405B in BF16 (811.8 GB) on H100: more than one 8-GPU server holds (618 GB usable).
  const w = workload({
    model: 'llama-3.1-405b',
    input_tokens: 800,
    output_tokens: 300,
    efficiency: EFF,
    mechanisms: { pipeline_parallel: true },
  });
  const setup = setupFor(h100, w);
  if (!setup) throw new Error('no setup');
  const one = replicaFor(h100, w, setup, 8, 'tp', 1);
  const two = replicaFor(h100, w, setup, 8, 'tp', 2);
  // one hop: 16,384 values x 2 B over 50 GB/s x 0.7, plus 5 us
  const hopPerSequence = (16_384 * 2) / (50e9 * 0.7);

  it('two stages of 8 hold it: (16 x 80 GiB x 0.9 - 811.8e9) / (1,100 x 516,096) = 748 sequences', () => {
    expect(one.maxBatch).toBe(0);
    expect(two.chips).toBe(16);
    // KV: 2 x 126 layers x 8 heads x 128 x 2 B = 516,096 B/token, one copy over 8 chips of 8 heads
    expect(two.maxBatch).toBe(Math.floor((16 * 80 * 2 ** 30 * 0.9 - 811.8e9) / (1100 * 516_096)));
    expect(two.maxBatch).toBe(748);
  });

  it('a step of 400 is the 8-chip step at 200, one more stage overhead, and two hops of 200', () => {
    const base = decodeStep(one, 200).totalS; // t_step0 = 2 ms once
    const expected = base + 0.002 + 2 * (200 * hopPerSequence + 5e-6);
    expect(decodeStep(two, 400).totalS).toBeCloseTo(expected, 12);
  });

  it('prompts overlap across stages: t_pf / 2 of replica time, t_pf plus one hop of latency', () => {
    expect(two.prefillS).toBeCloseTo(one.prefillS / 2, 12);
    const p = replicaPoint(two, 400);
    expect(p.ttftS).toBeCloseTo(one.prefillS + 800 * hopPerSequence + 5e-6 + decodeStep(two, 400).totalS, 12);
  });

  it('the search picks two stages of 8 H100 where one server cannot hold the model', () => {
    const d = chooseDeployment(h100, w);
    if (!d.ok) throw new Error('expected a deployment');
    expect(d.replica.stages).toBe(2);
    expect(d.point.chips).toBe(16);
    const off = chooseDeployment(h100, { ...w, mechanisms: { ...w.mechanisms, pipelineParallel: false } });
    expect(off.ok).toBe(false);
  });
});

describe('3g all-reduce on a torus', () => {
  it('TPU v6e (16 x 16): a line of 8 takes 4x a switched fabric, a closed ring of 16 2x, 32 chips 2.06x', async () => {
    const { torusAllReduceFactor } = await import('../../src/engine/replica.js');
    // switched: 2 x 7/8 = 1.75 of the data at LB. A line of 8 in a dimension of 16 (no wrap-around):
    // 1.75 at LB / (2 x 2) = LB/4: 7, so 7 / 1.75 = 4.
    expect(torusAllReduceFactor([16, 16], 8)).toBeCloseTo(4, 12);
    // a whole dimension closes the ring: 2 x 15/16 at LB/2 = 3.75 against 1.875
    expect(torusAllReduceFactor([16, 16], 16)).toBeCloseTo(2, 12);
    // 16 around the first dimension (3.75), then a line of 2 on 1/16 of the data at LB/4:
    // 2 x 1/2 x (1/16) / (1/4) = 0.25; (3.75 + 0.25) / (2 x 31/32) = 4 / 1.9375
    expect(torusAllReduceFactor([16, 16], 32)).toBeCloseTo(4 / 1.9375, 12);
  });

  it('a Trn2 UltraServer (4 x 4 x 4): rings of 4 on 1, 1/4 and 1/16 of the data at LB/3: 3x', async () => {
    const { torusAllReduceFactor } = await import('../../src/engine/replica.js');
    // 1.5 x 3 x (1 + 1/4 + 1/16) = 5.90625 against 2 x 63/64 = 1.96875
    expect(torusAllReduceFactor([4, 4, 4], 64)).toBeCloseTo(5.90625 / 1.96875, 12);
    expect(torusAllReduceFactor([4, 4, 4], 1)).toBe(1);
  });

  it('switched on, the TP all-reduce of a v6e replica of 8 costs 4x its switched-fabric time', () => {
    const v6e = accelerator('tpu-v6e-trillium');
    const w = (on: boolean) =>
      chat(
        { torus_collectives: on },
        { precision: { weights: 'bf16', activations: 'bf16', kv_cache: 'bf16' } },
      );
    expect(replica(v6e, w(true), 8).commSPerSequence).toBeCloseTo(
      4 * replica(v6e, w(false), 8).commSPerSequence,
      15,
    );
  });
});

describe('6.1 power at the operating point', () => {
  it('host share x load + min(cap, TDP) x (idle + (1 - idle) x activity)', async () => {
    const { operatingPowerW } = await import('../../src/engine/energy.js');
    const model = { idleFraction: 0.62, hostLoad: 0.8 };
    // A step of 10 ms: memory busy 8 ms at eta_mem 0.9 (0.72 of peak), compute 5 ms at 0.4 (0.2).
    const step = { memoryS: 0.008, computeS: 0.005, totalS: 0.01 };
    const eff = { etaMem: 0.9, etaDecode: 0.4, etaPrefill: 0.5 };
    // B200: TDP 1000 W, nameplate 1700 W per chip -> host (1700 - 1000) * 0.8 = 560 W;
    // chip 1000 * (0.62 + 0.38 * 0.72) = 893.6 W; total 1453.6 W
    expect(operatingPowerW({ tdpW: 1000, systemWPerChip: 1700 }, step, eff, model)).toBeCloseTo(1453.6, 9);
    // capped at 500 W (MaxQ): 560 + 500 * (0.62 + 0.38 * 0.72) = 1006.8 W
    expect(operatingPowerW({ tdpW: 1000, systemWPerChip: 1700 }, step, eff, model, 500)).toBeCloseTo(
      1006.8,
      9,
    );
  });

  it('with prefill_power, the prefill time per step counts at eta_prefill in a time-weighted activity', async () => {
    const { operatingPowerW, prefillSharePerStepS } = await import('../../src/engine/energy.js');
    const model = { idleFraction: 0.62, hostLoad: 0.8 };
    const step = { memoryS: 0.008, computeS: 0.005, totalS: 0.01 };
    const eff = { etaMem: 0.9, etaDecode: 0.4, etaPrefill: 0.5 };
    // B = 300 sequences, a 20 ms prefill each, 600 output tokens: 300 x 0.020 / 600 = 10 ms per step
    const on = { prefillPower: true, chunkedPrefill: false };
    const share = prefillSharePerStepS(on, 300, 0.02, 600, false);
    expect(share).toBeCloseTo(0.01, 15);
    // a = (max(0.9 x 8, 0.4 x 5) ms + 0.5 x 10 ms) / (10 + 10) ms = (7.2 + 5) / 20 = 0.61
    // chip 1000 x (0.62 + 0.38 x 0.61) = 851.8 W; host 560 W; total 1411.8 W
    expect(
      operatingPowerW({ tdpW: 1000, systemWPerChip: 1700 }, step, eff, model, undefined, share),
    ).toBeCloseTo(1411.8, 9);
    // off, under chunked prefill, or on a disaggregated decode replica: no share
    expect(prefillSharePerStepS({ prefillPower: false, chunkedPrefill: false }, 300, 0.02, 600, false)).toBe(
      0,
    );
    expect(prefillSharePerStepS({ prefillPower: true, chunkedPrefill: true }, 300, 0.02, 600, false)).toBe(0);
    expect(prefillSharePerStepS(on, 300, 0.02, 600, true)).toBe(0);
  });
});

describe('6.2 a power cap slows the matrix units', () => {
  it('the clock held is (cap / TDP)^(1/3): 0.5 at an eighth of TDP, 0.86305 for H100 at 450 W of 700', async () => {
    const { cappedClockFraction } = await import('../../src/engine/energy.js');
    expect(cappedClockFraction(1000, 125, true)).toBeCloseTo(0.5, 15);
    // 450 / 700 = 0.642857; its cube root 0.86305 (0.86305^3 = 0.64285)
    expect(cappedClockFraction(700, 450, true)).toBeCloseTo(0.86305, 5);
    expect(cappedClockFraction(700, 450, false)).toBe(1);
    expect(cappedClockFraction(700, 700, true)).toBe(1);
    expect(cappedClockFraction(700, 1000, true)).toBe(1);
    expect(cappedClockFraction(700, undefined, true)).toBe(1);
  });

  it('H100 capped at 87.5 W (TDP / 8) runs the chat GEMMs and attention at half the rate; memory and links unchanged', () => {
    const w = (on: boolean) => chat({ power_capped_clock: on }, { site: { power_cap_w: 87.5 } });
    const on = decodeStep(replica(h100, w(true), 2), 101);
    const off = decodeStep(replica(h100, w(false), 2), 101);
    // off: t_gemm + t_attn = 14.413 + 0.254 ms; on: twice that, 29.334 ms
    expect(off.computeS).toBeCloseTo(tGemm + tAttn, 12);
    expect(on.computeS).toBeCloseTo(2 * (tGemm + tAttn), 12);
    // t_w + t_kv = 13.172 + 2.933 ms either way, and the all-reduce too
    expect(on.memoryS).toBeCloseTo(tW + tKv, 12);
    expect(on.memoryS).toBe(off.memoryS);
    expect(on.commS).toBe(off.commS);
  });

  it("the range's low end runs the clock at cap / TDP (exponent 1): an eighth of TDP keeps 0.125 of it, 4x the nominal's GEMM time", async () => {
    const { cappedClockFraction, CAP_CLOCK_EXPONENT } = await import('../../src/engine/energy.js');
    const { estimatedInputRange, evaluate } = await import('../../src/engine/evaluate.js');
    expect(cappedClockFraction(1000, 125, true, CAP_CLOCK_EXPONENT.low)).toBe(0.125);
    // 450 / 700 = 0.642857, against the cube root's 0.86305
    expect(cappedClockFraction(700, 450, true, CAP_CLOCK_EXPONENT.low)).toBeCloseTo(0.642857, 6);
    const w = chat({ power_capped_clock: true }, { site: { power_cap_w: 87.5 } });
    const slowW = { ...w, site: { ...w.site, powerCapClockExponent: 1 } };
    // at B = 101 on 2 chips: (t_gemm + t_attn) / 0.125 = 8 x 14.667 ms, four times the nominal's 2 x
    expect(decodeStep(replica(h100, slowW, 2), 101).computeS).toBeCloseTo(8 * (tGemm + tAttn), 12);
    const nominal = evaluate(h100, w);
    const slow = evaluate(h100, slowW);
    const x = nominal.performance?.outputTokensPerSPerChip ?? 0;
    const xSlow = slow.performance?.outputTokensPerSPerChip ?? 0;
    expect(xSlow).toBeGreaterThan(0);
    expect(xSlow).toBeLessThan(x);
    const usd = nominal.cost?.usdPerMtokOutput ?? 0;
    const usdSlow = slow.cost?.usdPerMtokOutput ?? 0;
    // A stated range of 100..200 tokens/s, $3..$1 per million: the slower clock lowers the low
    // end by the throughput's ratio and raises the pessimistic $/1M; the high ends stay.
    const given = {
      low: {
        outputTokensPerSPerChip: 100,
        outputTokensPerUsd: 1000,
        usdPerMtokOutput: 3,
        outputTokensPerJoule: null,
      },
      high: {
        outputTokensPerSPerChip: 200,
        outputTokensPerUsd: 2000,
        usdPerMtokOutput: 1,
        outputTokensPerJoule: null,
      },
    };
    const r = estimatedInputRange(h100, w, nominal, given);
    expect(r?.low.outputTokensPerSPerChip).toBeCloseTo((100 * xSlow) / x, 9);
    expect(r?.low.usdPerMtokOutput).toBeCloseTo((3 * usdSlow) / usd, 9);
    expect(r?.high.outputTokensPerSPerChip).toBe(200);
    expect(r?.high.usdPerMtokOutput).toBe(1);
    // No cap, a cap at TDP or the switch off: the range as given.
    expect(estimatedInputRange(h100, chat({ power_capped_clock: true }), nominal, given)).toBe(given);
    expect(
      estimatedInputRange(
        h100,
        chat({ power_capped_clock: false }, { site: { power_cap_w: 87.5 } }),
        nominal,
        given,
      ),
    ).toBe(given);
  });
});

describe('12a layout_pairs: the search runs an MoE model on more than one chip at the layout fit', () => {
  const base = { etaMem: 0.8, etaPrefill: 0.6, etaDecode: 0.35, etaLink: 0.7, tStep0S: 0.002 };
  // Half the memory efficiency, as a pair's expert-parallel rows might fit.
  const across = { ...base, etaMem: 0.4 };
  const { moeAcrossEfficiency: _none, ...h200 } = accelerator('h200-sxm');
  const withFit: Accelerator = { ...h200, efficiency: base, moeAcrossEfficiency: across };
  const run = (model: string, chips: number, on: boolean, acc: Accelerator = withFit) => {
    const d = chooseDeployment(
      acc,
      workload({
        model,
        precision: FP8,
        input_tokens: 1000,
        output_tokens: 1000,
        deployment: { replica_chips: [chips] },
        mechanisms: { layout_pairs: on },
      }),
    );
    if (!d.ok) throw new Error(`${model} on ${chips} chips does not run`);
    return d.point.outputTokensPerS / d.point.chips;
  };

  it("Mixtral 8x7B on 2 chips: exactly a chip whose own factors are the layout's, and below the pair's", () => {
    const asIf = { ...h200, efficiency: across };
    expect(run('mixtral-8x7b', 2, true)).toBe(run('mixtral-8x7b', 2, true, asIf));
    expect(run('mixtral-8x7b', 2, true)).toBeLessThan(run('mixtral-8x7b', 2, false));
  });

  it("off, on one chip, or for a dense model: the pair's factors, as if the profile had no layout fit", () => {
    const plain = { ...h200, efficiency: base };
    expect(run('mixtral-8x7b', 2, false)).toBe(run('mixtral-8x7b', 2, false, plain));
    expect(run('mixtral-8x7b', 1, true)).toBe(run('mixtral-8x7b', 1, true, plain));
    expect(run('llama-3.3-70b', 2, true)).toBe(run('llama-3.3-70b', 2, true, plain));
  });
});
