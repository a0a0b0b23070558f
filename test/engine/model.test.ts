// Hand-computed cases for docs/model.md sections 2 to 8. Each expectation is written as the
// arithmetic a reader can check with a calculator.
import { describe, expect, it } from 'vitest';
import { parseFieldSets } from '../../src/api/sets.js';
import {
  blendPerToken,
  blendTokensPer,
  chipCost,
  chooseDeployment,
  compareAccelerators,
  decodeStep,
  efficiencyRange,
  estimatedInputEnds,
  estimatedInputRange,
  estimateRange,
  evaluate,
  fleetForPower,
  kvBytesPerToken,
  kvBytesPerTokenReplica,
  largestFeasibleBatch,
  replicaFor,
  replicaPoint,
  selectComputePrecision,
  setupFor,
  touchedWeightBytes,
  weightBytes,
} from '../../src/engine/index.js';
import { precisionOf } from '../../src/engine/precision.js';
import type { Accelerator, Workload } from '../../src/engine/types.js';
import { acceleratorFor } from '../../src/io/workload.js';
import { acceleratorRules } from '../../src/schema/rules.js';
import { WORKLOAD_DEFAULTS } from '../../src/schema/workload.js';
import { accelerator, bundled, PINNED_EFFICIENCY, workload } from '../helpers/data.js';

const FP8 = { weights: 'fp8', activations: 'fp8', kv_cache: 'fp8' } as const;

describe('section 2: bytes', () => {
  it('weights and KV per token, GQA (Llama 3.3 70B, FP8)', () => {
    const w = workload({
      model: 'llama-3.3-70b',
      input_tokens: 1000,
      output_tokens: 1000,
      precision: FP8,
    });
    expect(weightBytes(w.model, w.model.precision.weights).total).toBe(70.6e9 * 1);
    // kv = 2 * layers * kv_heads * head_dim * b = 2 * 80 * 8 * 128 * 1
    expect(kvBytesPerToken(w.model, w.model.precision.kvCache)).toBe(163_840);
  });

  it('MLA latent (DeepSeek-V3, BF16 KV) is replicated on every chip', () => {
    const w = workload({ model: 'deepseek-v3', input_tokens: 1000, output_tokens: 100 });
    // kv = layers * (kv_lora_rank + rope_head_dim) * b = 61 * (512 + 64) * 2
    expect(kvBytesPerToken(w.model, w.model.precision.kvCache)).toBe(70_272);
    // kvN = kv * N at N = 8
    expect(kvBytesPerTokenReplica(w.model, w.model.precision.kvCache, 8)).toBe(70_272 * 8);
  });

  it('a KV head is replicated once chips outnumber KV heads', () => {
    const w = workload({ model: 'llama-3.1-8b', input_tokens: 1000, output_tokens: 100 });
    const kv = 2 * 32 * 8 * 128 * 2; // bf16
    expect(kvBytesPerTokenReplica(w.model, w.model.precision.kvCache, 4)).toBe(kv); // max(1, 4/8) = 1
    expect(kvBytesPerTokenReplica(w.model, w.model.precision.kvCache, 16)).toBe(kv * 2); // 16/8 = 2
  });

  it('block-scaled formats carry their real width: MXFP4 experts at 4.25 bits, the rest BF16', () => {
    const w = workload({ model: 'gpt-oss-120b', input_tokens: 100, output_tokens: 100 });
    const p = w.model.precision;
    // W = 114.7e9 * 4.25 / 8 (routed experts, MXFP4) + (116.8 - 114.7)e9 * 2 (BF16)
    expect(weightBytes(w.model, p.weights, p.experts).total).toBeCloseTo(
      (114.7e9 * 4.25) / 8 + 2.1e9 * 2,
      -3,
    );
    // without an experts format every weight is at `weights`: 116.8e9 * 4.25 / 8
    expect(weightBytes(w.model, { format: 'fp4', bits: 4.25 }).total).toBeCloseTo((116.8e9 * 4.25) / 8, 0);
  });

  it('MoE: touched weights at batch B = Wd + We * (1 - (1 - k/E)^B) (Mixtral, 2 of 8)', () => {
    const w = workload({ model: 'mixtral-8x7b', input_tokens: 500, output_tokens: 500 });
    const a = accelerator('h100-sxm');
    const setup = setupFor(a, w);
    if (!setup) throw new Error('no setup');
    const r = replicaFor(a, w, setup, 1);
    const we = 45.1e9 * 2; // bf16
    const wd = 46.7e9 * 2 - we;
    expect(touchedWeightBytes(r, 1)).toBeCloseTo(wd + we * (1 - 0.75 ** 1), 0); // a quarter of the experts
    expect(touchedWeightBytes(r, 4)).toBeCloseTo(wd + we * (1 - 0.75 ** 4), 0); // 68.4%
    expect(touchedWeightBytes(r, 64)).toBeCloseTo(wd + we * (1 - 0.75 ** 64), 0); // all but 1e-8
  });
});

describe('section 2: compute precision fallback', () => {
  it('a chip without the format runs the narrowest wider one (TPU v5e has no FP8: bf16)', () => {
    expect(selectComputePrecision(accelerator('tpu-v5e'), 'fp8')).toEqual({
      format: 'bf16',
      flopsPerS: 197e12,
      fallback: { requested: 'fp8', direction: 'wider' },
    });
  });
  it('with no wider one it runs the widest narrower one (Maia 200 has no BF16 matrix unit: fp8)', () => {
    expect(selectComputePrecision(accelerator('maia-200'), 'bf16')).toEqual({
      format: 'fp8',
      flopsPerS: 5000e12,
      fallback: { requested: 'bf16', direction: 'narrower' },
    });
  });
  it('the narrower fallback quantises the weights and says so', () => {
    const e = evaluate(
      accelerator('maia-200'),
      workload({ model: 'llama-3.1-8b', input_tokens: 1000, output_tokens: 100 }),
    );
    expect(e.deployment?.weights).toEqual(precisionOf('fp8'));
    expect(e.warnings).toContainEqual({
      code: 'PRECISION_FALLBACK',
      requested: 'bf16',
      used: 'fp8',
      direction: 'narrower',
      weightsQuantised: true,
    });
  });
});

