// Claim analysis (docs/model.md section 7a): a vendor's "a/b metric >= r" over workloads, with
// the ratio's range, a verdict, the break-even price or capex, and what flips the verdict.
import { CAP_CLOCK_EXPONENT } from '../engine/energy.js';
import { estimatedLatencyRangeS, evaluate, intervalLogFor } from '../engine/evaluate.js';
import {
  type Accelerator,
  EFFICIENCY_FACTORS,
  type Efficiency,
  type EfficiencyFactor,
  type Workload,
} from '../engine/types.js';
import { UsageError } from '../io/errors.js';
import {
  acceleratorFor,
  type FieldSet,
  loadWorkload,
  readWorkloadYaml,
  workloadErrorAt,
} from '../io/workload.js';
import { grouped, usd as usdText } from '../render/format.js';
import { metricsOf } from '../render/result.js';
import { us } from '../render/words.js';
import { fileFactorName } from '../schema/convert.js';
import { priceDependence, throughputDependence } from '../schema/metrics.js';
import type { MetricKey } from '../schema/result.js';
import { type CompareEnv, parseBasis, parsePlan, runCompare } from './compare.js';
import {
  type Comparator,
  type ExpectationOutcome,
  parseExpectation,
  servingNothingQuantity,
} from './expect.js';
import { parseFieldSets } from './sets.js';

/** The bundled workloads a claim is checked on when none is named. */
export const CLAIM_WORKLOADS = ['chat', 'rag', 'summarization', 'agentic-coding'] as const;

export interface ClaimOptions {
  readonly plan?: string;
  readonly basis?: string;
  readonly stack?: string;
  readonly set: string[];
}

export interface TornadoBar {
  /** What moved: `maia-200 capex`, `PUE`, `gb200 eta_mem`, ... */
  readonly input: string;
  /** The input at its low and high end, as text with its unit. */
  readonly low: string;
  readonly high: string;
  /** The ratio with the input at its low and at its high end (null: not measurable there). */
  readonly ratioAtLow: number | null;
  readonly ratioAtHigh: number | null;
  /** At one of its ends the ratio falls on the other side of the threshold. */
  readonly flips: boolean;
}

export interface BreakEven {
  readonly accelerator: string;
  /** capex (tco) or price (cloud plans), in USD per chip or per chip-hour. */
  readonly kind: 'capex_usd_per_chip' | 'usd_per_chip_hour';
  readonly value: number;
  /** The value it has now, for comparison. */
  readonly current: number;
}

export interface ClaimWorkload {
  readonly workload: string;
  readonly outcome: ExpectationOutcome;
  readonly ratio: number | null;
  readonly range: readonly [number, number] | null;
  readonly breakEven: BreakEven | null;
  readonly tornado: readonly TornadoBar[];
}

export interface ClaimReport {
  readonly claim: string;
  readonly subject: string;
  readonly versus: string;
  readonly metric: MetricKey;
  readonly op: Comparator;
  readonly threshold: number;
  /** `tco` or `<basis> <plan>`: what prices the comparison used. */
  readonly pricing: string;
  readonly workloads: readonly ClaimWorkload[];
}

function holds(v: number, op: Comparator, t: number): boolean {
  return op === '>=' ? v >= t : op === '<=' ? v <= t : op === '>' ? v > t : v < t;
}

/**
 * The ratio at one end of a lever (null: not measurable there), and how the verdict reads it
 * (section 7a): where one chip runs no deployment, 0 or unbounded as it serves nothing; where
 * neither runs, no reading.
 */
function ratioOf(
  a: Accelerator,
  b: Accelerator,
  w: Workload,
  metric: MetricKey,
): { readonly shown: number | null; readonly read: number | null } {
  const ea = evaluate(a, w);
  const eb = evaluate(b, w);
  const x = ea.failure ? null : metricsOf(ea)[metric];
  const y = eb.failure ? null : metricsOf(eb)[metric];
  if (x !== null && y !== null && y !== 0) return { shown: x / y, read: x / y };
  const nothing =
    ea.failure && !eb.failure
      ? servingNothingQuantity(metric, true)
      : eb.failure && !ea.failure
        ? servingNothingQuantity(metric, false)
        : undefined;
  return { shown: null, read: nothing ?? null };
}

// A price as compare prints it (a sub-cent one by its significant digits, not $0.00).
const usd = (v: number) => `$${v >= 100 ? grouped(v) : usdText(v)}`;
const times = (v: number) => `${Number(v.toPrecision(4))}`;

interface Lever {
  readonly input: string;
  readonly low: string;
  readonly high: string;
  /** The (a, b, workload) with the input at end 0 (low) or 1 (high). */
  at(end: 0 | 1): [Accelerator, Accelerator, Workload];
}

