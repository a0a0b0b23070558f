// Invariants of the engine over random valid inputs (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { finiteRunTokensPerS } from '../../src/engine/calibrate.js';
import {
  chooseDeployment,
  costMetrics,
  evaluate,
  layoutsFor,
  replicaFor,
  replicaPoint,
  replicaSizes,
  setupFor,
  stagesFor,
} from '../../src/engine/index.js';
import { precisionOf } from '../../src/engine/precision.js';
import type { Accelerator, Model, Workload } from '../../src/engine/types.js';

const acceleratorArb = fc.record({
  capGb: fc.double({ min: 16, max: 300, noNaN: true }),
  bwTbps: fc.double({ min: 0.5, max: 10, noNaN: true }),
  fp8Tflops: fc.double({ min: 100, max: 10_000, noNaN: true }),
  domain: fc.constantFrom(1, 4, 8, 16),
  linkGbps: fc.double({ min: 50, max: 2000, noNaN: true }),
  price: fc.double({ min: 0.5, max: 20, noNaN: true }),
  tdp: fc.double({ min: 100, max: 1500, noNaN: true }),
  etaMem: fc.double({ min: 0.3, max: 1, noNaN: true }),
  etaDecode: fc.double({ min: 0.1, max: 1, noNaN: true }),
  // Section 3f pipelines only chips with a scale-out figure; 3g needs a torus.
  scaleOutGbps: fc.option(fc.double({ min: 10, max: 200, noNaN: true }), { nil: undefined }),
  torus: fc.boolean(),
  // 3b.7: the stack's admission decides the memory fit when stack_kv_admission is on.
  kvAdmission: fc.constantFrom('reserve' as const, 'occupancy' as const),
});

type AcceleratorParams = typeof acceleratorArb extends fc.Arbitrary<infer T> ? T : never;

function makeAccelerator(p: AcceleratorParams): Accelerator {
  return {
    id: 'x',
    name: 'X',
    vendor: 'test',
    memCapacityBytes: p.capGb * 1e9,
    memBandwidthBytesPerS: p.bwTbps * 1e12,
    flopsPerS: { fp8: p.fp8Tflops * 1e12, bf16: (p.fp8Tflops / 2) * 1e12 },
    domainChips: p.domain,
    linkBytesPerSPerDirection: p.linkGbps * 1e9,
    collectiveLatencyS: 5e-6,
    ...(p.scaleOutGbps === undefined ? {} : { scaleOutBytesPerSPerDirection: p.scaleOutGbps * 1e9 }),
    ...(p.torus ? { torusDims: [4, 4] } : {}),
    kvAdmission: p.kvAdmission,
    tdpW: p.tdp,
    systemWPerChip: p.tdp * 1.7,
    prices: [
      {
        plan: 'on_demand',
        basis: 'hyperscaler',
        usdPerChipHour: p.price,
        asOf: '2025',
        provider: 't',
        region: 'r',
        isEstimate: false,
      },
    ],
    efficiency: { etaMem: p.etaMem, etaPrefill: 0.6, etaDecode: p.etaDecode, etaLink: 0.7, tStep0S: 0.002 },
    calibrated: { etaMem: false, etaPrefill: false, etaDecode: false, etaLink: false, tStep0S: false },
    powerIsEstimate: { tdp: false, system: true },
  };
}

