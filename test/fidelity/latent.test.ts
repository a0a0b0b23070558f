// docs/model.md 12b: the mean input of a dataset nobody published, estimated from its rows.
import { describe, expect, it } from 'vitest';
import { resolveRows } from '../../src/api/backtest.js';
import { predictCase } from '../../src/engine/calibrate.js';
import { atLimitRatios, type MeasuredCase } from '../../src/fidelity/backtest.js';
import { crossValidate, fitLevels, sourceGroup } from '../../src/fidelity/cv.js';
import {
  atEstimatedInput,
  estimateInputs,
  INPUT_GRID_TOKENS,
  withInputTokens,
} from '../../src/fidelity/latent.js';
import { bundledMeasuredDir, loadMeasured } from '../../src/io/measured.js';
import { toMechanisms } from '../../src/schema/convert.js';
import { runCli } from '../helpers/cli.js';
import { bundled } from '../helpers/data.js';

const { cases } = resolveRows(bundled(), loadMeasured([bundledMeasuredDir()]));
const dataset = (d: string) => cases.filter((c) => c.row.dataset === d);

/** The case as if its measured throughput were the engine's own at `inputTokens`. */
function measuredAt(c: MeasuredCase, inputTokens: number): MeasuredCase {
  const p = predictCase(withInputTokens(c, inputTokens), c.accelerator.efficiency);
  if (!p) throw new Error(`${c.id}: no prediction at ${inputTokens}`);
  const { measuredTpotS: _, ...rest } = c;
  return { ...rest, measuredTokensPerSPerChip: p.tokensPerSPerChip };
}

describe('12b: the estimated mean input of a dataset', () => {
  it('searches round(2^(5 + j/8)) for j = 0..80: 32 to 32,768 tokens', () => {
    expect(INPUT_GRID_TOKENS).toHaveLength(81);
    expect(INPUT_GRID_TOKENS[0]).toBe(32);
    // 2^(5 + 36/8) = 2^9.5 = 724.08 -> 724; 2^(5 + 52/8) = 2^11.5 = 2896.31 -> 2896
    expect(INPUT_GRID_TOKENS[36]).toBe(724);
    expect(INPUT_GRID_TOKENS[52]).toBe(2896);
    expect(INPUT_GRID_TOKENS[80]).toBe(32768);
  });

  it('finds the input the rows were made at, when they were made by the engine itself', () => {
    const rows = dataset('mlperf-llama3.1-405b');
    expect(rows.length).toBeGreaterThanOrEqual(10);
    // 724 and 2,896 are coarse points (j = 36, 52); 861 = round(2^(5 + 38/8) = 2^9.75 = 861.0) is
    // found only by the fine pass.
    expect(INPUT_GRID_TOKENS[38]).toBe(861);
    for (const tokens of [724, 861, 2896]) {
      const made = rows.map((c) => measuredAt(c, tokens));
      const est = estimateInputs(made, (c) => c.accelerator.efficiency);
      expect(est.get('mlperf-llama3.1-405b')).toEqual({
        dataset: 'mlperf-llama3.1-405b',
        inputTokens: tokens,
        rows: rows.length,
      });
    }
  });

  it('leaves rows with a published input, without a dataset, or with the switch off as they are', () => {
    const known = cases.find((c) => !c.row.input_assumed);
    const noDataset = cases.find((c) => c.row.input_assumed && c.row.dataset === undefined);
    const llama2 = dataset('mlperf-llama2-70b');
    const est = estimateInputs(cases, (c) => c.accelerator.efficiency);
    expect([...est.keys()].sort()).toEqual([
      'mlperf-deepseek-r1',
      'mlperf-llama2-70b',
      'mlperf-llama3.1-405b',
      'mlperf-llama3.1-8b',
      'mlperf-mixtral-8x7b',
    ]);
    for (const c of [known, noDataset]) {
      expect(c).toBeDefined();
      expect(atEstimatedInput(c as MeasuredCase, est)).toEqual({ c });
    }
    const off = {
      ...llama2[0],
      workload: { ...llama2[0]?.workload, mechanisms: toMechanisms({ latent_input: false }) },
    };
    expect(atEstimatedInput(off as MeasuredCase, est)).toEqual({ c: off });
    const on = atEstimatedInput(llama2[0] as MeasuredCase, est);
    expect(on.inputTokensEstimated).toBe(est.get('mlperf-llama2-70b')?.inputTokens);
    expect(on.c.workload.inputTokens).toBe(on.inputTokensEstimated);
    // the row itself keeps what was published: 512, assumed
    expect(on.c.row.input_tokens).toBe(512);
  });

  it('cross-validated, a held-out row never takes an estimate its own source made', () => {
    // One dataset in two sources. What source A measured must not move the input A's rows are
    // predicted at: made once at 724 tokens and once at 16,384, A's held-out rows get the same
    // estimate, the one B's rows imply under the factors fitted without A.
    const rows = dataset('mlperf-llama3.1-405b');
    const [a, b] = [...new Set(rows.map((c) => sourceGroup(c.row.source)))];
    const fromB = rows.filter((c) => sourceGroup(c.row.source) === b).map((c) => measuredAt(c, 2896));
    // Known-input rows of other sources than A and B (a row of A's source is held out with A).
    const known = cases
      .filter((c) => !c.row.input_assumed && ![a, b].includes(sourceGroup(c.row.source)))
      .slice(0, 30);
    const heldA = (tokens: number) => {
      const fromA = rows.filter((c) => sourceGroup(c.row.source) === a).map((c) => measuredAt(c, tokens));
      const cv = crossValidate([...known, ...fromA, ...fromB]);
      return [
        ...new Set(
          cv.rows.filter((r) => fromA.some((c) => c.id === r.row.id)).map((r) => r.inputTokensEstimated),
        ),
      ];
    };
    // The fold fits on its training rows held to their own p99/mean limit ratios (3b.6), so the
    // direct recomputation must be too.
    const training = atLimitRatios([...known, ...fromB]);
    const h = fitLevels(training);
    const expected = estimateInputs(
      training.slice(known.length),
      (c) => h.factors(c.row.accelerator, c.row.stack).efficiency,
    ).get('mlperf-llama3.1-405b')?.inputTokens;
    expect(expected).toBeDefined();
    // A's own measurements do not move its estimate: one value, the same at 724 and 16,384 tokens.
    const at724 = heldA(724);
    expect(at724).toHaveLength(1);
    expect(heldA(16384)).toEqual(at724);
    // And it is B's estimate under the factors fitted without A.
    expect(at724).toEqual([expected]);
  }, 1_200_000);
});