describe('sections 3 and 4: Llama-3.3-70B FP8 on one H200, 1000 in / 1000 out, no SLO', () => {
  const w = workload({
    model: 'llama-3.3-70b',
    precision: FP8,
    input_tokens: 1000,
    output_tokens: 1000,
    deployment: { replica_chips: [1] },
    efficiency: PINNED_EFFICIENCY,
    // section 3 as written: one max over the step (3a.1 is checked in corrections.test.ts)
    mechanisms: { per_operator_roofline: false },
  });
  const d = chooseDeployment(accelerator('h200-sxm'), w);

  it('Bmax: floor((N*C*m - W) / ((I+O) * kvN)), capacity in GiB', () => {
    // C = 141 GiB = 141 * 2^30 B; (1 * 141 * 2^30 * 0.9 - 70.6e9) / (2000 * 163840)
    //   = (136.251e9 - 70.6e9) / 327.68e6 = 200.35 -> 200
    expect(d.ok && d.replica.maxBatch).toBe(200);
  });

  it('chooses the largest batch (X(B) never falls with B) and its tokens/s follow the model', () => {
    if (!d.ok) throw new Error('expected a deployment');
    expect(d.point.batch).toBe(200);
    const lbar = 1000 + 1000 / 2; // 1500
    const tMem = (70.6e9 + 200 * lbar * 163_840) / (4.8e12 * 0.8); // 0.031185 s
    const tCmp = (200 * (2 * 70.6e9 + 4 * 80 * (64 * 128) * lbar)) / (1979e12 * 0.35); // 0.041906 s
    const tStep = Math.max(tMem, tCmp) + 0 + 0.002; // one chip: no communication
    const tPf = (2 * 70.6e9 * 1000 + 2 * 80 * 8192 * 1000 ** 2) / (1979e12 * 0.6); // 0.120019 s
    const T = 200 * tPf + 1000 * tStep; // 67.91 s
    expect(tCmp).toBeGreaterThan(tMem); // compute-bound at this batch
    expect(d.point.stepS).toBeCloseTo(tStep, 12);
    expect(d.point.prefillS).toBeCloseTo(tPf, 12);
    expect(d.point.outputTokensPerS).toBeCloseTo((200 * 1000) / T, 9);
    expect(Math.round(d.point.outputTokensPerS)).toBe(2945); // measured (TensorRT-LLM): 2,909
    expect(d.point.tpotS).toBeCloseTo(T / 1000, 12);
    expect(d.point.ttftS).toBeCloseTo(tPf + tStep, 12);
  });
});

describe('section 1: HBM capacity is binary (GiB)', () => {
  it('Llama 3.3 70B FP8 on one H100 (chat, 800 in / 300 out): 80 GiB holds 37 sequences, not 7', () => {
    const w = workload({
      model: 'llama-3.3-70b',
      precision: FP8,
      input_tokens: 800,
      output_tokens: 300,
      deployment: { replica_chips: [1] },
    });
    const d = chooseDeployment(accelerator('h100-sxm'), w);
    // usable = 80 * 2^30 * 0.9 = 77,309,411,328 B; minus W = 70.6e9 leaves 6,709,411,328 B;
    // one sequence at peak context holds (800 + 300) * 163,840 = 180,224,000 B of KV;
    // 6,709,411,328 / 180,224,000 = 37.2 -> 37. Read as 80e9 B it was (72e9 - 70.6e9) / 180.224e6 = 7.
    expect(d.ok && d.replica.maxBatch).toBe(37);
  });
});

describe('section 3: multi-chip communication', () => {
  it('t_comm = 2 * layers * [2(N-1)/N * B * hidden * b / (LB * eta_link) + alpha]', () => {
    const w = workload({
      model: 'llama-3.3-70b',
      precision: FP8,
      input_tokens: 1000,
      output_tokens: 1000,
      efficiency: PINNED_EFFICIENCY,
    });
    const a = accelerator('h100-sxm');
    const setup = setupFor(a, w);
    if (!setup) throw new Error('no setup');
    const r = replicaFor(a, w, setup, 2);
    // N = 2, B = 10: 2 * 80 * [1 * 10 * 8192 * 1 / (450e9 * 0.7) + 5e-6]
    expect(decodeStep(r, 10).commS).toBeCloseTo(2 * 80 * ((1 * 10 * 8192) / (450e9 * 0.7) + 5e-6), 15);
  });
});

