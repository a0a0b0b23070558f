import { chooseDeployment } from './deploy.js';
import { deploymentPowerW } from './energy.js';
import { type DecodeStep, decodeStep } from './replica.js';
import {
  type Accelerator,
  COLLECTIVE_LATENCY,
  type Efficiency,
  type FitFactor,
  type Workload,
} from './types.js';

/** One measured result the engine can reproduce: a setup and what was measured on it. */
export interface CalibrationCase {
  readonly id: string;
  readonly accelerator: Accelerator;
  readonly workload: Workload;
  readonly measuredTokensPerSPerChip: number;
  readonly measuredTpotS?: number;
  /** 12a `ttft_fit`: a TTFT measured at a fixed concurrency, fitted on as TPOT is. */
  readonly measuredTtftS?: number;
}

export interface Prediction {
  readonly tokensPerSPerChip: number;
  /** System power per chip at the operating point (section 6.1), wall side (no PUE). */
  readonly systemWPerChip: number;
  readonly tpotS: number;
  readonly ttftS: number;
  readonly chips: number;
  readonly batch: number;
  readonly batchCappedFrom?: number;
  /** One decode step at that batch, by term, as compare's JSON states it (section 3). */
  readonly decodeStep: DecodeStep;
  /** One request's prefill. */
  readonly prefillS: number;
}

/** The engine's prediction for a case under the given efficiency factors, or undefined if it cannot run. */
export function predictCase(c: CalibrationCase, efficiency: Efficiency): Prediction | undefined {
  // Exactly these factors, at any size: which fit a row takes is the caller's (12a `layout_pairs`).
  const { moeAcrossEfficiency: _fit, ...accelerator } = c.accelerator;
  const chip = { ...accelerator, efficiency };
  const { requests, ...steady } = { ...c.workload, efficiencyOverrides: {} };
  let d = chooseDeployment(chip, steady);
  if (!d.ok) return undefined;
  // 3b.8: a run of `requests` requests, all queued at once, drains in waves of the batch `B`,
  // the last a partial one; fewer requests than `B` are one wave of all of them, the run's point.
  let tokensPerSPerChip = d.point.outputTokensPerS / d.point.chips;
  if (requests !== undefined && requests % d.point.batch > 0) {
    const last = chooseDeployment(chip, { ...steady, fixedBatch: requests % d.point.batch });
    if (!last.ok) return undefined;
    tokensPerSPerChip = finiteRunTokensPerS(
      requests,
      d.point.batch,
      tokensPerSPerChip,
      last.point.outputTokensPerS / last.point.chips,
    );
    if (requests < d.point.batch) d = last;
  }
  const step = decodeStep(d.replica, d.point.batch);
  const p = {
    tokensPerSPerChip,
    systemWPerChip: deploymentPowerW(c.accelerator, c.workload, d, step, efficiency),
    tpotS: d.point.tpotS,
    ttftS: d.point.ttftS,
    chips: d.point.chips,
    batch: d.point.batch,
    decodeStep: step,
    prefillS: d.point.prefillS,
  };
  return d.batchCappedFrom === undefined ? p : { ...p, batchCappedFrom: d.batchCappedFrom };
}

/**
 * 3b.8: the throughput of a run of `requests` requests, queued at once, at batch `batch`: the full
 * waves and a last, partial one of `r = requests mod batch` sequences (none when `batch` divides
 * `requests`). A wave of `b` sequences takes `b O / X(b)`, so per chip
 * `X_run = requests / (full * batch / X(batch) + r / X(r))`; `lastWaveTokensPerS` is `X(r)`.
 */
export function finiteRunTokensPerS(
  requests: number,
  batch: number,
  fullWaveTokensPerS: number,
  lastWaveTokensPerS: number,
): number {
  const fullWaves = Math.floor(requests / batch);
  const lastWave = requests - fullWaves * batch;
  const lastS = lastWave === 0 ? 0 : lastWave / lastWaveTokensPerS;
  return requests / ((fullWaves * batch) / fullWaveTokensPerS + lastS);
}

/**
 * Pull towards the starting values, per squared unit of search coordinate. Small against real
 * misfits (a 3% log error costs as much as moving a factor by one unit), it picks, among the
 * many factor sets that fit a few rows equally well, the one closest to where the profile
 * started instead of a corner of the bounds.
 */
const PRIOR_WEIGHT = 1e-3;

/**
 * Where the light pull of a calibration points: the generic factors every profile started from
 * (docs/model.md section 12). Fixed, so calibrating twice gives the same answer.
 */
export const CALIBRATION_PRIOR: Efficiency = {
  etaMem: 0.8,
  etaPrefill: 0.6,
  etaDecode: 0.35,
  etaLink: 0.7,
  tStep0S: 0.002,
};

/**
 * 12a `collective_latency_fit`: where a fit first searches the per-collective latency, it starts
 * from every bundled profile's `interconnect.latency_us` (5 us, an estimate: docs/model.md section 1).
 */
const GENERIC_COLLECTIVE_LATENCY_S = 5e-6;