describe('backtest reports the estimate', () => {
  it('every row of a dataset runs at one estimate, in JSON; the others carry null', async () => {
    const r = await runCli(['backtest', '--format', 'json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout).rows as {
      id: string;
      input_assumed: boolean;
      input_tokens: number;
      input_tokens_estimated: number | null;
    }[];
    const byId = new Map(cases.map((c) => [c.id, c.row.dataset]));
    const perDataset = new Map<string, Set<number | null>>();
    for (const row of rows) {
      const d = byId.get(row.id);
      if (d === undefined) expect(row.input_tokens_estimated, row.id).toBeNull();
      else perDataset.set(d, (perDataset.get(d) ?? new Set()).add(row.input_tokens_estimated));
      expect(row.input_tokens, row.id).toBeGreaterThan(0);
    }
    // five: gpt-oss-120b's mean input is published since the twentieth session
    expect(perDataset.size).toBe(5);
    // The table shows the input a row ran at: ~ and the estimate, never the 512 it was written with.
    const table = (await runCli(['backtest'])).stdout;
    const line = table.split('\n').find((l) => l.includes('mlperf51-b200-llama3.1-405b-offline-nvidia '));
    const estimate = rows.find(
      (x) => x.id === 'mlperf51-b200-llama3.1-405b-offline-nvidia',
    )?.input_tokens_estimated;
    expect(line).toContain(`~${(estimate as number).toLocaleString('en-US')}/652`);
    expect(table).toContain(
      "~ input length not published; its dataset's estimated mean (docs/model.md 12b).",
    );
    for (const [d, values] of perDataset) {
      expect(values.size, d).toBe(1);
      expect(INPUT_GRID_TOKENS, d).toContain([...values][0]);
    }
  });
});