describe('section 4: SLO and fit failures are data, never exceptions', () => {
  it('a model that does not fit says how many chips it needs', () => {
    const w = workload({ model: 'llama-3.1-405b', input_tokens: 1000, output_tokens: 200 });
    const d = chooseDeployment(accelerator('h100-sxm'), w);
    // W = 405.9e9 * 2 = 811.8e9 B; 80 GiB * 0.9 = 77.31e9 B usable per chip
    // -> at least ceil(811.8 / 77.31) = 11 chips > 8
    expect(d.ok).toBe(false);
    expect(!d.ok && d.failure).toEqual({
      code: 'DOES_NOT_FIT',
      minChips: 11,
      weightBytes: 811.8e9,
      largestReplicaChips: 8,
      usableBytesPerChip: 80 * 2 ** 30 * 0.9,
    });
  });

  it('an SLO nobody meets reports the closest latency at batch 1', () => {
    const w = workload({
      model: 'llama-3.1-8b',
      input_tokens: 1000,
      output_tokens: 200,
      slo: { tpot_ms: 1 },
      efficiency: PINNED_EFFICIENCY,
    });
    const d = chooseDeployment(accelerator('h100-sxm'), w);
    expect(d.ok).toBe(false);
    if (d.ok || d.failure.code !== 'SLO_UNMET') throw new Error('expected SLO_UNMET');
    expect(d.failure.metric).toBe('tpot');
    expect(d.failure.batch).toBe(1);
    expect(d.failure.limitS).toBe(0.001);
    expect(d.failure.achievedS).toBeGreaterThan(0.002); // at least t_step0
  });

  it('where both limits miss, the one missed by most is named (docs/model.md 10): loosening the other runs nothing', () => {
    // TPOT <= 1 ms misses by some 2-3x at batch 1 (t_step0 alone is 2 ms); TTFT <= 10 us misses by
    // orders of magnitude. Before, TPOT was named whenever it missed at all.
    const w = (tpotMs: number) =>
      workload({
        model: 'llama-3.1-8b',
        input_tokens: 1000,
        output_tokens: 200,
        slo: { tpot_ms: tpotMs, ttft_ms: 0.01 },
        efficiency: PINNED_EFFICIENCY,
      });
    for (const tpotMs of [1, 1000]) {
      const d = chooseDeployment(accelerator('h100-sxm'), w(tpotMs));
      if (d.ok || d.failure.code !== 'SLO_UNMET') throw new Error('expected SLO_UNMET');
      expect(d.failure.metric).toBe('ttft');
      expect(d.failure.limitS).toBe(0.00001);
      expect(d.failure.achievedS / d.failure.limitS).toBeGreaterThan(100);
    }
  });

  it('bisection finds the same SLO-feasible batch as a scan', () => {
    const w = workload({
      model: 'llama-3.3-70b',
      precision: FP8,
      input_tokens: 2000,
      output_tokens: 300,
      slo: { ttft_ms: 800, tpot_ms: 35 },
      efficiency: PINNED_EFFICIENCY,
    });
    const a = accelerator('h200-sxm');
    const setup = setupFor(a, w);
    if (!setup) throw new Error('no setup');
    const r = replicaFor(a, w, setup, 1);
    let scan = 0;
    for (let b = 1; b <= r.maxBatch; b++) {
      const p = replicaPoint(r, b);
      if (p.ttftS <= 0.8 && p.tpotS <= 0.035) scan = b;
    }
    expect(scan).toBeGreaterThan(1);
    expect(largestFeasibleBatch(r, r.maxBatch, 0.8, 0.035)).toBe(scan);
  });
});

describe('section 5: money', () => {
  it('TCO = capex/(years*8760) + capex*opex/8760 + system_w*pue/1000*usd_per_kwh (H100)', () => {
    const c = chipCost(accelerator('h100-sxm'), 'tco', { pue: 1.2, usdPerKwh: 0.08 });
    const expected = 33_750 / (5 * 8760) + (33_750 * 0.09) / 8760 + ((1275 * 1.2) / 1000) * 0.08; // 0.7705 + 0.3467 + 0.1224
    expect(c?.usdPerChipHour).toBeCloseTo(expected, 12);
    expect(c?.usdPerChipHour).toBeCloseTo(1.2397, 4);
  });

  it('tokens per dollar, $ per 1M, per request and total tokens per dollar', () => {
    const w = workload({
      model: 'llama-3.3-70b',
      precision: FP8,
      input_tokens: 1000,
      output_tokens: 1000,
      deployment: { replica_chips: [1] },
      efficiency: PINNED_EFFICIENCY,
      utilization: 0.7,
    });
    const e = evaluate(accelerator('h200-sxm'), w);
    const x = e.performance?.outputTokensPerSPerChip ?? 0;
    const tpd = (x * 3600 * 0.7) / 7.91; // AWS p5en on-demand per GPU
    expect(e.cost?.outputTokensPerUsd).toBeCloseTo(tpd, 6);
    expect(e.cost?.usdPerMtokOutput).toBeCloseTo(1e6 / tpd, 9);
    expect(e.cost?.totalTokensPerUsd).toBeCloseTo((tpd * 2000) / 1000, 6);
    expect(e.cost?.usdPerRequest).toBeCloseTo(
      7.91 / (3600 * 0.7 * (e.performance?.requestsPerSPerChip ?? 0)),
      12,
    );
  });
});

describe('section 10: overhead-bound steps', () => {
  it('warns when t_step0 is more than half of the decode step, with both times, and not otherwise', () => {
    const base = { model: 'llama-3.1-8b', precision: FP8, input_tokens: 1000, output_tokens: 200 } as const;
    // A 30 ms t_step0 (per_layer_overhead off: every step pays it whole) under a 35 ms TPOT limit:
    // the chosen step is at most 35 ms, so the overhead is at least 30/35 = 86% of it.
    const slow = evaluate(
      accelerator('h200-sxm'),
      workload({ ...base, slo: { tpot_ms: 35 }, efficiency: { ...PINNED_EFFICIENCY, t_step0_ms: 30 } }),
    );
    const w = slow.warnings.find((x) => x.code === 'OVERHEAD_BOUND');
    expect(w).toBeDefined();
    if (w?.code !== 'OVERHEAD_BOUND') return;
    expect(w.overheadS).toBeCloseTo(0.03, 12);
    expect(w.stepS).toBeLessThanOrEqual(0.035);
    expect(w.overheadS / w.stepS).toBeGreaterThanOrEqual(30 / 35);
    // With the pinned 2 ms and no limit, Llama 3.3 70B on one chip runs its largest batch, whose
    // step reads ~70 GB of weights (~18 ms) plus the KV cache: no warning.
    const fast = evaluate(
      accelerator('h200-sxm'),
      workload({ ...base, model: 'llama-3.3-70b', efficiency: PINNED_EFFICIENCY }),
    );
    expect(fast.warnings.some((x) => x.code === 'OVERHEAD_BOUND')).toBe(false);
  });
});

