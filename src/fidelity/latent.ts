// Input lengths nobody published (docs/model.md section 12b): a row with an assumed input that
// names its dataset runs at the mean input that best explains the dataset's other rows. Pure.
import { logErrors } from '../engine/calibrate.js';
import type { Efficiency } from '../engine/types.js';
import { type BacktestRow, backtestCase, type MeasuredCase } from './backtest.js';

/** 12b's grid G: round(2^(5 + j/8)) for j = 0..80, 32 to 32,768 tokens in steps of 9%. */
export const INPUT_GRID_TOKENS: readonly number[] = Array.from({ length: 81 }, (_, j) =>
  Math.round(2 ** (5 + j / 8)),
);

/** Every 4th grid point (a factor of 2^(1/2)) first, then the 9 from the one before the best to the one after. */
const COARSE_STEP = 4;

export interface InputEstimate {
  readonly dataset: string;
  /** The estimated mean input length, tokens. */
  readonly inputTokens: number;
  /** Rows behind the estimate. */
  readonly rows: number;
}

/** The dataset whose estimate a case takes: an assumed input, a dataset named, the switch on. */
export function latentDataset(c: MeasuredCase): string | undefined {
  return c.row.input_assumed && c.workload.mechanisms.latentInput ? c.row.dataset : undefined;
}

/**
 * The case run at another mean input length (everything else as measured). A trtllm-bench batch
 * cap (3b.5), which depends on the input, stays as computed: no row with a dataset is one.
 */
export function withInputTokens(c: MeasuredCase, inputTokens: number): MeasuredCase {
  return { ...c, workload: { ...c.workload, inputTokens } };
}

/**
 * 12b: per dataset, the grid length minimising the squared log errors of its rows, each predicted
 * with `efficiencyOf` (the factors it would be predicted with), searched coarse to fine.
 */
export function estimateInputs(
  cases: readonly MeasuredCase[],
  efficiencyOf: (c: MeasuredCase) => Efficiency,
): Map<string, InputEstimate> {
  const byDataset = new Map<string, MeasuredCase[]>();
  for (const c of cases) {
    const d = latentDataset(c);
    if (d === undefined) continue;
    const rows = byDataset.get(d);
    if (rows) rows.push(c);
    else byDataset.set(d, [c]);
  }
  const out = new Map<string, InputEstimate>();
  for (const [dataset, rows] of [...byDataset].sort(([a], [b]) => a.localeCompare(b))) {
    const efficiencies = rows.map(efficiencyOf);
    const lossAt = (j: number): number => {
      let loss = 0;
      rows.forEach((c, i) => {
        const tokens = INPUT_GRID_TOKENS[j] as number;
        for (const e of logErrors([withInputTokens(c, tokens)], efficiencies[i] as Efficiency)) loss += e * e;
      });
      return loss;
    };
    // Coarse to fine (12b): every COARSE_STEP-th grid point, then the points between its best and
    // its neighbours; ties go to the smaller length either way.
    const argmin = (js: readonly number[]): number => {
      let bestJ = js[0] as number;
      let best = Number.POSITIVE_INFINITY;
      for (const j of js) {
        const loss = lossAt(j);
        if (loss < best) {
          best = loss;
          bestJ = j;
        }
      }
      return bestJ;
    };
    const last = INPUT_GRID_TOKENS.length - 1;
    const coarse = argmin(Array.from({ length: last / COARSE_STEP + 1 }, (_, k) => k * COARSE_STEP));
    const fine = Array.from({ length: 2 * COARSE_STEP + 1 }, (_, k) => coarse - COARSE_STEP + k).filter(
      (j) => j >= 0 && j <= last,
    );
    const j = argmin(fine);
    out.set(dataset, { dataset, inputTokens: INPUT_GRID_TOKENS[j] as number, rows: rows.length });
  }
  return out;
}

/** The case at its dataset's estimate, where 12b gives it one; else unchanged. */
export function atEstimatedInput(
  c: MeasuredCase,
  estimates: ReadonlyMap<string, InputEstimate>,
): { readonly c: MeasuredCase; readonly inputTokensEstimated?: number } {
  const d = latentDataset(c);
  const e = d === undefined ? undefined : estimates.get(d);
  return e === undefined
    ? { c }
    : { c: withInputTokens(c, e.inputTokens), inputTokensEstimated: e.inputTokens };
}

/** One row predicted with `efficiency` at its dataset's estimate where it has one, which the row records. */
export function backtestAtEstimate(
  c0: MeasuredCase,
  estimates: ReadonlyMap<string, InputEstimate>,
  efficiency: Efficiency,
): { readonly c: MeasuredCase; readonly r: BacktestRow } {
  const { c, inputTokensEstimated } = atEstimatedInput(c0, estimates);
  const r = backtestCase(c, efficiency);
  return { c, r: inputTokensEstimated === undefined ? r : { ...r, inputTokensEstimated } };
}