/** Price or capex of one chip, at its stated range or +-25%. */
function costLever(
  self: Accelerator,
  w: Workload,
  place: (x: Accelerator) => [Accelerator, Accelerator, Workload],
): Lever | undefined {
  if (w.plan === 'tco') {
    const t = self.tco;
    if (!t) return undefined;
    const [lo, hi] = t.capexRange ?? [t.capexUsdPerChip * 0.75, t.capexUsdPerChip * 1.25];
    return {
      input: `${self.id} capex${t.capexRange ? '' : ' (+-25%, no stated range)'}`,
      low: usd(lo),
      high: usd(hi),
      at: (end) => place({ ...self, tco: { ...t, capexUsdPerChip: end === 0 ? lo : hi } }),
    };
  }
  const scaled = (k: number) => self.prices.map((q) => ({ ...q, usdPerChipHour: q.usdPerChipHour * k }));
  const quote = self.prices.find((q) => q.plan === w.plan && (q.basis === w.basis || q.basis === 'user'));
  if (!quote) return undefined;
  const [lo, hi] = quote.usdPerChipHourRange ?? [quote.usdPerChipHour * 0.75, quote.usdPerChipHour * 1.25];
  return {
    input: `${self.id} price${quote.usdPerChipHourRange ? '' : ' (+-25%, no stated range)'}`,
    low: `${usd(lo)}/h`,
    high: `${usd(hi)}/h`,
    at: (end) => place({ ...self, prices: scaled((end === 0 ? lo : hi) / quote.usdPerChipHour) }),
  };
}

function chipLevers(
  self: Accelerator,
  w: Workload,
  place: (x: Accelerator) => [Accelerator, Accelerator, Workload],
): Lever[] {
  const levers: Lever[] = [];
  const cost = costLever(self, w, place);
  if (cost) levers.push(cost);
  const power = self.powerRangeW;
  if (power)
    levers.push({
      input: `${self.id} power (estimated TDP)`,
      low: `${power.tdpW[0]} W`,
      high: `${power.tdpW[1]} W`,
      at: (end) => place({ ...self, tdpW: power.tdpW[end], systemWPerChip: power.systemWPerChip[end] }),
    });
  const alpha = estimatedLatencyRangeS(self, w);
  // Section 11: an estimated collective latency with a stated low and high (AWS's chips).
  if (alpha)
    levers.push({
      input: `${self.id} collective latency (estimate)`,
      low: `${us(alpha[0])} us`,
      high: `${us(alpha[1])} us`,
      at: (end) => place({ ...self, collectiveLatencyS: alpha[end] }),
    });
  const across = self.moeAcrossEfficiency;
  // 12a: the bars name the factors the deployment ran at (the layout's fit, where it took it).
  const ranAt = across && evaluate(self, w).layoutFit ? across : self.efficiency;
  for (const f of EFFICIENCY_FACTORS) {
    const ends = (v: number) => (f === 'tStep0S' ? [v * 0.5, v * 2] : [v * 0.8, Math.min(1, v * 1.2)]);
    const moved = (e: Efficiency, end: 0 | 1) => ({ ...e, [f]: ends(e[f])[end] as number });
    const [lo, hi] = ends(ranAt[f]) as [number, number];
    const show = (x: number) => (f === 'tStep0S' ? `${Number((x * 1000).toPrecision(3))} ms` : times(x));
    levers.push({
      input: `${self.id} ${fileFactorName(f as EfficiencyFactor)}`,
      low: show(lo),
      high: show(hi),
      // 12a: a deployment at the layout's fit moves with the same factor of that fit.
      at: (end) =>
        place({
          ...self,
          efficiency: moved(self.efficiency, end),
          ...(across ? { moeAcrossEfficiency: moved(across, end) } : {}),
        }),
    });
  }
  return levers;
}