describe('section 6: energy', () => {
  it('tokens per joule = x / (system_w * pue), with 1.7 x TDP when system power is absent (H200)', () => {
    const w = workload({ model: 'llama-3.1-8b', input_tokens: 1000, output_tokens: 200 });
    const e = evaluate(accelerator('h200-sxm'), w);
    const x = e.performance?.outputTokensPerSPerChip ?? 0;
    const pw = 700 * 1.7 * 1.2; // 1428 W at the facility
    expect(e.energy?.outputTokensPerJoule).toBeCloseTo(x / pw, 12);
    expect(e.energy?.outputTokensPerKwh).toBeCloseTo((x / pw) * 3.6e6, 6);
    expect(e.energy?.outputTokensPerSPerMw).toBeCloseTo((x / pw) * 1e6, 6);
    expect(e.warnings).toContainEqual({ code: 'POWER_ESTIMATE', field: 'system' });
  });
});

describe('section 11: estimated prices and power widen the range', () => {
  const chat = () =>
    workload({
      model: 'llama-3.3-70b',
      precision: FP8,
      input_tokens: 1000,
      output_tokens: 300,
      deployment: { replica_chips: [1] },
      efficiency: PINNED_EFFICIENCY,
      mechanisms: { power_under_load: true },
    });

  it('Ironwood: $9.48 from $6.79 to $12.16, TDP 1,025 W from 1,025 to 1,633 W', () => {
    const a = accelerator('tpu-v7-ironwood');
    expect(a.prices[0]?.usdPerChipHourRange).toEqual([6.79, 12.16]);
    expect(a.powerRangeW).toEqual({ tdpW: [1025, 1633], systemWPerChip: [1.7 * 1025, 1.7 * 1633] });
    const w = chat();
    const nominal = evaluate(a, w);
    const throughputOnly = efficiencyRange(a, w);
    const widened = estimateRange(a, w, nominal, throughputOnly);
    const [lo, hi] = [throughputOnly?.low, throughputOnly?.high];
    // Price: the pessimistic end pays $12.16, the optimistic $6.79; throughput is unchanged.
    expect(widened?.low.outputTokensPerUsd).toBeCloseTo((lo?.outputTokensPerUsd ?? 0) * (9.48 / 12.16), 6);
    expect(widened?.high.outputTokensPerUsd).toBeCloseTo((hi?.outputTokensPerUsd ?? 0) * (9.48 / 6.79), 6);
    expect(widened?.low.usdPerMtokOutput).toBeCloseTo((lo?.usdPerMtokOutput ?? 0) * (12.16 / 9.48), 9);
    expect(widened?.low.outputTokensPerSPerChip).toBe(lo?.outputTokensPerSPerChip);
    // Power: host (1.7 - 1) x TDP x hostLoad plus TDP x (idle + (1 - idle) a): every term is a
    // multiple of the TDP, so operating power scales by 1633/1025 and tokens per joule by 1025/1633.
    expect(widened?.low.outputTokensPerJoule).toBeCloseTo((lo?.outputTokensPerJoule ?? 0) * (1025 / 1633), 9);
    // TDP's low is the estimate itself: the optimistic end does not move.
    expect(widened?.high.outputTokensPerJoule).toBeCloseTo(hi?.outputTokensPerJoule ?? 0, 12);
  });

  it('per model kind (section 11): a dense model states interval_pct, an MoE model moe_interval_pct', () => {
    // Intervals as log(measured / predicted): dense -20%..+25%, MoE -50%..+100%.
    const a = {
      ...accelerator('h100-sxm'),
      intervalLog: [Math.log(0.8), Math.log(1.25)] as const,
      moeIntervalLog: [Math.log(0.5), Math.log(2)] as const,
    };
    const dense = chat();
    const d = efficiencyRange(a, dense);
    const x = evaluate(a, dense).performance?.outputTokensPerSPerChip ?? Number.NaN;
    expect(d?.low.outputTokensPerSPerChip).toBeCloseTo(x * 0.8, 6);
    expect(d?.high.outputTokensPerSPerChip).toBeCloseTo(x * 1.25, 6);
    const moeW = workload({ model: 'mixtral-8x7b', precision: FP8, input_tokens: 1000, output_tokens: 200 });
    const y = evaluate(a, moeW).performance?.outputTokensPerSPerChip ?? Number.NaN;
    const m = efficiencyRange(a, moeW);
    expect(m?.low.outputTokensPerSPerChip).toBeCloseTo(y * 0.5, 6);
    expect(m?.high.outputTokensPerSPerChip).toBeCloseTo(y * 2, 6);
    // A profile with one interval states it for both kinds.
    const { moeIntervalLog: _, ...one } = a;
    expect(efficiencyRange(one, moeW)?.high.outputTokensPerSPerChip).toBeCloseTo(y * 1.25, 6);
  });

  it('published prices and power leave the range as it was (H100)', () => {
    const a = accelerator('h100-sxm');
    expect(a.powerRangeW).toBeUndefined();
    const w = chat();
    const range = efficiencyRange(a, w);
    expect(estimateRange(a, w, evaluate(a, w), range)).toBe(range);
  });

  it('an estimated price without its low and high is refused by validation', () => {
    const file = structuredClone(bundled().accelerators.get('tpu-v7-ironwood')?.value);
    const quote = file?.prices?.[0];
    if (!file || !quote) throw new Error('no ironwood quote');
    delete quote.low_usd_per_chip_hour;
    expect(acceleratorRules(file)).toContainEqual({
      path: ['prices', 0, 'low_usd_per_chip_hour'],
      message: 'an estimate needs its low and high (the range its derivation allows)',
    });
    quote.low_usd_per_chip_hour = 10;
    expect(acceleratorRules(file)).toContainEqual({
      path: ['prices', 0, 'low_usd_per_chip_hour'],
      message: 'is above the value 9.48',
    });
  });
});