/** A log error this large stands for "the setup could not run": far worse than any real miss. */
const FAILURE_LOG_ERROR = 5;

/** How many quantities the cases measured: throughput each, and TPOT and TTFT where given. */
export function observationCount(cases: readonly CalibrationCase[]): number {
  return cases.reduce(
    (n, c) => n + 1 + (c.measuredTpotS === undefined ? 0 : 1) + (c.measuredTtftS === undefined ? 0 : 1),
    0,
  );
}

/** `log(predicted / measured)` for every measured quantity (throughput, and TPOT and TTFT where given). */
export function logErrors(cases: readonly CalibrationCase[], efficiency: Efficiency): number[] {
  const out: number[] = [];
  for (const c of cases) {
    const p = predictCase(c, efficiency);
    out.push(p ? Math.log(p.tokensPerSPerChip / c.measuredTokensPerSPerChip) : FAILURE_LOG_ERROR);
    if (c.measuredTpotS !== undefined) out.push(p ? Math.log(p.tpotS / c.measuredTpotS) : FAILURE_LOG_ERROR);
    if (c.measuredTtftS !== undefined) out.push(p ? Math.log(p.ttftS / c.measuredTtftS) : FAILURE_LOG_ERROR);
  }
  return out;
}

// Each factor is searched in an unbounded coordinate mapped into its physical bounds:
// 0 < eta < 1 through a logistic, 0 < t_step0 < 50 ms and 0 < alpha < 1 ms through scaled ones.
const UPPER: Readonly<Record<FitFactor, number>> = {
  etaMem: 1,
  etaPrefill: 1,
  etaDecode: 1,
  etaLink: 1,
  tStep0S: 0.05,
  collectiveLatencyS: 0.001,
};

/**
 * The fitted factors within 0.1% of an end of their physical bounds (an eta under 0.001 or over
 * 0.999, t_step0 under 50 us or over 49.95 ms): the rows did not pin them, the fit ran to the wall
 * (docs/model.md section 12). Not 1%: Inferentia2's fitted t_step0 is 0.26 ms, and a fit that
 * recovers 0.3 ms exactly is no wall.
 */
export function factorsAtEdge<F extends FitFactor>(fit: Fit<F>): F[] {
  return fit.fitted.filter((f) => {
    const x = factorOf(fit.efficiency, f) / UPPER[f];
    return x < 0.001 || x > 0.999;
  });
}

/** A factor's value in a set of factors; the collective latency, where no fit has set it, the generic one. */
function factorOf(e: Efficiency, f: FitFactor): number {
  return f === COLLECTIVE_LATENCY ? (e.collectiveLatencyS ?? GENERIC_COLLECTIVE_LATENCY_S) : e[f];
}

function toCoord(f: FitFactor, v: number): number {
  const x = Math.min(Math.max(v / UPPER[f], 1e-6), 1 - 1e-6);
  return Math.log(x / (1 - x));
}

function fromCoord(f: FitFactor, u: number): number {
  return UPPER[f] / (1 + Math.exp(-u));
}

/** Nelder-Mead minimisation of `f` from `x0`; deterministic. */
export function nelderMead(
  f: (x: number[]) => number,
  x0: readonly number[],
  maxIterations = 4000,
): number[] {
  const n = x0.length;
  let simplex = [x0.slice(), ...x0.map((_, i) => x0.map((v, j) => (i === j ? v + 0.5 : v)))];
  let values = simplex.map(f);
  for (let iter = 0; iter < maxIterations; iter++) {
    const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
    simplex = order.map(([, i]) => simplex[i] as number[]);
    values = order.map(([v]) => v);
    const best = values[0] as number;
    const worst = values[n] as number;
    if (Math.abs(worst - best) < 1e-14 * (1 + Math.abs(best))) break;
    const centroid = Array.from(
      { length: n },
      (_, j) => simplex.slice(0, n).reduce((s, p) => s + (p[j] as number), 0) / n,
    );
    const at = (t: number) => centroid.map((c, j) => c + t * (((simplex[n] as number[])[j] as number) - c));
    const reflected = at(-1);
    const fr = f(reflected);
    if (fr < best) {
      const expanded = at(-2);
      const fe = f(expanded);
      simplex[n] = fe < fr ? expanded : reflected;
      values[n] = Math.min(fe, fr);
    } else if (fr < (values[n - 1] as number)) {
      simplex[n] = reflected;
      values[n] = fr;
    } else {
      const contracted = fr < worst ? at(-0.5) : at(0.5);
      const fc = f(contracted);
      if (fc < Math.min(fr, worst)) {
        simplex[n] = contracted;
        values[n] = fc;
      } else {
        const first = simplex[0] as number[];
        simplex = simplex.map((p, i) =>
          i === 0 ? p : p.map((v, j) => (first[j] as number) + 0.5 * (v - (first[j] as number))),
        );
        values = simplex.map(f);
      }
    }
  }
  const i = values.indexOf(Math.min(...values));
  return simplex[i] as number[];
}

