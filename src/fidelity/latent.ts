// Input lengths nobody published (docs/model.md section 12b): a row with an assumed input that
// names its dataset runs at the mean input that best explains the dataset's other rows. Pure.
import { logErrors } from '../engine/calibrate.js';
import type { Efficiency } from '../engine/types.js';
import type { MeasuredCase } from './backtest.js';

/** 12b's grid G: round(2^(5 + j/8)) for j = 0..80, 32 to 32,768 tokens in steps of 9%. */
export const INPUT_GRID_TOKENS: readonly number[] = Array.from({ length: 81 }, (_, j) =>
  Math.round(2 ** (5 + j / 8)),
);

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
 * with `efficiencyOf` (the factors it would be predicted with). The first minimum wins a tie.
 */
export function estimateInputs(
  cases: readonly MeasuredCase[],
  efficiencyOf: (c: MeasuredCase) => Efficiency,
): Map<string, InputEstimate> {
  const byDataset = new Map<string, MeasuredCase[]>();
  for (const c of cases) {
    const d = latentDataset(c);
    if (d !== undefined) byDataset.set(d, [...(byDataset.get(d) ?? []), c]);
  }
  const out = new Map<string, InputEstimate>();
  for (const [dataset, rows] of [...byDataset].sort(([a], [b]) => a.localeCompare(b))) {
    const efficiencies = rows.map(efficiencyOf);
    let best = Number.POSITIVE_INFINITY;
    let bestTokens = INPUT_GRID_TOKENS[0] as number;
    for (const tokens of INPUT_GRID_TOKENS) {
      let loss = 0;
      rows.forEach((c, i) => {
        for (const e of logErrors([withInputTokens(c, tokens)], efficiencies[i] as Efficiency)) loss += e * e;
      });
      if (loss < best) {
        best = loss;
        bestTokens = tokens;
      }
    }
    out.set(dataset, { dataset, inputTokens: bestTokens, rows: rows.length });
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