describe('section 11: an estimated collective latency widens the range', () => {
  // Llama 3.3 70B on a pinned 12-chip replica: no latency limit, so the batch is the memory's
  // (or a TPOT limit, where given).
  const w = (tpotMs?: number) =>
    workload({
      model: 'llama-3.3-70b',
      precision: FP8,
      input_tokens: 1000,
      output_tokens: 300,
      deployment: { replica_chips: [12] },
      efficiency: PINNED_EFFICIENCY,
      ...(tpotMs === undefined ? {} : { slo: { tpot_ms: tpotMs } }),
    });
  const inf2 = accelerator('inferentia2');

  it("Inferentia2 states AWS's 58..300 us around its 132 us; H100's 5 us states none", () => {
    expect(inf2.collectiveLatencyS).toBeCloseTo(132e-6, 15);
    expect(inf2.collectiveLatencyRangeS?.[0]).toBeCloseTo(58e-6, 15);
    expect(inf2.collectiveLatencyRangeS?.[1]).toBeCloseTo(300e-6, 15);
    expect(accelerator('h100-sxm').collectiveLatencyRangeS).toBeUndefined();
  });

  it('a fitted latency (12a collective_latency_fit) replaces the estimate: no end to run, no note', () => {
    const fittedInf2 = { ...inf2, efficiency: { ...inf2.efficiency, collectiveLatencyS: 100e-6 } };
    const fitOn = { ...w(), mechanisms: { ...w().mechanisms, collectiveLatencyFit: true } };
    expect(estimatedInputEnds(fittedInf2, fitOn)).toEqual({ pessimistic: [], optimistic: [] });
    // The switch off, or on with no fitted latency: the estimate stands, 300 us and 58 us.
    for (const [a, wl] of [
      [fittedInf2, w()],
      [inf2, fitOn],
    ] as const) {
      const ends = estimatedInputEnds(a, wl);
      expect(ends.pessimistic.map(([x]) => x.collectiveLatencyS)).toEqual([300e-6]);
      expect(ends.optimistic.map(([x]) => x.collectiveLatencyS)).toEqual([58e-6]);
    }
    const codes = compareAccelerators(
      fitOn,
      [fittedInf2],
      'inferentia2',
    ).evaluations[0]?.evaluation.warnings.map((x) => x.code);
    expect(codes).not.toContain('LATENCY_ESTIMATE');
  });

  it('a form factor keeps the stated latency range; a --set latency is exact and states none', () => {
    const catalog = bundled();
    // trainium2-instance (the 16-chip form) changes the domain, not the link: same 58..300 us.
    const form = acceleratorFor(catalog, 'trainium2-instance', [], '2026-12-07');
    expect(form.collectiveLatencyRangeS?.[0]).toBeCloseTo(58e-6, 15);
    expect(form.collectiveLatencyRangeS?.[1]).toBeCloseTo(300e-6, 15);
    const set = parseFieldSets(['inferentia2.interconnect.latency_us=58'], [...catalog.accelerators.keys()]);
    const exact = acceleratorFor(catalog, 'inferentia2', set, '2026-12-07');
    expect(exact.collectiveLatencyS).toBeCloseTo(58e-6, 15);
    expect(exact.collectiveLatencyRangeS).toBeUndefined();
  });

  it('a step pays 2 all-reduces a layer at alpha: 300 us against 58 us is 2 x 80 x 242 us = 38.72 ms more', () => {
    const setup = setupFor(inf2, w());
    if (!setup) throw new Error('no setup');
    const at = (alphaS: number) =>
      decodeStep(replicaFor({ ...inf2, collectiveLatencyS: alphaS }, w(), setup, 12), 8);
    expect(at(300e-6).commS - at(58e-6).commS).toBeCloseTo(2 * 80 * 242e-6, 12);
    expect(at(300e-6).computeS).toBe(at(58e-6).computeS);
  });

  it("each end moves by the throughput's ratio at that end of the latency: the low at 300 us, the high at 58 us", () => {
    const nominal = evaluate(inf2, w());
    const x = nominal.performance?.outputTokensPerSPerChip ?? 0;
    const xAt = (alphaS: number) =>
      evaluate({ ...inf2, collectiveLatencyS: alphaS }, w()).performance?.outputTokensPerSPerChip ?? 0;
    // A shorter collective (every step and every prefill pays 2 x 80 of them) serves more.
    expect(xAt(58e-6)).toBeGreaterThan(x);
    expect(xAt(300e-6)).toBeLessThan(x);
    const given = {
      low: {
        outputTokensPerSPerChip: 10,
        outputTokensPerUsd: 100,
        usdPerMtokOutput: 30,
        outputTokensPerJoule: null,
      },
      high: {
        outputTokensPerSPerChip: 40,
        outputTokensPerUsd: 400,
        usdPerMtokOutput: 5,
        outputTokensPerJoule: null,
      },
    };
    const r = estimatedInputRange(inf2, w(), nominal, given);
    expect(r?.low.outputTokensPerSPerChip).toBeCloseTo((10 * xAt(300e-6)) / x, 9);
    expect(r?.high.outputTokensPerSPerChip).toBeCloseTo((40 * xAt(58e-6)) / x, 9);
    // $/1M inversely: the pessimistic end pays more per million, the optimistic less.
    expect(r?.low.usdPerMtokOutput).toBeCloseTo((30 * x) / xAt(300e-6), 9);
    expect(r?.high.usdPerMtokOutput).toBeCloseTo((5 * x) / xAt(58e-6), 9);
    // No stated latency range: the range as given.
    const { collectiveLatencyRangeS: _, ...unranged } = inf2;
    expect(estimatedInputRange(unranged, w(), nominal, given)).toBe(given);
  });

  it('a comparison that states ranges names the estimate; one without (a sweep) does not', () => {
    const codes = (ranges: boolean) =>
      compareAccelerators(w(), [inf2], 'inferentia2', { ranges }).evaluations[0]?.evaluation.warnings.map(
        (x) => x.code,
      );
    expect(codes(true)).toContain('LATENCY_ESTIMATE');
    expect(codes(false)).not.toContain('LATENCY_ESTIMATE');
    const warning = compareAccelerators(w(), [inf2], 'inferentia2').evaluations[0]?.evaluation.warnings.find(
      (x) => x.code === 'LATENCY_ESTIMATE',
    );
    expect(warning).toEqual({
      code: 'LATENCY_ESTIMATE',
      latencyS: inf2.collectiveLatencyS,
      rangeS: [58e-6, 300e-6],
    });
  });

  it('a chip that misses a TPOT limit at 132 us but meets it at 58 us says so, with its throughput there', () => {
    // 160 all-reduces a token on the pinned 12 chips: 21.1 ms at 132 us, 9.3 ms at 58 us; TPOT <= 25 ms.
    const tight = w(25);
    const e = compareAccelerators(tight, [inf2], 'inferentia2').evaluations[0]?.evaluation;
    expect(e?.failure?.code).toBe('SLO_UNMET');
    const x = evaluate({ ...inf2, collectiveLatencyS: 58e-6 }, tight).performance?.outputTokensPerSPerChip;
    expect(x).toBeGreaterThan(0);
    expect(e?.warnings).toContainEqual({
      code: 'MEETS_AT_LATENCY_LOW',
      latencyS: 58e-6,
      outputTokensPerSPerChip: x,
    });
  });

  it('a chip that runs at 132 us but at no deployment at 300 us: the note says the range leaves that out', () => {
    // TPOT <= 40 ms on the pinned 12 chips: at 300 us the 160 all-reduces a token alone take
    // 2 x 80 x 300 us = 48 ms > 40 ms, so nothing runs; at 132 us they take 21.1 ms and it runs.
    const loose = w(40);
    const e = compareAccelerators(loose, [inf2], 'inferentia2').evaluations[0]?.evaluation;
    expect(e?.performance).toBeDefined();
    expect(evaluate({ ...inf2, collectiveLatencyS: 300e-6 }, loose).performance).toBeUndefined();
    expect(e?.warnings.find((x) => x.code === 'LATENCY_ESTIMATE')).toEqual({
      code: 'LATENCY_ESTIMATE',
      latencyS: inf2.collectiveLatencyS,
      rangeS: [58e-6, 300e-6],
      unmetAtHigh: true,
    });
    // With no latency limit it runs at 300 us too, and the note has no such word (the test above).
  });

  it("under a cap within an estimated TDP's range the power ends are searched again and throughput moves (section 11)", () => {
    // Inferentia2's TDP is 135 W, estimated 135..244 W; a 150 W cap is above 135 and below 244, so
    // at the high end the clock is cbrt(150 / 244) = 0.85 of its own and the step is slower.
    const power = inf2.powerRangeW;
    if (!power) throw new Error('inferentia2 states no power range');
    expect(power.tdpW).toEqual([135, 244]);
    const capped = workload({
      model: 'llama-3.1-8b',
      precision: { weights: 'bf16', activations: 'bf16', kv_cache: 'bf16' },
      input_tokens: 1000,
      output_tokens: 200,
      efficiency: PINNED_EFFICIENCY,
      site: { power_cap_w: 150 },
    });
    const nominal = evaluate(inf2, capped);
    const hot = evaluate({ ...inf2, tdpW: 244, systemWPerChip: power.systemWPerChip[1] }, capped);
    const x = nominal.performance?.outputTokensPerSPerChip ?? 0;
    const xHot = hot.performance?.outputTokensPerSPerChip ?? 0;
    expect(xHot).toBeLessThan(x * 0.99);
    const r = estimateRange(inf2, capped, nominal, undefined);
    expect(r?.low.outputTokensPerSPerChip).toBeCloseTo(xHot, 9);
    expect(r?.low.outputTokensPerJoule).toBeCloseTo(hot.energy?.outputTokensPerJoule ?? 0, 12);
    // At 135 W the cap is above the TDP: no clock change, the high end's throughput stays.
    expect(r?.high.outputTokensPerSPerChip).toBeCloseTo(x, 9);
    // No cap: throughput does not depend on the TDP, and its ends stay at the nominal.
    const { powerCapW: _cap, ...uncapped } = capped.site;
    const free = { ...capped, site: uncapped };
    const e = evaluate(inf2, free);
    const rFree = estimateRange(inf2, free, e, undefined);
    expect(rFree?.low.outputTokensPerSPerChip).toBe(e.performance?.outputTokensPerSPerChip);
  });

  it("under a power cap too, the low end reaches the cap's clock where nothing runs at both ends together", () => {
    // Trainium3 on agentic-coding at a 300 W cap: at 300 us and exponent 1 together no deployment
    // meets the 30 ms TPOT; the cap's end alone (132 us, exponent 1) still runs and sets the low.
    const trn3 = accelerator('trainium3');
    // profiles/workloads/agentic-coding.yaml, with the cap
    const base = workload({
      model: 'qwen3-235b-a22b',
      precision: FP8,
      input_tokens: 30000,
      output_tokens: 600,
      cached_input_fraction: 0.9,
      slo: { ttft_ms: 3000, tpot_ms: 30 },
      utilization: 0.6,
      site: { power_cap_w: 300 },
    });
    const x = (a: Accelerator, wl: Workload) => evaluate(a, wl).performance?.outputTokensPerSPerChip;
    const slowW = { ...base, site: { ...base.site, powerCapClockExponent: 1 } };
    expect(x({ ...trn3, collectiveLatencyS: 300e-6 }, slowW)).toBeUndefined();
    const capOnly = x(trn3, slowW) ?? 0;
    const nominal = evaluate(trn3, base);
    const n = nominal.performance?.outputTokensPerSPerChip ?? 0;
    expect(capOnly).toBeGreaterThan(0);
    expect(capOnly).toBeLessThan(n);
    const given = {
      low: {
        outputTokensPerSPerChip: 10,
        outputTokensPerUsd: null,
        usdPerMtokOutput: null,
        outputTokensPerJoule: null,
      },
      high: {
        outputTokensPerSPerChip: 40,
        outputTokensPerUsd: null,
        usdPerMtokOutput: null,
        outputTokensPerJoule: null,
      },
    };
    const r = estimatedInputRange(trn3, base, nominal, given);
    // the latency's high alone may run too: the low end takes the farther of the two
    const latencyOnly = x({ ...trn3, collectiveLatencyS: 300e-6 }, base) ?? n;
    expect(r?.low.outputTokensPerSPerChip).toBeCloseTo((10 * Math.min(capOnly, latencyOnly)) / n, 9);
    expect(r?.low.outputTokensPerSPerChip).toBeLessThan(10);
  });

  it("a chip that runs at the cap's cube-root clock but at no deployment at its low end: the cap's note says the range leaves that out", () => {
    // H100 on chat under a 250 W cap: the clock is cbrt(250 / 700) = 0.709 of its own, 0.357 at
    // exponent 1. With a 7 ms TPOT it runs at 0.709 (batch 1 on 8 chips, 6.976 ms) and nowhere at
    // 0.357: there its prefill, 32 -> 46 ms, spread over 300 output tokens adds 0.047 ms, and
    // batch 1 on 8 chips takes 7.023 ms. With chat's own 40 ms it runs at both.
    const h100 = accelerator('h100-sxm');
    const chat = (tpotMs: number) =>
      workload({
        model: 'llama-3.3-70b',
        precision: FP8,
        input_tokens: 800,
        output_tokens: 300,
        slo: { ttft_ms: 500, tpot_ms: tpotMs },
        site: { power_cap_w: 250 },
        // as compare runs chat.yaml, the defaults on
        mechanisms: WORKLOAD_DEFAULTS.mechanisms,
      });
    const note = (w: Workload) =>
      compareAccelerators(w, [h100], 'h100-sxm').evaluations[0]?.evaluation.warnings.find(
        (x) => x.code === 'POWER_CAP_BELOW_TDP',
      );
    const tight = chat(7);
    const slow = { ...tight, site: { ...tight.site, powerCapClockExponent: 1 } };
    expect(evaluate(h100, tight).performance).toBeDefined();
    expect(evaluate(h100, slow).performance).toBeUndefined();
    expect(note(tight)).toEqual({
      code: 'POWER_CAP_BELOW_TDP',
      capW: 250,
      tdpW: 700,
      clockFraction: Math.cbrt(250 / 700),
      unmetAtLow: true,
    });
    const loose = chat(40);
    expect(
      evaluate(h100, { ...loose, site: { ...loose.site, powerCapClockExponent: 1 } }).performance,
    ).toBeDefined();
    expect(note(loose)).not.toHaveProperty('unmetAtLow');
    // A comparison that states no ranges (a sweep) does not run the end.
    expect(
      compareAccelerators(tight, [h100], 'h100-sxm', {
        ranges: false,
      }).evaluations[0]?.evaluation.warnings.find((x) => x.code === 'POWER_CAP_BELOW_TDP'),
    ).not.toHaveProperty('unmetAtLow');
  });

  it('a stated latency range must hold the value', () => {
    const file = structuredClone(bundled().accelerators.get('inferentia2')?.value);
    const entry = file?.sources['interconnect.latency_us'];
    if (!file || !entry) throw new Error('no inferentia2 latency source');
    entry.low = 200;
    expect(acceleratorRules(file)).toContainEqual({
      path: ['sources', 'interconnect.latency_us', 'low'],
      message: 'is above the value 132',
    });
    // One end alone would widen nothing: refused, not ignored.
    delete entry.high;
    entry.low = 58;
    expect(acceleratorRules(file)).toContainEqual({
      path: ['sources', 'interconnect.latency_us', 'high'],
      message: 'a stated range needs its low and high (one alone would be ignored)',
    });
  });
});