export interface Fit<F extends FitFactor = FitFactor> {
  readonly efficiency: Efficiency;
  readonly fitted: readonly F[];
  /** Root mean square of the log errors after the fit. */
  readonly rmsLogError: number;
}

/**
 * What one log error costs a fit (docs/model.md 12a): its square, or with `scaleLog` the
 * pseudo-Huber loss `2 d^2 (sqrt(1 + (e/d)^2) - 1)`, the square for |e| well under `d` and
 * growing only linearly beyond it, so that a row the model cannot represent pulls no harder than
 * a few that it can.
 */
export function fitLoss(logError: number, scaleLog?: number): number {
  if (scaleLog === undefined) return logError * logError;
  return 2 * scaleLog * scaleLog * (Math.sqrt(1 + (logError / scaleLog) ** 2) - 1);
}

/**
 * Least squares on log error (or, with `robustScaleLog`, the pseudo-Huber loss of `fitLoss`) over
 * the chosen factors, within physical bounds (0 < eta < 1,
 * 0 < t_step0 < 50 ms). A light pull towards the starting values (PRIOR_WEIGHT) keeps factors
 * the data cannot see where they were; when there are at least as many measurements as
 * factors, a second pass without it lets the data alone settle the fit.
 */
export function fitEfficiency<F extends FitFactor>(
  cases: readonly CalibrationCase[],
  factors: readonly F[],
  start: Efficiency,
  prior: Efficiency = start,
  options: {
    /** Pull towards the prior per squared unit of search coordinate (docs/model.md section 12). */
    readonly priorWeight?: number;
    /** Drop the pull for the last digits when the data can pin every factor (default true). */
    readonly release?: boolean;
    /** Weigh each log error by the pseudo-Huber loss of this scale instead of its square (section 12a). */
    readonly robustScaleLog?: number;
    /** One weight per case, multiplying each of its log errors' losses (section 12a, `source_weighted_fit`). */
    readonly caseWeights?: readonly number[];
  } = {},
): Fit<F> {
  const priorWeight = options.priorWeight ?? PRIOR_WEIGHT;
  const scale = options.robustScaleLog;
  const u0 = factors.map((f) => toCoord(f, factorOf(prior, f)));
  const uStart = factors.map((f) => toCoord(f, factorOf(start, f)));
  const efficiencyAt = (u: readonly number[]): Efficiency => {
    const e: Record<string, number | undefined> = { ...start };
    factors.forEach((f, i) => {
      e[f] = fromCoord(f, u[i] as number);
    });
    return e as Efficiency;
  };
  const weights = options.caseWeights;
  const dataLoss = (efficiency: Efficiency): number => {
    if (weights === undefined) return logErrors(cases, efficiency).reduce((s, e) => s + fitLoss(e, scale), 0);
    let loss = 0;
    cases.forEach((c, i) => {
      for (const e of logErrors([c], efficiency)) loss += (weights[i] ?? 1) * fitLoss(e, scale);
    });
    return loss;
  };
  const objective = (priorWeight: number) => (u: number[]) =>
    dataLoss(efficiencyAt(u)) + priorWeight * u.reduce((s, v, i) => s + (v - (u0[i] as number)) ** 2, 0);
  // With the prior: a stable start that cannot run off to a corner of the bounds.
  let u = nelderMead(objective(priorWeight), uStart);
  u = nelderMead(objective(priorWeight), u); // a restart escapes a collapsed simplex
  const observations = observationCount(cases);
  if ((options.release ?? true) && observations >= factors.length) {
    // Enough measurements to pin every factor: let the data decide the last digits. A trace of
    // the prior stays so that a direction the data cannot see does not drift.
    u = nelderMead(objective(PRIOR_WEIGHT * 1e-6), u);
    u = nelderMead(objective(PRIOR_WEIGHT * 1e-6), u);
  }
  const efficiency = efficiencyAt(u);
  const errors = logErrors(cases, efficiency);
  return {
    efficiency,
    fitted: factors,
    rmsLogError: Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / Math.max(1, errors.length)),
  };
}

/**
 * How strongly a case's predicted throughput responds to each factor:
 * d log(prediction) / d log(factor), by a central difference.
 */
export function sensitivities(
  c: CalibrationCase,
  efficiency: Efficiency,
  factors: readonly FitFactor[],
): Partial<Record<FitFactor, number>> {
  const out: Partial<Record<FitFactor, number>> = {};
  const h = 0.01;
  for (const f of factors) {
    const v = factorOf(efficiency, f);
    const up = predictCase(c, { ...efficiency, [f]: Math.min(v * (1 + h), UPPER[f]) });
    const down = predictCase(c, { ...efficiency, [f]: v * (1 - h) });
    if (!up || !down) continue;
    const dx = Math.log(Math.min(v * (1 + h), UPPER[f]) / (v * (1 - h)));
    out[f] = Math.log(up.tokensPerSPerChip / down.tokensPerSPerChip) / dx;
  }
  return out;
}
