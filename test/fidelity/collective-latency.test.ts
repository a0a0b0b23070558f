// docs/model.md 12a, "The collective latency in the fit" (`collective_latency_fit`): the engine
// charges the fitted alpha while the switch is on, the fits search it only where rows span chips,
// and a stack entry carries it.
import { describe, expect, it } from 'vitest';
import { fitEfficiency, predictCase } from '../../src/engine/calibrate.js';
import { decodeStep, replicaFor, setupFor } from '../../src/engine/index.js';
import type { Accelerator, Efficiency, Workload } from '../../src/engine/types.js';
import { caseFor } from '../../src/fidelity/backtest.js';
import { fitPulled } from '../../src/fidelity/cv.js';
import { toAccelerator, toMechanisms, toModel } from '../../src/schema/convert.js';
import type { ResolvedRow } from '../../src/schema/measured.js';
import { accelerator, bundled, workload } from '../helpers/data.js';

const FP8 = { weights: 'fp8', activations: 'fp8', kv_cache: 'fp8' } as const;
const EFF = { eta_mem: 0.8, eta_prefill: 0.6, eta_decode: 0.25, eta_link: 0.7, t_step0_ms: 2 };

function chat(on: boolean): Workload {
  return workload({
    model: 'llama-3.3-70b',
    precision: FP8,
    input_tokens: 800,
    output_tokens: 300,
    efficiency: EFF,
    mechanisms: { per_operator_roofline: false, dp_attention: false, collective_latency_fit: on },
  });
}

function commS(a: Accelerator, w: Workload, chips: number, batch: number): number {
  const setup = setupFor(a, w);
  if (!setup) throw new Error('no setup');
  return decodeStep(replicaFor(a, w, setup, chips), batch).commS;
}

const h100 = accelerator('h100-sxm');
const fitted: Accelerator = { ...h100, efficiency: { ...h100.efficiency, collectiveLatencyS: 100e-6 } };
// Section 3: t_comm = 2 * layers * [2 (N-1)/N * B * hidden * b / (LB * eta_link) + alpha]; on 2 chips
// 2 (N-1)/N = 1, Llama 3.3 70B has 80 layers and hidden 8,192, FP8 activations reduce 1 B a value.
const bandwidthS = (10 * 8192 * 1) / (450e9 * 0.7); // 0.26 us at B = 10

describe('12a collective_latency_fit in the engine', () => {
  it('with the switch on, the fitted alpha (100 us) replaces the profile figure (5 us) in every all-reduce', () => {
    expect(commS(fitted, chat(true), 2, 10)).toBeCloseTo(2 * 80 * (bandwidthS + 100e-6), 15); // 16.04 ms
    expect(commS(fitted, chat(false), 2, 10)).toBeCloseTo(2 * 80 * (bandwidthS + 5e-6), 15); // 0.84 ms
    // No fitted alpha in the factors: the profile's, switch or not.
    expect(commS(h100, chat(true), 2, 10)).toBeCloseTo(2 * 80 * (bandwidthS + 5e-6), 15);
    // One chip has no all-reduce to charge.
    expect(commS(fitted, chat(true), 1, 10)).toBe(0);
  });

  it('a stack entry carries it as collective_latency_us: 100 us is 1e-4 s in the factors', () => {
    const file = bundled().accelerators.get('trainium2')?.value;
    if (!file?.stacks) throw new Error('trainium2 has stacks');
    const stack = file.default_stack as string;
    const entry = file.stacks[stack] as NonNullable<typeof file.stacks>[string];
    const withAlpha = {
      ...file,
      stacks: {
        ...file.stacks,
        [stack]: { ...entry, efficiency: { ...entry.efficiency, collective_latency_us: 100 } },
      },
    };
    expect(toAccelerator(withAlpha).efficiency.collectiveLatencyS).toBeCloseTo(1e-4, 18);
    expect(toAccelerator(file).efficiency.collectiveLatencyS).toBeUndefined();
  });
});

describe('12a collective_latency_fit in the fits', () => {
  const model = toModel(bundled().models.get('llama-3.3-70b')?.value as never, 'llama-3.3-70b');
  const row = (chips: number): ResolvedRow => ({
    id: `r${chips}`,
    accelerator: 'h100-sxm',
    chips_per_replica: chips,
    model: 'llama-3.3-70b',
    weights: 'fp8',
    activations: 'fp8',
    kv_cache: 'fp8',
    input_tokens: 1000,
    input_assumed: false,
    output_tokens: 200,
    scenario: 'fixed_concurrency',
    concurrency: 1,
    output_tokens_per_s_per_chip: 1,
    stack: 'trtllm',
    source: 'https://example.com/a',
  });
  const factors: Efficiency = { etaMem: 0.7, etaPrefill: 0.5, etaDecode: 0.3, etaLink: 0.5, tStep0S: 0.003 };
  // "Measured": the engine's own throughput at alpha = 100 us, batch 1 on 2, 4 and 8 chips.
  const measuredAt = (on: boolean) =>
    [2, 4, 8].map((n) => {
      const c = caseFor(row(n), h100, model, toMechanisms({ collective_latency_fit: on }));
      const p = predictCase(c, { ...factors, collectiveLatencyS: 100e-6 });
      if (!p) throw new Error('the case must run');
      return { ...c, measuredTokensPerSPerChip: p.tokensPerSPerChip };
    });

  it('searched alone from 5 us, it comes back to the 100 us that made the rows', () => {
    const fit = fitEfficiency(measuredAt(true), ['collectiveLatencyS'], factors);
    expect(fit.fitted).toEqual(['collectiveLatencyS']);
    expect((fit.efficiency.collectiveLatencyS as number) * 1e6).toBeCloseTo(100, 2);
    expect(fit.rmsLogError).toBeLessThan(1e-6);
  });

  it('a level searches it only with the switch on and a row that spans chips', () => {
    expect(fitPulled(measuredAt(true), factors, 0.04).fitted).toContain('collectiveLatencyS');
    expect(fitPulled(measuredAt(false), factors, 0.04).fitted).not.toContain('collectiveLatencyS');
    const oneChip = [caseFor(row(1), h100, model, toMechanisms({ collective_latency_fit: true }))].map(
      (c) => ({
        ...c,
        measuredTokensPerSPerChip: 30,
      }),
    );
    expect(fitPulled(oneChip, factors, 0.04).fitted).not.toContain('collectiveLatencyS');
    // Off, no fitted factors carry it: nothing a profile writes or compare reads changes.
    expect(fitPulled(measuredAt(false), factors, 0.04).efficiency.collectiveLatencyS).toBeUndefined();
  });
});