describe('section 5: TCO for every chip, energy at the operating point', () => {
  const w = () =>
    workload({
      model: 'llama-3.3-70b',
      precision: FP8,
      input_tokens: 1000,
      output_tokens: 300,
      deployment: { replica_chips: [1] },
      efficiency: PINNED_EFFICIENCY,
      pricing: { plan: 'tco' },
      mechanisms: { power_under_load: true },
    });

  it('every bundled profile has capex, amortization and opex, capex with its low and high', () => {
    for (const [id, entry] of bundled().accelerators) {
      const p = entry.value;
      expect(p.tco, id).toBeDefined();
      const capex = p.sources['tco.capex_usd_per_chip'];
      expect(capex?.low, id).toBeLessThanOrEqual(p.tco?.capex_usd_per_chip ?? 0);
      expect(capex?.high, id).toBeGreaterThanOrEqual(p.tco?.capex_usd_per_chip ?? Number.POSITIVE_INFINITY);
    }
  });

  it('Maia 200: capex $12,126 over 5 years, opex 25.2%, energy at the power drawn', () => {
    const a = accelerator('maia-200');
    const e = evaluate(a, w());
    const drawnW = (e.energy?.facilityWPerChip ?? 0) / 1.2; // facility power / PUE
    expect(drawnW).toBeLessThan(a.systemWPerChip); // below the 1,275 W nameplate
    // 12,126 / (5 x 8760) = 0.27685; 12,126 x 0.252 / 8760 = 0.34883; drawn W x 1.2 / 1000 x 0.08
    const expected = 12_126 / (5 * 8760) + (12_126 * 0.252) / 8760 + ((drawnW * 1.2) / 1000) * 0.08;
    expect(e.cost?.usdPerChipHour).toBeCloseTo(expected, 12);
    expect(e.cost?.tco?.energyUsdPerHour).toBeCloseTo(((drawnW * 1.2) / 1000) * 0.08, 12);
  });

  it('an estimated capex widens tokens per dollar under tco by the ratio of the hourly costs', () => {
    const a = accelerator('maia-200');
    expect(a.tco?.capexRange).toEqual([7788, 16445]);
    const wl = w();
    const nominal = evaluate(a, wl);
    const energy = nominal.cost?.tco?.energyUsdPerHour ?? 0;
    const hourly = (capex: number) => capex / (5 * 8760) + (capex * 0.252) / 8760 + energy;
    const throughputOnly = efficiencyRange(a, wl);
    const widened = estimateRange(a, wl, nominal, throughputOnly);
    expect(throughputOnly?.low.outputTokensPerUsd).toBeGreaterThan(0);
    // Maia's power is published (750 W) and its system power derived from it, so only capex moves.
    expect(widened?.low.outputTokensPerUsd).toBeCloseTo(
      (throughputOnly?.low.outputTokensPerUsd ?? 0) * (hourly(12_126) / hourly(16_445)),
      6,
    );
    expect(widened?.high.outputTokensPerUsd).toBeCloseTo(
      (throughputOnly?.high.outputTokensPerUsd ?? 0) * (hourly(12_126) / hourly(7_788)),
      6,
    );
  });
});

