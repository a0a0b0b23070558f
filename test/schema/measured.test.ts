// The bundled measured results (data/measured) and the per-chip / per-stack backtest summary.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BacktestRow, summaries } from '../../src/fidelity/backtest.js';
import { bundledMeasuredDir, loadMeasured } from '../../src/io/measured.js';
import { runCli } from '../helpers/cli.js';

describe('bundled measured data', () => {
  const rows = loadMeasured([bundledMeasuredDir()]);
  const count = (key: (r: (typeof rows)[number]) => string) => {
    const m: Record<string, number> = {};
    for (const r of rows) m[key(r)] = (m[key(r)] ?? 0) + 1;
    return m;
  };

  it('loads 506 rows: 20 published, 162 MLPerf, 15 MLPerf Power, 309 from vendor documents', () => {
    expect(rows).toHaveLength(506);
    expect(count((r) => r.file.split(/[\\/]/).pop() as string)).toEqual({
      'published.csv': 20,
      'mlperf.csv': 162,
      'mlperf-power.csv': 15,
      'vendor-docs.csv': 309,
    });
  });

  it('196 rows are not NVIDIA: MI300X 98, MI325X 21, MI355X 36, Trainium2 10, TPU v6e 3, TPU v7 8, Inferentia2 20', () => {
    expect(count((r) => r.row.accelerator)).toEqual({
      'h100-sxm': 42,
      // MLPerf v6.1, v6.0 and v5.0 (eighteenth session): B200 +9 +14 +5, GB200 +8 +5 +1, H200 +5,
      // MI355X +22 +11, MI300X +3
      // TensorRT-LLM release 1.2 (twenty-ninth session): B200 +28, GB200 +27, H200 +19
      'h200-sxm': 78,
      b200: 115,
      gb200: 75,
      mi300x: 98,
      mi325x: 21,
      mi355x: 36,
      // twenty-first session: Inferentia2 +14 (Llama 3 70B and 8B, the same AWS table), Trainium2 +1
      trainium2: 10,
      'tpu-v6e-trillium': 3,
      // forty-third session: Google's Qwen3.5-397B recipe on one 4-chip Ironwood node; forty-fourth:
      // its Qwen3-Coder-480B and Qwen3-32B recipes (3 rows each)
      'tpu-v7-ironwood': 8,
      inferentia2: 20,
    });
    expect(count((r) => r.row.stack ?? 'none')).toEqual({
      trtllm: 305,
      nim: 5,
      vllm: 141,
      'vllm-tpu': 11,
      llmboost: 12,
      sglang: 2,
      'vllm-neuron': 9,
      nxdi: 1,
      'transformers-neuronx': 20,
    });
  });

  it('every row has a source URL and notes; MLPerf rows name round, division and submitter', () => {
    for (const { row } of rows) {
      expect(row.source, row.id).toMatch(/https:\/\//);
      expect(row.notes?.length ?? 0, row.id).toBeGreaterThan(0);
      if (row.round !== undefined)
        expect([row.division, row.submitter].includes(undefined), row.id).toBe(false);
    }
  });
});

describe('the one-GPU MoE rows (held back until the eighth session)', () => {
  const all = loadMeasured([bundledMeasuredDir()]).filter((r) =>
    ['gpt-oss-20b', 'qwen3-30b-a3b'].includes(r.row.model),
  );
  // The same two models' cells of TensorRT-LLM's release-1.2 page joined in the twenty-ninth session
  const rows = all.filter((r) => !r.row.id.startsWith('trtllm12-'));

  it("release 1.2's cells of the two models are one GPU too: gpt-oss-20b 15, qwen3-30b-a3b 9", () => {
    const later = all.filter((r) => r.row.id.startsWith('trtllm12-'));
    expect(later.filter((r) => r.row.model === 'gpt-oss-20b')).toHaveLength(15);
    expect(later.filter((r) => r.row.model === 'qwen3-30b-a3b')).toHaveLength(9);
    for (const { row } of later) expect(row.chips_per_replica, row.id).toBe(1);
  });

  it('24 TensorRT-LLM rows at one GPU: gpt-oss-20b 18, qwen3-30b-a3b 6, each from the 03e27c7d page', () => {
    expect(rows).toHaveLength(24);
    const byModel: Record<string, number> = {};
    for (const { row } of rows) byModel[row.model] = (byModel[row.model] ?? 0) + 1;
    expect(byModel).toEqual({ 'gpt-oss-20b': 18, 'qwen3-30b-a3b': 6 });
    for (const { row } of rows) {
      expect(row.chips_per_replica, row.id).toBe(1);
      expect(row.input_assumed, row.id).toBe(false);
      expect(row.source, row.id).toMatch(/^https:\/\/github\.com\/NVIDIA\/TensorRT-LLM\/blob\/03e27c7d/);
    }
  });

  it('backtest predicts every one of them (the presets represent them)', async () => {
    const r = await runCli(['backtest', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      rows: { id: string; model: string; predicted_output_tokens_per_s_per_chip: number | null }[];
    };
    const ours = out.rows.filter((row) => ['gpt-oss-20b', 'qwen3-30b-a3b'].includes(row.model));
    expect(ours).toHaveLength(24 + 15 + 9);
    for (const row of ours) expect(row.predicted_output_tokens_per_s_per_chip, row.id).toBeGreaterThan(0);
  });
});

describe('per-stack summary', () => {
  // Five rows, two stacks. Errors are (predicted / measured - 1) * 100 for the predictions below:
  //   vllm:   100 -> 110 (+10%), 200 -> 160 (-20%), 100 -> 130 (+30%)
  //   trtllm: 100 ->  95 (-5%),  100 -> 115 (+15%)
  const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
  const file = join(dir, 'tiny.csv');
  writeFileSync(
    file,
    [
      'id,accelerator,chips_per_replica,model,weights,activations,kv_cache,input_tokens,input_assumed,output_tokens,scenario,output_tokens_per_s_per_chip,stack,source',
      'a,mi300x,1,llama-3.1-8b,fp8,fp8,fp8,1000,false,1000,max_throughput,100,vllm,test',
      'b,mi300x,1,llama-3.1-8b,fp8,fp8,fp8,1000,false,1000,max_throughput,200,vllm,test',
      'c,h100-sxm,1,llama-3.1-8b,fp8,fp8,fp8,1000,true,1000,max_throughput,100,vllm,test',
      'd,h100-sxm,1,llama-3.1-8b,fp8,fp8,fp8,1000,false,1000,max_throughput,100,trtllm,test',
      'e,h100-sxm,1,llama-3.1-8b,fp8,fp8,fp8,1000,false,1000,max_throughput,100,trtllm,test',
    ].join('\n'),
  );
  const predicted: Record<string, number> = { a: 110, b: 160, c: 130, d: 95, e: 115 };
  const backtested: BacktestRow[] = loadMeasured([file]).map(({ row }) => ({
    row,
    errorPct: ((predicted[row.id] as number) / row.output_tokens_per_s_per_chip - 1) * 100,
  }));
  const s = summaries(backtested);
  const get = (kind: string, group: string) => s.find((x) => x.kind === kind && x.group === group);

  it('gives rows, median, p90 and max |error| per stack', () => {
    // vllm |errors| 10, 20, 30: median 20, p90 (nearest rank ceil(0.9 * 3) = 3rd) 30
    expect(get('stack', 'vllm')?.rows).toBe(3);
    expect(get('stack', 'vllm')?.medianAbsErrorPct).toBeCloseTo(20, 9);
    expect(get('stack', 'vllm')?.p90AbsErrorPct).toBeCloseTo(30, 9);
    expect(get('stack', 'vllm')?.maxAbsErrorPct).toBeCloseTo(30, 9);
    // trtllm |errors| 5, 15: median (5 + 15) / 2 = 10, p90 (ceil(0.9 * 2) = 2nd) 15
    expect(get('stack', 'trtllm')?.rows).toBe(2);
    expect(get('stack', 'trtllm')?.medianAbsErrorPct).toBeCloseTo(10, 9);
    expect(get('stack', 'trtllm')?.p90AbsErrorPct).toBeCloseTo(15, 9);
  });

  it('and per chip, overall and on known input lengths', () => {
    // mi300x |errors| 10, 20 -> median 15; h100-sxm 30, 5, 15 -> median 15
    expect(get('accelerator', 'mi300x')?.medianAbsErrorPct).toBeCloseTo(15, 9);
    expect(get('accelerator', 'h100-sxm')?.medianAbsErrorPct).toBeCloseTo(15, 9);
    // all: 5, 10, 15, 20, 30 -> median 15, p90 (ceil(4.5) = 5th) 30
    expect(get('all', 'all')?.medianAbsErrorPct).toBeCloseTo(15, 9);
    expect(get('all', 'all')?.p90AbsErrorPct).toBeCloseTo(30, 9);
    // known input length leaves out c: 5, 10, 15, 20 -> median 12.5
    expect(get('all', 'all, known input length')).toMatchObject({ rows: 4 });
    expect(get('all', 'all, known input length')?.medianAbsErrorPct).toBeCloseTo(12.5, 9);
    expect(s.map((x) => `${x.kind}:${x.group}`)).toEqual([
      'accelerator:h100-sxm',
      'accelerator:mi300x',
      'stack:trtllm',
      'stack:vllm',
      'all:all',
      'all:all, known input length',
    ]);
  });
});
