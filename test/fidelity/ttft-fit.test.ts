// docs/model.md 12a, "Time to first token in the fit" (`ttft_fit`): which rows add a TTFT to
// their fit, and the log error each adds.
import { describe, expect, it } from 'vitest';
import { logErrors, observationCount, predictCase } from '../../src/engine/calibrate.js';
import type { Efficiency } from '../../src/engine/types.js';
import { backtestCase, caseFor } from '../../src/fidelity/backtest.js';
import { toMechanisms, toModel } from '../../src/schema/convert.js';
import type { ResolvedRow } from '../../src/schema/measured.js';
import { accelerator, bundled } from '../helpers/data.js';

const h100 = accelerator('h100-sxm');
const model = toModel(bundled().models.get('llama-3.1-8b')?.value as never, 'llama-3.1-8b');
const factors: Efficiency = { etaMem: 0.7, etaPrefill: 0.5, etaDecode: 0.3, etaLink: 0.7, tStep0S: 0.003 };

const base: ResolvedRow = {
  id: 'r',
  accelerator: 'h100-sxm',
  chips_per_replica: 1,
  model: 'llama-3.1-8b',
  weights: 'fp8',
  activations: 'fp8',
  kv_cache: 'fp8',
  input_tokens: 1000,
  input_assumed: false,
  output_tokens: 200,
  scenario: 'fixed_concurrency',
  concurrency: 4,
  output_tokens_per_s_per_chip: 1000,
  ttft_ms: 500,
  stack: 'trtllm',
  source: 'https://example.com/a',
};

describe('12a ttft_fit', () => {
  const on = toMechanisms({ ttft_fit: true });

  it('a TTFT measured at a fixed concurrency joins the fit only with the switch on', () => {
    expect(caseFor(base, h100, model, on).measuredTtftS).toBe(0.5);
    expect(caseFor(base, h100, model).measuredTtftS).toBeUndefined();
  });

  it('a TTFT under open arrivals or a latency bound (queueing) never does', () => {
    const bounded: ResolvedRow = { ...base, scenario: 'latency_bounded', ttft_limit_ms: 2000 };
    expect(caseFor(bounded, h100, model, on).measuredTtftS).toBeUndefined();
    const { ttft_ms: _t, ...noTtft } = base;
    expect(caseFor(noTtft, h100, model, on).measuredTtftS).toBeUndefined();
  });

  it('each measured quantity adds one log error: throughput, TPOT, then TTFT', () => {
    const c = caseFor({ ...base, tpot_ms: 20 }, h100, model, on);
    const p = predictCase(c, factors);
    if (!p) throw new Error('the case must run');
    // Measured at twice the predicted TTFT: log(1/2) = -0.6931
    const twice = { ...c, measuredTtftS: 2 * p.ttftS };
    const e = logErrors([twice], factors);
    expect(e).toHaveLength(3);
    expect(e[0]).toBeCloseTo(Math.log(p.tokensPerSPerChip / 1000), 12);
    expect(e[1]).toBeCloseTo(Math.log(p.tpotS / 0.02), 12);
    expect(e[2]).toBeCloseTo(-Math.LN2, 12);
    expect(observationCount([twice, caseFor(base, h100, model)])).toBe(3 + 1);
  });

  it('backtest reports the TTFT error of a row measured at a fixed concurrency, whatever the switch', () => {
    const c = caseFor(base, h100, model);
    const r = backtestCase(c, factors);
    const p = predictCase(c, factors);
    if (!p) throw new Error('the case must run');
    // (predicted / 0.5 s - 1) * 100
    expect(r.ttftErrorPct).toBeCloseTo((p.ttftS / 0.5 - 1) * 100, 9);
    const bounded: ResolvedRow = { ...base, scenario: 'latency_bounded', ttft_limit_ms: 2000 };
    expect(backtestCase(caseFor(bounded, h100, model), factors).ttftErrorPct).toBeUndefined();
  });
});