const workloadArb = fc.record({
  paramsB: fc.double({ min: 1, max: 200, noNaN: true }),
  layers: fc.integer({ min: 8, max: 100 }),
  kvHeads: fc.constantFrom(1, 2, 4, 8),
  moe: fc.boolean(),
  // Section 2: linear-attention layers (a fixed state per sequence), sometimes, as a share of the layers.
  linearShare: fc.option(fc.constantFrom(0.25, 0.75, 1), { nil: undefined }),
  input: fc.integer({ min: 1, max: 20_000 }),
  output: fc.integer({ min: 1, max: 4000 }),
  cached: fc.double({ min: 0, max: 0.95, noNaN: true }),
  tpotMs: fc.option(fc.double({ min: 5, max: 500, noNaN: true }), { nil: undefined }),
  ttftMs: fc.option(fc.double({ min: 50, max: 10_000, noNaN: true }), { nil: undefined }),
  // Section 3c: speculative decoding with a 1B draft, sometimes.
  speculative: fc.option(
    fc.record({
      tokens: fc.integer({ min: 1, max: 8 }),
      acceptance: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    { nil: undefined },
  ),
  // Every invariant must hold under every combination of the section 3a corrections.
  mechanisms: fc.record({
    perOperatorRoofline: fc.boolean(),
    prefillMemory: fc.boolean(),
    allReduceBf16: fc.boolean(),
    embeddingLookup: fc.boolean(),
    attentionBf16: fc.boolean(),
    mlaAbsorbed: fc.boolean(),
    steadyStateKv: fc.boolean(),
    chunkedPrefill: fc.boolean(),
    dpAttention: fc.boolean(),
    perLayerOverhead: fc.boolean(),
    powerUnderLoad: fc.boolean(),
    benchBatchCap: fc.boolean(),
    statedBatchCap: fc.boolean(),
    finiteRequests: fc.boolean(),
    percentileLimits: fc.boolean(),
    latentInput: fc.boolean(),
    latentPairs: fc.boolean(),
    robustFit: fc.boolean(),
    sourceWeightedFit: fc.boolean(),
    formatPairs: fc.boolean(),
    layoutPairs: fc.boolean(),
    kindBands: fc.boolean(),
    unmeasuredBands: fc.boolean(),
    expertParallel: fc.boolean(),
    disaggregation: fc.boolean(),
    expertGemmTiles: fc.boolean(),
    pipelineParallel: fc.boolean(),
    torusCollectives: fc.boolean(),
    attentionEfficiency: fc.boolean(),
    gemmFormats: fc.boolean(),
    oneGemmEfficiency: fc.boolean(),
    softRoofline: fc.boolean(),
    expertEfficiency: fc.boolean(),
    prefillPower: fc.boolean(),
    powerCappedClock: fc.boolean(),
    stackKvAdmission: fc.boolean(),
    kvReadsAtMem: fc.boolean(),
    ttftFit: fc.boolean(),
    collectiveLatencyFit: fc.boolean(),
    fp8MlaDecode: fc.boolean(),
    fp8Attention: fc.boolean(),
  }),
});

type WorkloadParams = typeof workloadArb extends fc.Arbitrary<infer T> ? T : never;

function makeWorkload(p: WorkloadParams): Workload {
  const model: Model = {
    id: 'm',
    name: 'M',
    paramsTotal: p.paramsB * 1e9,
    paramsActive: p.moe ? p.paramsB * 0.2e9 : p.paramsB * 1e9,
    layers: p.layers,
    hidden: 4096,
    heads: 32,
    headDim: 128,
    kvHeads: p.kvHeads,
    ...(p.moe ? { moe: { experts: 64, expertsPerToken: 4, expertParams: p.paramsB * 0.85e9 } } : {}),
    ...(p.linearShare === undefined
      ? {}
      : {
          linear: {
            layers: Math.floor(p.layers * p.linearShare),
            keyHeads: 16,
            valueHeads: 32,
            keyHeadDim: 128,
            valueHeadDim: 128,
            convKernel: 4,
          },
        }),
    precision: { weights: precisionOf('fp8'), activations: precisionOf('fp8'), kvCache: precisionOf('fp8') },
  };
  return {
    name: 'w',
    model,
    inputTokens: p.input,
    outputTokens: p.output,
    cachedInputFraction: p.cached,
    slo: {
      ...(p.tpotMs === undefined ? {} : { tpotS: p.tpotMs / 1000 }),
      ...(p.ttftMs === undefined ? {} : { ttftS: p.ttftMs / 1000 }),
    },
    utilization: 0.7,
    plan: 'on_demand',
    basis: 'hyperscaler',
    site: { pue: 1.2, usdPerKwh: 0.08 },
    memoryUsableFraction: 0.9,
    chunkTokens: 2048,
    efficiencyOverrides: {},
    mechanisms: p.mechanisms,
    powerModel: { idleFraction: 0.3, hostLoad: 0.5 },
    ...(p.speculative ? { speculative: { draft: DRAFT, ...p.speculative } } : {}),
  };
}

/** A 1B dense draft model for section 3c. */
const DRAFT: Model = {
  id: 'draft',
  name: 'Draft',
  paramsTotal: 1e9,
  paramsActive: 1e9,
  layers: 16,
  hidden: 2048,
  heads: 32,
  headDim: 64,
  kvHeads: 8,
  precision: { weights: precisionOf('fp8'), activations: precisionOf('fp8'), kvCache: precisionOf('fp8') },
};

function throughput(a: Accelerator, w: Workload): number {
  const d = chooseDeployment(a, w);
  return d.ok ? d.point.outputTokensPerS / d.point.chips : 0;
}

// 300 random cases per property in CI. INFERCOST_PROPERTY_RUNS=10000 runs a deeper search (about
// 10 s): that is how three search flaws that failed CI one run in several were found (docs/accuracy.md).
const RUNS = { numRuns: Number.parseInt(process.env.INFERCOST_PROPERTY_RUNS ?? '', 10) || 300 };

describe('engine invariants', () => {
  // docs/model.md section 4: the search relies on this (a replica whose X at its largest batch
  // cannot beat the best so far is not bisected), so it is checked for every replica the search
  // can build: each size, layout and pipeline depth (a pipeline at the batches it runs, 3f).
  it('tokens/s per chip never falls as the batch grows, on every replica the search builds', () => {
    fc.assert(
      fc.property(acceleratorArb, workloadArb, fc.double({ min: 0, max: 1, noNaN: true }), (ap, wp, f) => {
        const a = makeAccelerator(ap);
        const w = makeWorkload(wp);
        const setup = setupFor(a, w);
        if (!setup) return;
        const sizes = replicaSizes(a.domainChips, w.replicaChips);
        for (const chips of sizes)
          for (const layout of layoutsFor(w, chips))
            for (const stages of stagesFor(a, w, chips, sizes)) {
              const r = replicaFor(a, w, setup, chips, layout, stages);
              // A pipeline runs whole micro-batches (section 3f): the batches the search runs are
              // pp * m for m up to floor(maxBatch / pp), or any batch below pp; X must not fall
              // along them.
              const whole = stages > 1 && r.maxBatch >= stages;
              const units = whole ? Math.floor(r.maxBatch / stages) : r.maxBatch;
              const unit = whole ? stages : 1;
              if (units < 2) continue;
              // Two counts m < m2 in [1, units], m2 at fraction f of the way up from m + 1.
              const m = 1 + Math.floor(f * f * (units - 1));
              const m2 = Math.min(units, m + 1 + Math.floor(f * (units - m)));
              if (m2 <= m) continue;
              const x = replicaPoint(r, unit * m).outputTokensPerS;
              const x2 = replicaPoint(r, unit * m2).outputTokensPerS;
              expect(x2).toBeGreaterThanOrEqual(x);
            }
      }),
      RUNS,
    );
  });

  /** `scaled(a, k)` gives the chip more of one resource (k in 1..4): throughput must not fall. */
  const neverLowers = (name: string, scaled: (a: Accelerator, k: number) => Accelerator) =>
    it(name, () => {
      fc.assert(
        fc.property(acceleratorArb, workloadArb, fc.double({ min: 1, max: 4, noNaN: true }), (ap, wp, k) => {
          const a = makeAccelerator(ap);
          const w = makeWorkload(wp);
          expect(throughput(scaled(a, k), w)).toBeGreaterThanOrEqual(throughput(a, w) * (1 - 1e-12));
        }),
        RUNS,
      );
    });

  neverLowers('more bandwidth never lowers throughput', (a, k) => ({
    ...a,
    memBandwidthBytesPerS: a.memBandwidthBytesPerS * k,
  }));
  neverLowers('more FLOPs never lowers throughput', (a, k) => ({
    ...a,
    flopsPerS: { fp8: (a.flopsPerS.fp8 ?? 0) * k, bf16: (a.flopsPerS.bf16 ?? 0) * k },
  }));
  neverLowers('more memory never lowers throughput', (a, k) => ({
    ...a,
    memCapacityBytes: a.memCapacityBytes * k,
  }));

  it('a higher power cap never lowers throughput (6.2, whether or not its switch is on)', () => {
    fc.assert(
      fc.property(
        acceleratorArb,
        workloadArb,
        fc.double({ min: 0.05, max: 1.5, noNaN: true }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        (ap, wp, share, k) => {
          const a = makeAccelerator(ap);
          const w = makeWorkload(wp);
          const capped = (capW: number): Workload => ({ ...w, site: { ...w.site, powerCapW: capW } });
          const low = throughput(a, capped(a.tdpW * share));
          expect(throughput(a, capped(a.tdpW * share * k))).toBeGreaterThanOrEqual(low * (1 - 1e-12));
          expect(throughput(a, w)).toBeGreaterThanOrEqual(low * (1 - 1e-12));
        },
      ),
      RUNS,
    );
  });

  it("a finite run (3b.8) lies between its last wave's rate and the steady state's; whole waves are the steady state", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50_000 }),
        fc.integer({ min: 1, max: 8192 }),
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (requests, batch, steadyTokensPerS, lastShare) => {
          // A smaller wave is never faster per chip than a full one (the invariant above).
          const lastTokensPerS = steadyTokensPerS * lastShare;
          const run = finiteRunTokensPerS(requests, batch, steadyTokensPerS, lastTokensPerS);
          expect(Number.isFinite(run)).toBe(true);
          expect(run).toBeLessThanOrEqual(steadyTokensPerS * (1 + 1e-12));
          expect(run).toBeGreaterThanOrEqual(lastTokensPerS * (1 - 1e-12));
          // Whole waves are the steady state, whatever the rate of a wave that does not exist.
          const whole = finiteRunTokensPerS(batch * 3, batch, steadyTokensPerS, lastTokensPerS);
          expect(whole / steadyTokensPerS).toBeCloseTo(1, 9);
        },
      ),
    );
  });

  it('a larger scale-up domain never lowers throughput (without pipeline stages)', () => {
    // With 3f on, pipelines are tried on the largest replica size only, so a larger domain can
    // trade a pipelined 2 x N for a flat 2N, which may be slower; the property holds for the
    // sizes themselves, the superset the search covers.
    fc.assert(
      fc.property(acceleratorArb, workloadArb, (ap, wp) => {
        const a = makeAccelerator(ap);
        const w = makeWorkload({ ...wp, mechanisms: { ...wp.mechanisms, pipelineParallel: false } });
        const wider = { ...a, domainChips: a.domainChips * 2 };
        expect(throughput(wider, w)).toBeGreaterThanOrEqual(throughput(a, w) * (1 - 1e-12));
      }),
      RUNS,
    );
  });

  it('the search never returns a deployment that breaks memory or the latency limits', () => {
    fc.assert(
      fc.property(acceleratorArb, workloadArb, (ap, wp) => {
        const a = makeAccelerator(ap);
        const w = makeWorkload(wp);
        const d = chooseDeployment(a, w);
        if (!d.ok) return;
        const r = d.replica;
        expect(d.point.batch).toBeGreaterThanOrEqual(1);
        expect(d.point.batch).toBeLessThanOrEqual(r.maxBatch);
        // the fit of section 3: held weights plus the batch's KV within the usable memory
        expect(r.maxBatch).toBeGreaterThanOrEqual(1);
        expect(d.point.tpotS).toBeLessThanOrEqual((w.slo.tpotS ?? Number.POSITIVE_INFINITY) * (1 + 1e-12));
        expect(d.point.ttftS).toBeLessThanOrEqual((w.slo.ttftS ?? Number.POSITIVE_INFINITY) * (1 + 1e-12));
        expect(Number.isFinite(d.point.outputTokensPerS) && d.point.outputTokensPerS > 0).toBe(true);
      }),
      RUNS,
    );
  });

  it('a looser TPOT limit never lowers throughput', () => {
    fc.assert(
      fc.property(acceleratorArb, workloadArb, fc.double({ min: 1, max: 5, noNaN: true }), (ap, wp, k) => {
        const a = makeAccelerator(ap);
        const w = makeWorkload(wp);
        if (w.slo.tpotS === undefined) return;
        const looser = { ...w, slo: { ...w.slo, tpotS: w.slo.tpotS * k } };
        expect(throughput(a, looser)).toBeGreaterThanOrEqual(throughput(a, w) * (1 - 1e-12));
      }),
      RUNS,
    );
  });

  it('a higher acceptance rate never lowers throughput (section 3c)', () => {
    fc.assert(
      fc.property(
        acceleratorArb,
        workloadArb,
        fc.integer({ min: 1, max: 8 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (ap, wp, tokens, x, y) => {
          const a = makeAccelerator(ap);
          const [lo, hi] = x < y ? [x, y] : [y, x];
          const at = (acceptance: number) =>
            throughput(a, makeWorkload({ ...wp, speculative: { tokens, acceptance } }));
          expect(at(hi)).toBeGreaterThanOrEqual(at(lo) * (1 - 1e-12));
        },
      ),
      RUNS,
    );
  });

  // compareAccelerators prices a range's ends on the nominal search (estimateRange): that holds
  // only while prices and power never enter the search.
  it('the deployment search does not depend on the price, the chip power or the system power', () => {
    fc.assert(
      fc.property(
        acceleratorArb,
        workloadArb,
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        (ap, wp, priceK, powerK) => {
          const a = makeAccelerator(ap);
          const moved: Accelerator = {
            ...a,
            tdpW: a.tdpW * powerK,
            systemWPerChip: a.systemWPerChip * powerK,
            prices: a.prices.map((q) => ({ ...q, usdPerChipHour: q.usdPerChipHour * priceK })),
          };
          const w = makeWorkload(wp);
          expect(chooseDeployment(moved, w)).toEqual(chooseDeployment(a, w));
          // And an evaluation on the nominal search is the evaluation with its own search.
          expect(evaluate(moved, w, chooseDeployment(a, w))).toEqual(evaluate(moved, w));
        },
      ),
      RUNS,
    );
  });

  it('a higher price lowers tokens per dollar in exact inverse proportion', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e5, noNaN: true }),
        fc.double({ min: 0.1, max: 50, noNaN: true }),
        fc.double({ min: 1.01, max: 10, noNaN: true }),
        (x, price, k) => {
          const base = costMetrics(x, x / 100, price, 0.7, 1000, 100).outputTokensPerUsd;
          const dearer = costMetrics(x, x / 100, price * k, 0.7, 1000, 100).outputTokensPerUsd;
          expect(dearer * k).toBeCloseTo(base, 6);
          expect(dearer).toBeLessThan(base);
        },
      ),
      RUNS,
    );
  });

  it('the tokens-per-dollar ratio of A to B is unchanged when both prices scale together', () => {
    fc.assert(
      fc.property(
        acceleratorArb,
        acceleratorArb,
        workloadArb,
        fc.double({ min: 0.2, max: 5, noNaN: true }),
        (pa, pb, wp, k) => {
          const a = makeAccelerator(pa);
          const b = makeAccelerator(pb);
          const w = makeWorkload(wp);
          const scale = (x: Accelerator): Accelerator => ({
            ...x,
            prices: x.prices.map((q) => ({ ...q, usdPerChipHour: q.usdPerChipHour * k })),
          });
          const ta = evaluate(a, w).cost?.outputTokensPerUsd;
          const tb = evaluate(b, w).cost?.outputTokensPerUsd;
          const ta2 = evaluate(scale(a), w).cost?.outputTokensPerUsd;
          const tb2 = evaluate(scale(b), w).cost?.outputTokensPerUsd;
          if (ta === undefined || tb === undefined || ta2 === undefined || tb2 === undefined) return;
          expect(ta2 / tb2).toBeCloseTo(ta / tb, 9);
        },
      ),
      RUNS,
    );
  });

  it('no NaN or Infinity anywhere in an evaluation, whatever the valid input', () => {
    fc.assert(
      fc.property(acceleratorArb, workloadArb, (ap, wp) => {
        const e = evaluate(makeAccelerator(ap), makeWorkload(wp));
        const numbers: number[] = [];
        JSON.stringify(e, (_, v) => {
          if (typeof v === 'number') numbers.push(v);
          return v;
        });
        for (const n of numbers) expect(Number.isFinite(n)).toBe(true);
      }),
      RUNS,
    );
  });
});