/** Every input of section 7a's tornado, for chips a and b on workload w. */
function levers(a: Accelerator, b: Accelerator, w: Workload): Lever[] {
  const scaleWorkload = (
    label: string,
    lo: number,
    hi: number,
    show: (x: number) => string,
    set: (x: number) => Workload,
  ): Lever => ({
    input: label,
    low: show(lo),
    high: show(hi),
    at: (end) => [a, b, set(end === 0 ? lo : hi)],
  });
  const kwh = w.site.usdPerKwh;
  const inTok = w.inputTokens;
  const outTok = w.outputTokens;
  const capW = w.site.powerCapW;
  // 6.2: the clock under a power cap is an estimate (exponent 1 to 1/3), one physics for both chips.
  const capped =
    w.mechanisms.powerCappedClock && capW !== undefined && (capW < a.tdpW || capW < b.tdpW)
      ? [
          scaleWorkload(
            `clock under the ${grouped(capW)} W cap`,
            CAP_CLOCK_EXPONENT.low,
            CAP_CLOCK_EXPONENT.nominal,
            (x) => (x === CAP_CLOCK_EXPONENT.low ? 'exponent 1' : 'exponent 1/3'),
            (x) => ({ ...w, site: { ...w.site, powerCapClockExponent: x } }),
          ),
        ]
      : [];
  return [
    ...chipLevers(a, w, (x) => [x, b, w]),
    ...chipLevers(b, w, (x) => [a, x, w]),
    ...capped,
    scaleWorkload(
      'power price',
      kwh * 0.5,
      kwh * 2,
      (x) => `$${x.toFixed(3)}/kWh`,
      (x) => ({ ...w, site: { ...w.site, usdPerKwh: x } }),
    ),
    scaleWorkload('PUE', 1.1, 1.6, times, (x) => ({ ...w, site: { ...w.site, pue: x } })),
    scaleWorkload('utilization', 0.4, 0.9, times, (x) => ({ ...w, utilization: x })),
    scaleWorkload(
      'input length',
      Math.max(1, Math.round(inTok * 0.5)),
      inTok * 2,
      (x) => `${x} tokens`,
      (x) => ({ ...w, inputTokens: x }),
    ),
    scaleWorkload(
      'output length',
      Math.max(1, Math.round(outTok * 0.5)),
      outTok * 2,
      (x) => `${x} tokens`,
      (x) => ({ ...w, outputTokens: x }),
    ),
  ];
}

/**
 * The claim's break-even for the subject chip (section 7a): the price, or under tco the capex,
 * at which the ratio equals the threshold. Null for metrics that do not depend on price.
 */
function breakEven(
  a: Accelerator,
  w: Workload,
  ratio: number,
  threshold: number,
  metric: MetricKey,
): BreakEven | null {
  const price = priceDependence(metric);
  if (price === undefined) return null;
  const direct = price === 'inverse';
  const e = evaluate(a, w);
  const c = e.cost?.usdPerChipHour;
  if (c === undefined || ratio <= 0 || threshold <= 0) return null;
  const target = direct ? (c * ratio) / threshold : (c * threshold) / ratio;
  // A threshold near zero (1e-320) puts the break-even past any number: there is none to state.
  if (!Number.isFinite(target)) return null;
  if (w.plan !== 'tco') return { accelerator: a.id, kind: 'usd_per_chip_hour', value: target, current: c };
  const t = a.tco;
  const energy = e.cost?.tco?.energyUsdPerHour;
  if (!t || energy === undefined) return null;
  const perCapex = 1 / (t.amortizationYears * 8760) + t.opexFractionPerYear / 8760;
  return {
    accelerator: a.id,
    kind: 'capex_usd_per_chip',
    value: Math.max(0, (target - energy) / perCapex),
    current: t.capexUsdPerChip,
  };
}