describe('section 8: a fleet for a demand or a power budget', () => {
  it('a power budget fills whole replicas: 1 GW of 2-chip replicas at 1,530 W per chip', () => {
    // 1e9 / (2 x 1530) = 326,797.4 -> 326,797 replicas = 653,594 chips, 999,998,820 W
    const f = fleetForPower(1e9, 1000, 0.7, 2, 1530, 2.5);
    expect(f).toEqual({
      sizedFor: 'power_budget',
      replicas: 326_797,
      chips: 653_594,
      facilityW: 653_594 * 1530,
      outputTokensPerDay: 653_594 * 1000 * 86_400 * 0.7, // 3.95e13
      usdPerYear: 653_594 * 2.5 * 8760,
    });
  });

  it('a demand in requests per second is R x O x 86400 output tokens a day', () => {
    const w = workload({
      model: 'llama-3.3-70b',
      input_tokens: 800,
      output_tokens: 300,
      demand: { requests_per_s: 100 },
    });
    expect(w.outputTokensPerDay).toBe(100 * 300 * 86_400); // 2.592e9
    const e = evaluate(accelerator('h100-sxm'), w);
    const x = e.performance?.outputTokensPerSPerChip ?? 0;
    const n = e.deployment?.chips ?? 1;
    // ceil(Q / (x * 86400 * 0.7)) chips, rounded up to whole replicas of n
    const chips = Math.ceil(Math.ceil(2.592e9 / (x * 86_400 * 0.7)) / n) * n;
    expect(e.fleet?.chips).toBe(chips);
    expect(e.fleet?.sizedFor).toBe('demand');
    expect(e.fleet?.outputTokensPerDay).toBeGreaterThanOrEqual(2.592e9);
  });
});

describe('section 8b: blending a traffic mix by output-token share', () => {
  it('cost per token averages; tokens per unit average harmonically', () => {
    // Half the tokens at $2/1M and half at $4/1M cost $3/1M.
    expect(blendPerToken([0.5, 0.5], [2, 4])).toBe(3);
    // 100 and 300 tokens per $: 0.5/100 + 0.5/300 = 0.006667 $ a token -> 150 tokens per $.
    expect(blendTokensPer([0.5, 0.5], [100, 300])).toBeCloseTo(150, 12);
    expect(blendTokensPer([0.5, 0.5], [100, null])).toBeNull();
    expect(blendPerToken([1], [null])).toBeNull();
  });
});