/** Loads each workload, checks the claim with its stated ranges, then moves every input alone. */
export function analyseClaim(
  env: CompareEnv,
  claimText: string,
  workloadPaths: readonly string[],
  opts: ClaimOptions,
): ClaimReport {
  const ids = [...env.catalog.accelerators.keys()];
  const claim = parseExpectation(claimText, ids, 'claim', '"A/B metric >= x"');
  if (claim.versus === undefined)
    throw new UsageError(
      `claim "${claimText}": compare two chips, e.g. "maia-200/gb200 tokens_per_dollar >= 1.30"`,
    );
  if (claim.relative)
    throw new UsageError(
      `claim "${claimText}": a claim is a ratio against a number, not a change in percent`,
    );
  // A ratio of two chips' metrics is above 0, so a threshold at or below 0 decides nothing (">= -1"
  // always passed, "<= 0" always failed); one that underflows to 0 (1e-400) would be echoed as 0.
  if (!(claim.threshold > 0)) {
    const raw = /(?:>=|<=|>|<)\s*(\S+)\s*$/.exec(claimText)?.[1] ?? '';
    const underflow = claim.threshold === 0 && /[1-9]/.test(raw.replace(/e.*$/i, ''));
    throw new UsageError(
      `claim "${claimText}": the threshold must be a positive number (a ratio of two chips is above 0)${underflow ? `; ${raw} is too small to tell from 0` : ''}`,
    );
  }
  const versus = claim.versus;
  const plan = parsePlan(opts.plan);
  const basis = parseBasis(opts.basis);
  const sets: FieldSet[] = parseFieldSets(opts.set, ids);
  const paths = workloadPaths.length > 0 ? workloadPaths : [...CLAIM_WORKLOADS];
  const workloads: ClaimWorkload[] = [];
  let pricing = '';
  // One row per workload: a name given twice (the same file, or two files of one name) is refused
  // where it was written, as compare refuses it, not shown twice.
  const named = new Map<string, string>();
  for (const path of paths) {
    const loaded = loadWorkload(readWorkloadYaml(path, env.readStdin), env.catalog, sets, env.today);
    const first = named.get(loaded.workload.name);
    if (first !== undefined)
      throw workloadErrorAt(
        loaded.yaml,
        sets,
        ['name'],
        `workload "${loaded.workload.name}" has the name of ${first === loaded.yaml.file ? 'the same file given before' : `${first}'s workload`}; a claim has one row per workload, so give each its own`,
      );
    named.set(loaded.workload.name, loaded.yaml.file);
    const run = runCompare(env, [path], {
      ...(opts.plan === undefined ? {} : { plan: opts.plan }),
      ...(opts.basis === undefined ? {} : { basis: opts.basis }),
      ...(opts.stack === undefined ? {} : { stack: opts.stack }),
      set: opts.set,
      accelerators: `${claim.subject},${versus}`,
      baseline: versus,
      expect: [claimText],
      pareto: false,
      ranges: true,
      strict: false,
    });
    const outcome = run.outcomes.find((o) => o.expectation.text === claim.text) as ExpectationOutcome;
    const planned = plan === undefined ? loaded.workload : { ...loaded.workload, plan };
    const w = basis === undefined ? planned : { ...planned, basis };
    pricing = w.plan === 'tco' ? 'tco (owner cost)' : `${w.basis} ${w.plan}`;
    const stack = opts.stack ?? loaded.raw.stack;
    const a = acceleratorFor(env.catalog, claim.subject, sets, env.today, stack);
    const b = acceleratorFor(env.catalog, versus, sets, env.today, stack);
    const ratio = outcome.measured;
    const tornado: TornadoBar[] =
      ratio === null
        ? []
        : levers(a, b, w)
            .map((l) => {
              const ends = [l.at(0), l.at(1)].map(([x, y, wl]) => ratioOf(x, y, wl, claim.metric));
              const [lo, hi] = ends.map((q) => q.shown) as [number | null, number | null];
              const nominal = holds(ratio, claim.op, claim.threshold);
              const flips = ends.some(
                (q) => q.read !== null && holds(q.read, claim.op, claim.threshold) !== nominal,
              );
              return { input: l.input, low: l.low, high: l.high, ratioAtLow: lo, ratioAtHigh: hi, flips };
            })
            .concat(modelErrorBars(a, b, w.model, ratio, claim))
            .sort((x, y) => swing(y, ratio) - swing(x, ratio) || x.input.localeCompare(y.input));
    workloads.push({
      workload: outcome.workload,
      outcome,
      ratio,
      // A metric with no stated range (TTFT, TPOT) has none: a range of one point read as a
      // certainty the tornado below contradicts.
      range: outcome.bounds ?? null,
      breakEven: ratio === null ? null : breakEven(a, w, ratio, claim.threshold, claim.metric),
      tornado,
    });
  }
  return {
    claim: claim.text,
    subject: claim.subject,
    versus,
    metric: claim.metric,
    op: claim.op,
    threshold: claim.threshold,
    pricing,
    workloads,
  };
}

/**
 * Each chip's throughput at the ends of its cross-validated interval (section 11): the model's
 * own error as one more input. The ratio moves by the same factor (or its inverse).
 */
function modelErrorBars(
  a: Accelerator,
  b: Accelerator,
  model: Workload['model'],
  ratio: number,
  claim: { readonly metric: MetricKey; readonly op: Comparator; readonly threshold: number },
): TornadoBar[] {
  const t = throughputDependence(claim.metric);
  const sign = t === 'direct' ? 1 : t === 'inverse' ? -1 : 0;
  if (sign === 0) return [];
  const nominal = holds(ratio, claim.op, claim.threshold);
  const bars: TornadoBar[] = [];
  for (const [chip, side] of [
    [a, 1],
    [b, -1],
  ] as const) {
    const iv = intervalLogFor(chip, model);
    if (!iv) continue;
    const [lo, hi] = [iv[0], iv[1]].map((l) => ratio * Math.exp(sign * side * l)) as [number, number];
    bars.push({
      input: `${chip.id} throughput (CV interval)`,
      low: `${((Math.exp(iv[0]) - 1) * 100).toFixed(0)}%`,
      high: `+${((Math.exp(iv[1]) - 1) * 100).toFixed(0)}%`,
      ratioAtLow: lo,
      ratioAtHigh: hi,
      flips: [lo, hi].some((q) => holds(q, claim.op, claim.threshold) !== nominal),
    });
  }
  return bars;
}

/**
 * How far an input moves the ratio. An end where no deployment meets the limits has no ratio:
 * the ratio at the values stands in for it (docs/model.md 7a), so a bar with one end is ranked
 * by how far its other end goes, not dropped to the bottom as if it moved nothing.
 */
export function swing(b: TornadoBar, ratio: number): number {
  return Math.abs((b.ratioAtHigh ?? ratio) - (b.ratioAtLow ?? ratio));
}
