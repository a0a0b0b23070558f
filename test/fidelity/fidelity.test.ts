// Fidelity: the engine against published measured results (data/measured), calibration, ranges.
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveRows } from '../../src/api/backtest.js';
import {
  type CalibrationCase,
  finiteRunTokensPerS,
  fitEfficiency,
  predictCase,
} from '../../src/engine/calibrate.js';
import type { Efficiency, Workload } from '../../src/engine/types.js';
import {
  backtestCase,
  limitRatios,
  measuredWithTrtllmBench,
  summaries,
  trtllmBenchMaxBatch,
  withLimitRatios,
} from '../../src/fidelity/backtest.js';
import { parseCsv } from '../../src/io/csv.js';
import { bundledMeasuredDir, loadMeasured } from '../../src/io/measured.js';
import { toAccelerator, toMechanisms, toModel } from '../../src/schema/convert.js';
import { REPO, runCli } from '../helpers/cli.js';
import { accelerator, bundled, workload } from '../helpers/data.js';

type PowerRowAsWritten = {
  id: string;
  measured_system_w_per_chip: number | null;
  predicted_system_w_per_chip: number;
};

const rows = loadMeasured([bundledMeasuredDir()]);
const { cases, unrepresentable } = resolveRows(bundled(), rows);
/** The 20 rows of published.csv: the ones the bundled profiles were calibrated on. */
const publishedCases = cases.filter((c) =>
  rows.find((r) => r.row.id === c.id)?.file.endsWith('published.csv'),
);

describe('backtest on the bundled measured results', () => {
  it('represents every bundled row', () => {
    // 424 rows, and the 74 cells of TensorRT-LLM's release-1.2 performance overview joined from
    // data/held-back (docs/accuracy.md, "TensorRT-LLM release 1.2 joins"): 17 (model, chip)
    // columns over five shapes, less the 11 cells the page leaves blank or has no row for; and
    // Google's two TPU v7 rows (forty-third session, "The first TPU v7 rows, and linear attention")
    // and six more (forty-fourth, "Six more TPU v7 rows: the first fit of TPU v7")
    expect(rows).toHaveLength(424 + 17 * 5 - 11 + 2 + 6);
    expect(unrepresentable).toEqual([]);
    const trt12 = rows.filter((r) => r.row.id.startsWith('trtllm12-'));
    expect(trt12).toHaveLength(74);
    expect(trt12.every((r) => r.file.endsWith('vendor-docs.csv'))).toBe(true);
    const oss = trt12.find((r) => r.row.id === 'trtllm12-b200-gptoss120b-dep2-8192-1024')?.row;
    expect(oss?.output_tokens_per_s_per_chip).toBe(6938);
    expect(oss?.chips_per_replica).toBe(2);
  });

  it("each row runs its own stack's kernels and admission, whichever stack's factors predict it (3a.14, 3b.7)", () => {
    // H200's profile defaults to trtllm; a DeepSeek row served by SGLang on it (a stack the profile
    // has no factors for) takes trtllm's factors but not its FP8 MLA kernel, and admits as SGLang
    const ds = cases.find((c) => c.row.model === 'deepseek-v3' && c.row.accelerator === 'h200-sxm');
    expect(ds?.row.stack).toBe('trtllm');
    expect(ds?.accelerator.fp8KvAttention).toBe(true);
    const [sglang] = resolveRows(bundled(), [
      {
        ...(rows.find((r) => r.row.id === ds?.id) as (typeof rows)[number]),
        row: { ...(ds?.row as (typeof rows)[number]['row']), stack: 'sglang' },
      },
    ]).cases;
    expect(sglang?.accelerator.stack).toBe('trtllm');
    expect(sglang?.accelerator.fp8KvAttention).toBe(false);
    expect(sglang?.accelerator.kvAdmission).toBe('reserve');
    for (const c of cases) expect(c.accelerator.fp8KvAttention).toBe(c.row.stack === 'trtllm');
  });

  it('the held-back rows (data/held-back) load and are representable, so they can join by a move', () => {
    const held = loadMeasured([join(REPO, 'data', 'held-back')]);
    const blog = held.filter((r) => r.row.id.startsWith('amd-blog-mi355x-'));
    // four MI355X rows from AMD's ROCm blog (docs/accuracy.md, "Four MI355X rows held back")
    expect(blog.map((r) => r.row.id)).toEqual([
      'amd-blog-mi355x-llama31-8b-bf16-tp1-sonnet1024-128-offline',
      'amd-blog-mi355x-llama31-8b-fp8-tp1-sonnet1024-128-offline',
      'amd-blog-mi355x-llama31-8b-mxfp4-tp1-sonnet1024-128-offline',
      'amd-blog-mi355x-llama31-8b-w4a6-tp1-sonnet1024-128-offline',
    ]);
    // input tokens from the blog's own totals: (65,725 - 7,878) / 61.5 = 940.6 -> 941
    expect(blog[0]?.row.input_tokens).toBe(941);
    // and 87 MI300X rows of AMD's tables at four later image releases (docs/accuracy.md, "Each
    // source weighted equally, and 87 MI300X rows held back"): 36 + 36 from two README commits,
    // 7 + 4 + 4 from three copies of AMD's performance-results page
    const later = held.filter((r) => r.row.accelerator === 'mi300x');
    expect(later).toHaveLength(87);
    expect(held).toHaveLength(4 + 87);
    expect(resolveRows(bundled(), held).unrepresentable).toEqual([]);
    const ids = new Set(held.map((r) => r.row.id));
    expect(rows.filter((r) => ids.has(r.row.id))).toEqual([]);
  });

  // The gate holds on the rows the profiles were calibrated on (published.csv, in sample). The
  // rows added from mlperf.csv and vendor-docs.csv do not meet it before a refit: see
  // docs/accuracy.md, "Backtest on the extended data (before any refit)".
  it('published.csv rows with a known input length: median |error| <= 15%, every row <= 35%', () => {
    expect(publishedCases).toHaveLength(20);
    const known = publishedCases.filter((c) => !c.row.input_assumed).map((c) => backtestCase(c));
    expect(known.length).toBeGreaterThanOrEqual(10);
    const s = summaries(known).find((x) => x.group === 'all');
    expect(s?.medianAbsErrorPct).toBeLessThanOrEqual(15);
    for (const r of known) expect(Math.abs(r.errorPct ?? 100), r.row.id).toBeLessThanOrEqual(35);
  });

  it("JSON and CSV say where each row's time goes, and the terms give back its throughput", async () => {
    const r = await runCli(['backtest', 'data/measured/published.csv', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout).rows as {
      chips_per_replica: number;
      output_tokens: number;
      predicted_output_tokens_per_s_per_chip: number;
      predicted_batch: number;
      predicted_bound: string;
      predicted_decode_step_s: number;
      predicted_decode_memory_s: number;
      predicted_decode_compute_s: number;
      predicted_decode_comm_s: number;
      predicted_decode_overhead_s: number;
      predicted_prefill_s: number;
    }[];
    expect(rows).toHaveLength(20);
    for (const x of rows) {
      // docs/model.md section 3: B requests take T(B) = B * t_pf + O * t_step(B), so a replica of
      // N chips makes X = B * O / T(B) / N output tokens per second per chip.
      const B = x.predicted_batch;
      const O = x.output_tokens;
      const T = B * x.predicted_prefill_s + O * x.predicted_decode_step_s;
      expect((B * O) / T / x.chips_per_replica).toBeCloseTo(x.predicted_output_tokens_per_s_per_chip, 6);
      expect(x.predicted_bound).toBe(
        x.predicted_decode_memory_s >= x.predicted_decode_compute_s ? 'memory' : 'compute',
      );
      // 3a.1: max(t_w, t_gemm) + max(t_kv, t_attn) + t_comm + t_step0 lies between
      // max(memory, compute) and memory + compute, each plus comm and overhead.
      const rest = x.predicted_decode_comm_s + x.predicted_decode_overhead_s;
      expect(x.predicted_decode_step_s).toBeLessThanOrEqual(
        x.predicted_decode_memory_s + x.predicted_decode_compute_s + rest + 1e-12,
      );
      expect(x.predicted_decode_step_s).toBeGreaterThanOrEqual(
        Math.max(x.predicted_decode_memory_s, x.predicted_decode_compute_s) + rest - 1e-12,
      );
    }
    const csv = await runCli(['backtest', 'data/measured/published.csv', '--format', 'csv']);
    const [header] = parseCsv(csv.stdout, 'stdout').map((l) => l.fields);
    expect(header).toEqual(
      expect.arrayContaining(['predicted_bound', 'predicted_decode_step_s', 'predicted_prefill_s']),
    );
  });

  it('prints the table and the summary, and lists what it cannot represent', async () => {
    const r = await runCli(['backtest']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nim-h100-70b-c100');
    // 262 before the 74 TensorRT-LLM release-1.2 rows joined (all with a published input); 336
    // before the two TPU v7 rows (forty-third session), 338 before the three Qwen3-Coder and three
    // Qwen3-32B rows (forty-fourth)
    expect(r.stdout).toMatch(/all, known input length +│ +344 │/);
    expect(r.stdout).toMatch(/stack +│ nim +│ +5 │/);
    const json = JSON.parse((await runCli(['backtest', '--format', 'json'])).stdout);
    expect(json.rows).toHaveLength(506);
    expect(json.rows[0].stack).toBe('trtllm');
    expect(json.summary.map((s: { kind: string; group: string }) => `${s.kind}:${s.group}`)).toEqual([
      'accelerator:b200',
      'accelerator:gb200',
      'accelerator:h100-sxm',
      'accelerator:h200-sxm',
      'accelerator:inferentia2',
      'accelerator:mi300x',
      'accelerator:mi325x',
      'accelerator:mi355x',
      'accelerator:tpu-v6e-trillium',
      'accelerator:tpu-v7-ironwood',
      'accelerator:trainium2',
      'stack:llmboost',
      'stack:nim',
      'stack:nxdi',
      'stack:sglang',
      'stack:transformers-neuronx',
      'stack:trtllm',
      'stack:vllm',
      'stack:vllm-neuron',
      'stack:vllm-tpu',
      'all:all',
      'all:all, known input length',
      'all:tokens per joule (MLPerf Power rows)',
      'all:system power per chip (MLPerf Power rows)',
    ]);
    // Power at the operating point (docs/model.md 6.1), at the rows as written (512 input tokens,
    // where the power model was fitted): within 6.5% of MLPerf's measured wall power on the thirteen
    // H100 MaxQ (NVIDIA and Dell), H200 MaxQ and B200 Llama 2 70B, Mixtral and 405B rows (-6.1% to
    // +3.9% with idle 0.68 and host load 0.63, seventeenth session, after the six Inferentia2 rows
    // moved the pooled fit; -5.9% to +4.1% with 0.69 before; within 5% on the eleven rows before
    // Dell's two joined); nameplate (1.7 x TDP for B200: 1,700 W) was 31% above its
    // 1,300 W. Lenovo's two B200 Llama 3.1 8B rows (1,180 and 1,126 W per GPU) are the known miss:
    // the model charges them about what it charges Llama 2 70B (docs/accuracy.md, "Power and
    // tokens per joule"), +8.4% and +13.2% over.
    const asWritten = JSON.parse(
      (await runCli(['backtest', '--mechanisms', 'latent_input=off', '--format', 'json'])).stdout,
    );
    const power = asWritten.summary.find(
      (s: { group: string }) => s.group === 'system power per chip (MLPerf Power rows)',
    );
    expect(power.rows).toBe(15);
    const powerErrors = (asWritten.rows as PowerRowAsWritten[])
      .filter((r) => r.measured_system_w_per_chip !== null)
      .map((r) => ({
        id: r.id,
        pct: (r.predicted_system_w_per_chip / (r.measured_system_w_per_chip as number) - 1) * 100,
      }));
    const eightB = powerErrors.filter((e) => e.id.includes('llama3.1-8b'));
    expect(eightB).toHaveLength(2);
    for (const e of eightB) expect(e.pct).toBeGreaterThan(5);
    for (const e of powerErrors.filter((x) => !x.id.includes('llama3.1-8b')))
      expect(Math.abs(e.pct)).toBeLessThan(6.5);
    // At the datasets' estimated inputs (12b) the power model misses where the prompts are long:
    // Llama 3.1 405B at ~9,700 tokens reads as compute-bound prefill and is predicted above the
    // 1,196-1,236 W per chip measured (+4.9% and +8.7% with prefill's activity, fifteenth session;
    // docs/accuracy.md, "Input lengths nobody published"), and
    // Mixtral's H200 rows at ~1,000 tokens move to about +5%. The median was under 5% (4.4%) until
    // the twenty-ninth session's refit: 5.2% since, with B200's Llama 2 70B rows at -5.2..-5.6%
    // and 405B's estimated input at 10,624 tokens (docs/accuracy.md, "TensorRT-LLM release 1.2 joins");
    // 5.14% since the forty-sixth session's power cap (docs/model.md 6.2) slowed the MaxQ rows and
    // moved the datasets' estimated inputs.
    const atEstimate = json.summary.find(
      (s: { group: string }) => s.group === 'system power per chip (MLPerf Power rows)',
    );
    expect(atEstimate.median_abs_error_pct).toBeCloseTo(5.14, 1);
    type PowerRow = {
      id: string;
      measured_system_w_per_chip: number | null;
      predicted_system_w_per_chip: number;
    };
    const over405b = (json.rows as PowerRow[]).filter(
      (r) => r.measured_system_w_per_chip !== null && r.id.includes('405b'),
    );
    expect(over405b).toHaveLength(2);
    // (twentieth session: +3.4% and more, as the refit after gpt-oss-120b's published input moved
    // Llama 3.1 405B's estimated input; above 4% before)
    for (const r of over405b)
      expect(r.predicted_system_w_per_chip / (r.measured_system_w_per_chip as number), r.id).toBeGreaterThan(
        1.03,
      );
    const published = JSON.parse(
      (await runCli(['backtest', 'data/measured/published.csv', '--format', 'json'])).stdout,
    );
    expect(
      published.summary.find((s: { group: string }) => s.group === 'all, known input length'),
    ).toMatchObject({
      rows: 10,
    });
  });
});

describe('calibrating H100 on the TensorRT-LLM rows alone, then the NIM concurrency sweep', () => {
  const h100 = publishedCases.filter((c) => c.accelerator.id === 'h100-sxm');
  const trt = h100.filter((c) => c.id.startsWith('trtllm-'));
  const nim = h100.filter((c) => c.id.startsWith('nim-'));
  const assumedStart: Efficiency = {
    etaMem: 0.57,
    etaPrefill: 0.655,
    etaDecode: 0.3,
    etaLink: 0.69,
    tStep0S: 0.00344,
  };
  const fit = fitEfficiency(trt, ['etaMem', 'etaPrefill', 'etaDecode', 'tStep0S', 'etaLink'], assumedStart);

  it('fits the two TensorRT-LLM rows within half the noise floor of the source (two versions differ by ~10%)', () => {
    expect(trt.map((c) => c.id)).toEqual(['trtllm-h100-8b', 'trtllm-h100-70b-tp2']);
    // Under section 3 alone the fit left under 2%; with the per-operator roofline (3a.1, on by
    // default) the same five factors leave 2.3% on one of the two rows.
    for (const c of trt) expect(Math.abs(backtestCase(c, fit.efficiency).errorPct ?? 100)).toBeLessThan(5);
  });

  // Until the tenth session a test here held these five factors, fitted on two rows, to 25% on the
  // NIM sweep. With 3a.8 on (attention below the GEMMs' efficiency) the two-row fit misses the
  // batch-1 row by 31%; held out and predicted as compare predicts it (the hierarchy of section
  // 12a), the sweep is at 12-14%, and that is what test/fidelity/cv.test.ts now checks
  // (docs/accuracy.md, "Attention below the GEMMs' efficiency").

  it('predicts the flattening near the KV-memory limit', () => {
    const [c50, c100] = [nim[3], nim[4]].map((c) => predictCase(c as CalibrationCase, fit.efficiency));
    // 100 requests do not fit: (2 * 80 * 2^30 * 0.9 - 70.6e9) / (5500 * 163840)
    //   = (154.62e9 - 70.6e9) / 901.12e6 = 93.2 -> 93 sequences (NVIDIA's data flattens near 86-90)
    expect(c100?.batch).toBe(93);
    expect(c100?.batchCappedFrom).toBe(100);
    // doubling the concurrency from 50 to 100 buys far less than double: measured 458.6 / 407.2 = 1.13
    const gain = (c100?.tokensPerSPerChip ?? 0) / (c50?.tokensPerSPerChip ?? 1);
    expect(gain).toBeGreaterThan(1);
    expect(gain).toBeLessThan(1.25);
  });
});

describe('calibration recovers known factors', () => {
  // Synthetic measurements from the engine itself over setups that exercise every factor:
  // memory-bound small batches, compute-bound large batches of short sequences, long prompts.
  const h100 = toAccelerator(bundled().accelerators.get('h100-sxm')?.value as never);
  const setups = [
    { model: 'llama-3.1-8b', input: 128, output: 64, batches: [1, 64, 1024] },
    { model: 'llama-3.3-70b', input: 4000, output: 200, batches: [1, 16] },
    { model: 'llama-3.1-8b', input: 2000, output: 500, batches: [8, 128] },
  ];
  const template: CalibrationCase[] = setups.flatMap((s) =>
    s.batches.map((b) => ({
      id: `${s.model}-${s.input}-${b}`,
      accelerator: h100,
      workload: workload({
        model: s.model,
        precision: { weights: 'fp8', activations: 'fp8', kv_cache: 'fp8' },
        input_tokens: s.input,
        output_tokens: s.output,
        deployment: { replica_chips: [1], batch: b },
      }),
      measuredTokensPerSPerChip: 1,
    })),
  );

  it('from rows the engine itself produced, to within 1%', () => {
    fc.assert(
      fc.property(
        fc.record({
          etaMem: fc.double({ min: 0.5, max: 0.95, noNaN: true }),
          etaPrefill: fc.double({ min: 0.3, max: 0.9, noNaN: true }),
          etaDecode: fc.double({ min: 0.2, max: 0.6, noNaN: true }),
          tStep0S: fc.double({ min: 0.001, max: 0.008, noNaN: true }),
        }),
        (truth) => {
          const known: Efficiency = { ...truth, etaLink: 0.7 };
          const synthetic = template.flatMap((c) => {
            const p = predictCase(c, known);
            return p
              ? [{ ...c, measuredTokensPerSPerChip: p.tokensPerSPerChip, measuredTpotS: p.tpotS }]
              : [];
          });
          expect(synthetic).toHaveLength(template.length);
          const start: Efficiency = {
            etaMem: 0.57,
            etaPrefill: 0.655,
            etaDecode: 0.3,
            etaLink: 0.7,
            tStep0S: 0.0034,
          };
          const fit = fitEfficiency(synthetic, ['etaMem', 'etaPrefill', 'etaDecode', 'tStep0S'], start);
          for (const f of ['etaMem', 'etaPrefill', 'etaDecode', 'tStep0S'] as const) {
            expect(Math.abs(fit.efficiency[f] / known[f] - 1), f).toBeLessThan(0.01);
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});

/** A user's measured file with the columns a lab would fill (data/measured/README.md). */
const USER_ROWS_HEADER =
  'id,accelerator,chips_per_replica,model,weights,activations,kv_cache,input_tokens,input_assumed,output_tokens,scenario,concurrency,output_tokens_per_s_per_chip,stack,source,notes';

describe('infercost calibrate', () => {
  it('writes a profile with fitted factors marked calibrated, the rows and the error', async () => {
    const r = await runCli(['calibrate', 'data/measured/published.csv', '--accelerator', 'h200-sxm']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('calibrated h200-sxm on 2 row(s): trtllm-h200-8b, trtllm-h200-70b');
    expect(r.stdout).toMatch(/eta_mem: \{ value: [0-9.]+, status: calibrated \}/);
    expect(r.stdout).toContain('calibration:\n  rows:\n    - trtllm-h200-8b\n    - trtllm-h200-70b');
    expect(r.stdout.startsWith('# yaml-language-server: $schema=')).toBe(true);
  });

  it("the written profile runs with the fit: it goes into the default stack's entry, whose factors compare uses", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const out = join(dir, 'h200-sxm.yaml');
    const r = await runCli([
      'calibrate',
      'data/measured/published.csv',
      '--accelerator',
      'h200-sxm',
      '--output',
      out,
    ]);
    expect(r.code).toBe(0);
    const written = readFileSync(out, 'utf8');
    // Before, only the `efficiency` block changed, which a profile with stacks never reads.
    const entry = /\n {2}trtllm:\n {4}level: pair\n {4}efficiency: \{ eta_mem: ([0-9.]+),/.exec(written);
    expect(entry).not.toBeNull();
    expect(written).toContain('(data/measured/published.csv)');
    const c = await runCli([
      '--profiles',
      dir,
      'compare',
      'chat',
      '--accelerators',
      'h200-sxm',
      '--format',
      'json',
    ]);
    expect(c.stderr).toBe('');
    const a = JSON.parse(c.stdout).results[0].accelerators[0];
    expect(a.efficiency.eta_mem).toEqual({ value: Number(entry?.[1]), calibrated: true });
  });

  it('its summary wraps to the width of a terminal on stderr; piped, each line stays whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const args = ['calibrate', '--accelerator', 'h100-sxm', '-o', join(dir, 'h100-sxm.yaml')];
    const tty = await runCli(args, { stderrIsTty: true, stderrColumns: 60 });
    const piped = await runCli(args);
    expect([tty.code, piped.code]).toEqual([0, 0]);
    const ttyLines = tty.stderr.trimEnd().split('\n');
    // Before, the row ids made one line of 1,285 columns and the stack note one of 132.
    expect(Math.max(...ttyLines.map((l) => l.length))).toBeLessThanOrEqual(60);
    expect(ttyLines[1]).toMatch(/^ {4}\S/); // a continuation is indented under its line
    const pipedLines = piped.stderr.trimEnd().split('\n');
    expect(pipedLines[0]?.length).toBeGreaterThan(1000);
    expect(pipedLines[0]).toMatch(/^calibrated h100-sxm on \d+ row\(s\): trtllm-h100-8b, /);
    // The same words, only broken into lines.
    expect(tty.stderr.replace(/\s+/g, '')).toBe(piped.stderr.replace(/\s+/g, ''));
  });

  it('a factor fitted to the wall of its range is warned of; an output that is a folder is refused before the fit', async () => {
    // H100's 28 TensorRT-LLM rows alone, without the hierarchy's pull: eta_prefill runs to 1 and
    // t_step0 to 2.855e-6 ms (its bundled pair fit gives 0.7157 and 3.014 ms).
    const r = await runCli(['calibrate', '--accelerator', 'h100-sxm']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('  eta_prefill: 0.7157 -> 1\n');
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(
      '  warning: eta_prefill, t_step0_ms ran to the edge of their physical range (an eta 0 or 1, t_step0 0 or 50 ms): these rows do not pin them; give more rows or fewer --factors before using this profile',
    );
    // Two rows that pin eta_mem inside its range: no warning.
    const pinned = await runCli(['calibrate', 'data/measured/published.csv', '--accelerator', 'h200-sxm']);
    expect(pinned.stderr).not.toContain('warning');
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const folder = await runCli(['calibrate', '--accelerator', 'h100-sxm', '-o', dir]);
    // Before, the fit ran and its report was printed, then the write failed.
    expect([folder.code, folder.stdout, folder.stderr]).toEqual([
      2,
      '',
      `infercost: ${dir} cannot write the output file: it is a directory\n`,
    ]);
  });

  it('calibrate --all on a file of ones own names that file in the sources it writes, and says the bundled fits are replaced', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const rows = join(dir, 'mine.csv');
    writeFileSync(
      rows,
      [
        USER_ROWS_HEADER,
        'c3,h100-sxm,1,llama-3.1-8b,fp8,fp8,fp8,1000,false,1000,fixed_concurrency,32,3000,vllm,my lab,',
      ].join('\n'),
    );
    const out = join(dir, 'out');
    mkdirSync(out);
    const r = await runCli(['calibrate', '--all', rows, '--output-dir', out]);
    expect(r.code).toBe(0);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(
      `the profiles written hold fits on ${rows} alone: their stacks replace the bundled ones fitted on data/measured (to fit on both, give the folder data/measured and your files outside it)`,
    );
    const written = readFileSync(join(out, 'h100-sxm.yaml'), 'utf8');
    // It said "on data/measured", which the fit never read.
    expect(written).toContain(
      `source: "infercost calibrate --all on ${rows}: this chip's vllm fit on 1 rows`,
    );
    expect(written).not.toContain('calibrate --all on data/measured');
  });

  it('with one measured row fits only the factor that row constrains, and says so', async () => {
    const r = await runCli(['calibrate', 'data/measured/published.csv', '--accelerator', 'b200']);
    const factor = /one measured row constrains one factor: fitted ([a-z0-9_]+) only/.exec(r.stderr)?.[1];
    expect(factor).toBeDefined();
    expect(r.stdout).toMatch(new RegExp(`${factor}: \\{ value: [0-9.e-]+, status: calibrated \\}`));
  });

  it('--mechanisms is checked and fitted with; rows the engine cannot run are no calibration (exit 2, no undefined%)', async () => {
    const bogus = await runCli([
      'calibrate',
      'data/measured/published.csv',
      '--accelerator',
      'h200-sxm',
      '--mechanisms',
      'bogus',
    ]);
    expect([bogus.code, bogus.stdout]).toEqual([2, '']);
    expect(bogus.stderr).toMatch(/^infercost: --mechanisms bogus: expected name=on\|off/);
    // The whole list and its hint (cut at 300 characters, it ended "finite_requests, p...").
    expect(bogus.stderr).toMatch(/, layout_pairs \(or all, none\)\n$/);
    // The same rows fitted with every correction off and with the defaults start from different
    // predictions: before, --mechanisms was read and dropped, and both printed the same line.
    const medianBefore = async (m: string) =>
      /median \|error\| ([0-9.]+)% ->/.exec(
        (
          await runCli([
            'calibrate',
            'data/measured/published.csv',
            '--accelerator',
            'h200-sxm',
            '--mechanisms',
            m,
          ])
        ).stderr,
      )?.[1];
    expect(await medianBefore('none')).not.toBe(await medianBefore('all'));
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const file = join(dir, 'long.csv');
    const header = readFileSync('data/measured/vendor-docs.csv', 'utf8').split('\n')[0];
    // 10,000,000 input tokens: beyond Llama 3.1 8B's 131,072-token context, so no prediction.
    writeFileSync(
      file,
      `${header}\nqa-long,h100-sxm,1,llama-3.1-8b,fp8,fp8,fp8,10000000,false,1000,max_throughput,,,,,,5000,,,trtllm,,1,,,,QA,https://example.com/a,"qa"\n`,
    );
    const long = await runCli(['calibrate', file, '--accelerator', 'h100-sxm']);
    expect([long.code, long.stdout]).toEqual([2, '']);
    expect(long.stderr).toMatch(/^infercost: no measured rows for h100-sxm that the engine can represent/);
    expect(long.stderr).not.toContain('undefined');
  });

  it('H100, H200, B200 and GB200 are calibrated on TensorRT-LLM, MI300X on vLLM, TPU v6e on vLLM TPU, each naming its rows', () => {
    for (const [id, stack, atLeast] of [
      ['h100-sxm', 'trtllm', 5],
      ['h200-sxm', 'trtllm', 5],
      ['b200', 'trtllm', 5],
      ['gb200', 'trtllm', 5],
      ['mi300x', 'vllm', 39],
      ['tpu-v6e-trillium', 'vllm-tpu', 2],
    ] as const) {
      const p = bundled().accelerators.get(id)?.value;
      const entry = p?.stacks?.[stack];
      expect([id, p?.default_stack, entry?.level]).toEqual([id, stack, 'pair']);
      expect(entry?.fitted_on?.length, id).toBeGreaterThanOrEqual(atLeast);
    }
  });

  it("no stated interval is narrower than the chip's own cross-validated error on that stack", () => {
    let moeChecked = 0;
    for (const [id, e] of bundled().accelerators) {
      for (const [stack, entry] of Object.entries(e.value.stacks ?? {})) {
        // Section 11, per model kind: the dense interval against the dense rows' error, the MoE
        // interval against the MoE rows'.
        for (const [kind, iv, cv] of [
          ['dense', entry.interval_pct, entry.cv],
          ['moe', entry.moe_interval_pct, entry.moe_cv],
        ] as const) {
          if (!cv || !iv) continue;
          if (kind === 'moe') moeChecked++;
          expect(-iv.low, `${id} ${stack} ${kind} low`).toBeGreaterThanOrEqual(
            Math.min(cv.median_abs_error_pct, 95) - 1e-6,
          );
          expect(iv.high, `${id} ${stack} ${kind} high`).toBeGreaterThanOrEqual(
            cv.median_abs_error_pct - 1e-6,
          );
        }
      }
    }
    // B200, GB200, H100, H200 (TensorRT-LLM), MI300X (vLLM) and Trainium2 have MoE rows of their own.
    expect(moeChecked).toBeGreaterThanOrEqual(6);
  });
});

describe('ranges in compare', () => {
  it('tpu-v7-ironwood, trainium3 and tpu-v6e-trillium carry low/expected/high for each ranged metric', async () => {
    const r = await runCli(['compare', 'profiles/workloads/chat.yaml', '--format', 'json']);
    const accs = JSON.parse(r.stdout).results[0].accelerators as {
      id: string;
      ranges: Record<string, { low: number; expected: number; high: number }> | null;
    }[];
    for (const id of ['tpu-v7-ironwood', 'trainium3', 'tpu-v6e-trillium']) {
      const ranges = accs.find((a) => a.id === id)?.ranges;
      expect(ranges, id).not.toBeNull();
      for (const k of [
        'output_tokens_per_s_per_chip',
        'output_tokens_per_usd',
        'usd_per_mtok_output',
        'tokens_per_joule_output',
      ]) {
        const b = ranges?.[k];
        expect(b?.low, `${id} ${k}`).toBeLessThan(b?.expected ?? 0);
        expect(b?.expected, `${id} ${k}`).toBeLessThan(b?.high ?? 0);
      }
    }
    // calibrated chips state their cross-validated interval too
    expect(accs.find((a) => a.id === 'h100-sxm')?.ranges).not.toBeNull();
    const table = await runCli(['compare', 'profiles/workloads/chat.yaml']);
    expect(table.stdout).toMatch(/maia-200 .*│ vllm\* .*│ +-\d+%\.\.\+\d+% │/);
    expect(table.stdout).toMatch(/h100-sxm \(base\) .*│ trtllm .*│ +-\d+%\.\.\+\d+% │/);
    const hidden = await runCli(['compare', 'profiles/workloads/chat.yaml', '--no-ranges']);
    expect(hidden.stdout).not.toContain('Range');
  });
});

describe('docs/model.md 6.2: a power cap states its pessimistic clock in the range', () => {
  it("an H100 MaxQ row (450 W of 700) lowers its stated low by its throughput at 450/700 of the clock, at most by the GEMMs' (450/700)^(2/3) = 0.745", () => {
    const c = cases.find((x) => x.id === 'mlperf40-h100-maxq-llama2-offline-nvidia-power');
    if (!c) throw new Error('row missing');
    const eff = c.accelerator.efficiency;
    const r = backtestCase(c, eff);
    const p = predictCase(c, eff);
    const slow = predictCase(
      { ...c, workload: { ...c.workload, site: { ...c.workload.site, powerCapClockExponent: 1 } } },
      eff,
    );
    if (!p || !slow || r.estimateLowRatio === undefined || r.statedLow === undefined)
      throw new Error('no prediction');
    expect(r.estimateLowRatio).toBeCloseTo(slow.tokensPerSPerChip / p.tokensPerSPerChip, 12);
    // Offline: no latency limit moves the batch, so only the matrix time slows, by at most
    // 0.642857 / 0.86305 = 0.7449 (0.642857^(2/3))
    expect(r.estimateLowRatio).toBeGreaterThanOrEqual(0.7449);
    expect(r.estimateLowRatio).toBeLessThan(1);
    const iv = c.accelerator.intervalLog;
    if (!iv) throw new Error('H100 states an interval');
    expect(r.statedLow).toBeCloseTo(p.tokensPerSPerChip * Math.exp(iv[0]) * r.estimateLowRatio, 9);
    expect(r.statedHigh).toBeCloseTo(p.tokensPerSPerChip * Math.exp(iv[1]), 9);
    // the same chip's uncapped row: no widening
    const uncapped = cases.find((x) => x.id === 'mlperf40-h100-llama2-offline-nvidia');
    if (!uncapped) throw new Error('row missing');
    const free = backtestCase(uncapped, eff);
    expect(free.prediction).toBeDefined();
    expect(free.estimateLowRatio).toBeUndefined();
  });

  it('compare --set site.power_cap_w=450: H100 states a wider low end, the same high end', async () => {
    const run = async (extra: string[]) => {
      const r = await runCli([
        'compare',
        'profiles/workloads/chat.yaml',
        '--accelerators',
        'h100-sxm',
        '--format',
        'json',
        ...extra,
      ]);
      expect(r.code).toBe(0);
      const b = JSON.parse(r.stdout).results[0].accelerators[0].ranges.output_tokens_per_s_per_chip;
      return { low: b.low / b.expected, high: b.high / b.expected };
    };
    const free = await run([]);
    const capped = await run(['--set', 'site.power_cap_w=450']);
    expect(capped.low).toBeLessThan(free.low);
    expect(capped.high).toBeCloseTo(free.high, 9);
  });
});

describe("docs/model.md 11: an estimated collective latency states its ends in a row's range", () => {
  it("Inferentia2's Llama 3.1 8B batch-1 row (12 chips): the high end at 58 us, the low at 300 us", () => {
    const c = cases.find((x) => x.id === 'neuron-inf2-llama3-8b-int8-tp24-bs1-128-3968');
    if (!c) throw new Error('row missing');
    const eff = c.accelerator.efficiency;
    const r = backtestCase(c, eff);
    const at = (alphaS: number) =>
      predictCase({ ...c, accelerator: { ...c.accelerator, collectiveLatencyS: alphaS } }, eff);
    const [p, fast, slow] = [at(132e-6), at(58e-6), at(300e-6)];
    if (!p || !fast || !slow || r.statedLow === undefined || r.statedHigh === undefined)
      throw new Error('no prediction');
    expect(r.prediction?.tokensPerSPerChip).toBeCloseTo(p.tokensPerSPerChip, 9);
    expect(r.estimateHighRatio).toBeCloseTo(fast.tokensPerSPerChip / p.tokensPerSPerChip, 12);
    expect(r.estimateLowRatio).toBeCloseTo(slow.tokensPerSPerChip / p.tokensPerSPerChip, 12);
    // 32 layers x 2 all-reduces at 132 us are 8.45 ms of a batch-1 step: 58 us saves 4.74 ms of it.
    expect(r.estimateHighRatio).toBeGreaterThan(1.3);
    expect(r.estimateLowRatio).toBeLessThan(1);
    const iv = c.accelerator.intervalLog;
    if (!iv) throw new Error('Inferentia2 states an interval');
    expect(r.statedLow).toBeCloseTo(p.tokensPerSPerChip * Math.exp(iv[0]) * (r.estimateLowRatio ?? 0), 9);
    expect(r.statedHigh).toBeCloseTo(p.tokensPerSPerChip * Math.exp(iv[1]) * (r.estimateHighRatio ?? 0), 9);
    // An H100 row at the profile's 5 us, which states no range: neither ratio.
    const h100 = cases.find((x) => x.id === 'mlperf40-h100-llama2-offline-nvidia');
    if (!h100) throw new Error('row missing');
    const free = backtestCase(h100, h100.accelerator.efficiency);
    expect(free.estimateHighRatio).toBeUndefined();
    expect(free.estimateLowRatio).toBeUndefined();
  });
});

describe('measured-result files', () => {
  it('parse RFC 4180 CSV with quoted commas, quotes and line breaks, keeping line numbers', () => {
    const recs = parseCsv('a,b\r\n"x, y","say ""hi"""\n"multi\nline",z\n', 'x.csv');
    expect(recs.map((r) => r.fields)).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['multi\nline', 'z'],
    ]);
    expect(recs.map((r) => r.line)).toEqual([1, 2, 3]);
    expect(recs[1]?.columns).toEqual([1, 8]);
  });

  it('a folder with no .csv file is one line, exit 2, not a backtest of no rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const r = await runCli(['backtest', dir]);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      `infercost: ${dir} no .csv file in this directory\n`,
    ]);
  });

  it('refuse a quote left open or text after a closing quote, at the place, rather than lose the rows after it', () => {
    // Line 2 opens a quote that line 3's `"ok"` would close: read leniently, row 3 vanishes into
    // row 2's last field.
    expect(() => parseCsv('a,b\n1,"open\n2,"ok"\n', 'x.csv')).toThrow(
      'x.csv:3:4 text after a closing quote (a quote inside a quoted field is written twice: "")',
    );
    expect(() => parseCsv('a,b\n1,2\n3,"never closed\n', 'x.csv')).toThrow(
      'x.csv:3:3 quoted field never closed (a missing ")',
    );
  });

  it("a user's file without the optional columns loads; without stack, backtest assumes the chip's default stack", async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const mine = join(dir, 'mine.csv');
    writeFileSync(
      mine,
      [
        'id,accelerator,chips_per_replica,model,weights,activations,kv_cache,input_tokens,input_assumed,output_tokens,scenario,output_tokens_per_s_per_chip,stack,source',
        'my-h100,h100-sxm,1,llama-3.1-8b,fp8,fp8,fp8,1000,false,1000,max_throughput,12000,vllm,my lab',
      ].join('\n'),
    );
    const [row] = loadMeasured([mine]);
    expect(row?.row).toEqual({
      id: 'my-h100',
      accelerator: 'h100-sxm',
      chips_per_replica: 1,
      model: 'llama-3.1-8b',
      weights: 'fp8',
      activations: 'fp8',
      kv_cache: 'fp8',
      input_tokens: 1000,
      input_assumed: false,
      output_tokens: 1000,
      scenario: 'max_throughput',
      output_tokens_per_s_per_chip: 12000,
      stack: 'vllm',
      source: 'my lab',
    });
    const noStack = join(dir, 'no-stack.csv');
    writeFileSync(
      noStack,
      [
        'id,accelerator,chips_per_replica,model,weights,activations,kv_cache,input_tokens,input_assumed,output_tokens,scenario,output_tokens_per_s_per_chip,source',
        'my-h100,h100-sxm,1,llama-3.1-8b,fp8,fp8,fp8,1000,false,1000,max_throughput,12000,my lab',
      ].join('\n'),
    );
    expect(loadMeasured([noStack])[0]?.row.stack).toBeUndefined();
    const r = await runCli(['backtest', noStack, '--format', 'json']);
    const out = JSON.parse(r.stdout).rows[0];
    expect([r.code, out.stack, out.stack_assumed, out.predicted_with_stack]).toEqual([
      0,
      'trtllm',
      true,
      'trtllm',
    ]);
    // The table marks the assumed stack as JSON does (it showed a plain "trtllm").
    const table = await runCli(['backtest', noStack]);
    expect(table.stdout).toContain('│ my-h100 │ trtllm^ │');
    expect(table.stdout).toContain("^ the row names no stack; the chip's default stack is assumed");
    // A stack H100 has no factors for keeps its label and says whose factors predicted it.
    const unseen = join(dir, 'unseen.csv');
    writeFileSync(
      unseen,
      readFileSync(noStack, 'utf8')
        .replace(',source\n', ',source,stack\n')
        .replace('my lab', 'my lab,sglang-x'),
    );
    const u = JSON.parse((await runCli(['backtest', unseen, '--format', 'json'])).stdout).rows[0];
    expect([u.stack, u.stack_assumed, u.predicted_with_stack]).toEqual(['sglang-x', false, 'trtllm']);
    expect(u.predicted_output_tokens_per_s_per_chip).toBe(out.predicted_output_tokens_per_s_per_chip);
    expect(out.stated_low).toBeLessThan(out.predicted_output_tokens_per_s_per_chip);
    expect(out.stated_high).toBeGreaterThan(out.predicted_output_tokens_per_s_per_chip);
  });

  it('a bad cell is one located line, exit 2', async () => {
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const lines = readFileSync('data/measured/published.csv', 'utf8').split('\n');
    const bad = join(dir, 'bad.csv');
    writeFileSync(
      bad,
      [lines[0], (lines[12] as string).replace(',1,llama-3.1-8b,', ',0,llama-3.1-8b,')].join('\n'),
    );
    const r = await runCli(['backtest', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`infercost: ${bad}:2:25 chips_per_replica: expected a positive number, got 0\n`);
    // A cell that is not a number is quoted as the file has it, not as the NaN it reads as.
    writeFileSync(
      bad,
      [lines[0], (lines[12] as string).replace(',1,llama-3.1-8b,', ',abc,llama-3.1-8b,')].join('\n'),
    );
    const text = await runCli(['backtest', bad]);
    expect(text.stderr).toBe(`infercost: ${bad}:2:25 chips_per_replica: expected a number, got "abc"\n`);
    // Hex, binary and octal are not what a results file means (Number() read "0x8" as 8).
    for (const cell of ['0x8', '0b1000', '0o10']) {
      writeFileSync(
        bad,
        [lines[0], (lines[12] as string).replace(',1,llama-3.1-8b,', `,${cell},llama-3.1-8b,`)].join('\n'),
      );
      const odd = await runCli(['backtest', bad]);
      expect([odd.code, odd.stderr]).toEqual([
        2,
        `infercost: ${bad}:2:25 chips_per_replica: expected a number, got "${cell}"\n`,
      ]);
    }
    // A storage width under the narrowest format's 4 bits, or twice the format's own, is a typo
    // (fp4@0 predicted 12,550 tok/s); fp8@7.25, a mix's average (mlperf.csv), stays readable.
    for (const [cell, words] of [
      ['fp4@0', "fp4's width is at least 4 bits per element (a mix's average) and under 8 (twice its own"],
      ['bf16@3', "bf16's width is at least 4 bits per element (a mix's average) and under 32 (twice its own"],
      ['fp8@16', "fp8's width is at least 4 bits per element (a mix's average) and under 16 (twice its own"],
    ] as const) {
      writeFileSync(
        bad,
        [lines[0], (lines[12] as string).replace(',fp8,fp8,fp8,', `,${cell},fp8,fp8,`)].join('\n'),
      );
      const odd = await runCli(['backtest', bad]);
      expect([odd.code, odd.stderr]).toEqual([
        2,
        `infercost: ${bad}:2:40 weights: ${words}, with its scales), got "${cell}"\n`,
      ]);
    }
  });

  it('a row beyond its model context is predicted and named on stderr (compare refuses the workload)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const file = join(dir, 'long.csv');
    const lines = readFileSync('data/measured/published.csv', 'utf8').split('\n');
    // trtllm-h200-8b at 200,000 in + 1,000 out, on Llama 3.1 8B's 131,072 tokens
    writeFileSync(
      file,
      [lines[0], (lines[12] as string).replace(',1000,false,1000,', ',200000,false,1000,')].join('\n'),
    );
    const r = await runCli(['backtest', file, '--format', 'csv']);
    expect([r.code, r.stderr]).toEqual([
      0,
      "infercost: 1 of 1 rows run beyond their model's context length and are predicted as measured (compare would refuse them): trtllm-h200-8b: 201,000 tokens on llama-3.1-8b's 131,072\n",
    ]);
    expect(r.stdout.split('\n')[1]).toMatch(/^trtllm-h200-8b,/);
  });

  it("a user's chip with no stacks: states no range in compare and backtest, and says so; its rows name the factors used", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const profile = readFileSync('profiles/accelerators/h100-sxm.yaml', 'utf8').replace(
      'id: h100-sxm',
      'id: my-h100',
    );
    // The bundled H100 renamed, its default_stack and stacks (the file's last blocks) cut off.
    writeFileSync(join(dir, 'my-h100.yaml'), profile.slice(0, profile.indexOf('\ndefault_stack:') + 1));
    const c = await runCli([
      '--profiles',
      dir,
      'compare',
      'chat',
      '--accelerators',
      'my-h100',
      '--format',
      'json',
    ]);
    const a = JSON.parse(c.stdout).results[0].accelerators[0];
    expect([c.code, a.ranges, a.warnings.map((w: { code: string }) => w.code)]).toEqual([
      0,
      null,
      ['NO_RANGE'],
    ]);
    const rows = join(dir, 'rows.csv');
    writeFileSync(
      rows,
      [
        USER_ROWS_HEADER,
        'c2,my-h100,1,llama-3.1-8b,fp8,fp8,fp8,1000,false,1000,fixed_concurrency,32,3000,vllm,my lab,',
      ].join('\n'),
    );
    const b = await runCli(['--profiles', dir, 'backtest', rows]);
    expect([b.code, b.stderr]).toEqual([
      0,
      'infercost: my-h100 states no range: no stacks: entry with a cross-validated interval (calibrate --all writes one) and no low/high on an assumed efficiency factor, so its rows have no stated_low/stated_high (docs/model.md section 11)\n',
    ]);
    // It showed "vllm", as if vLLM's factors made the prediction.
    expect(b.stdout).toContain('│ vllm (as its profile) │');
  });

  it('a file given twice is said to be, not a duplicate id against itself', async () => {
    const r = await runCli(['backtest', 'data/measured/published.csv', 'data/measured/published.csv']);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      'infercost: data/measured/published.csv is given twice: give each file once\n',
    ]);
    // Through a symlink too: the same file.
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const link = join(dir, 'pub.csv');
    symlinkSync(join(REPO, 'data/measured/published.csv'), link);
    const linked = await runCli(['backtest', 'data/measured/published.csv', link]);
    expect([linked.code, linked.stderr]).toEqual([
      2,
      `infercost: ${link} is given twice: give each file once\n`,
    ]);
  });

  it('a row cut short is named as one, with the first required column it lacks (was "activations: missing")', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const file = join(dir, 'short.csv');
    const lines = readFileSync('data/measured/vendor-docs.csv', 'utf8').split('\n');
    const header = lines[0] as string;
    writeFileSync(file, [header, (lines[1] as string).split(',').slice(0, 5).join(',')].join('\n'));
    const r = await runCli(['backtest', file]);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      `infercost: ${file}:2:1 5 fields, but the header names ${header.split(',').length} columns (a row cut short?): no activations\n`,
    ]);
  });

  it('a required column missing from the header is named once, at the header, all of them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const file = join(dir, 'mine.csv');
    // input_assumed and source left out; stack is optional, so its absence is no error.
    writeFileSync(
      file,
      [
        'id,accelerator,chips_per_replica,model,weights,activations,kv_cache,input_tokens,output_tokens,scenario,output_tokens_per_s_per_chip',
        'my-h100,h100-sxm,1,llama-3.1-8b,fp8,fp8,fp8,1000,1000,max_throughput,12000',
      ].join('\n'),
    );
    const r = await runCli(['backtest', file]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      `infercost: ${file}:1:1 the header lacks the required columns input_assumed, source (data/measured/README.md lists the columns)\n`,
    );
  });
});

it("toAccelerator takes the stack's factors and interval; without stacks, the efficiency block and its ranges", () => {
  const maiaFile = bundled().accelerators.get('maia-200')?.value;
  if (!maiaFile) throw new Error('no maia-200');
  const maia = toAccelerator(maiaFile);
  expect([maia.stack, maia.stackLevel]).toEqual(['vllm', 'stack']);
  const iv = maiaFile.stacks?.vllm?.interval_pct;
  expect(maia.intervalLog).toEqual([Math.log(1 + (iv?.low ?? 0) / 100), Math.log(1 + (iv?.high ?? 0) / 100)]);
  const { stacks: _s, default_stack: _d, ...plain } = maiaFile;
  const fallback = toAccelerator(plain);
  expect(fallback.stack).toBeUndefined();
  expect(fallback.efficiencyRange?.etaMem).toEqual([
    maiaFile.efficiency.eta_mem.low,
    maiaFile.efficiency.eta_mem.high,
  ]);
});

describe('docs/model.md 3b.5: the batch trtllm-bench allows', () => {
  const h100 = accelerator('h100-sxm'); // 80 GiB
  const model = (id: string) => {
    const m = bundled().models.get(id);
    if (!m) throw new Error(`no model ${id}`);
    return toModel(m.value, id);
  };
  const row = {
    chips_per_replica: 2,
    weights: 'fp8',
    kv_cache: 'fp8',
    input_tokens: 1000,
    output_tokens: 1000,
    parallelism: undefined,
  };

  it('Llama 3.3 70B FP8 on two H100, 1000/1000: 384', () => {
    // KV per token: 2 x 80 layers x max(2, 8) heads x 128 x 1 B = 163,840 B = 1.5259e-4 GiB
    // engine: 70.6e9 x 1 B = 65.75 GiB; room (2 x 80 - 65.75) x 0.95 = 89.54 GiB
    // requests: 89.54 / (1.5259e-4 x 2000) = 293.4, between 256 and 1024: 128 x ceil(293.4/128) = 384
    expect(trtllmBenchMaxBatch(row, h100, model('llama-3.3-70b'))).toBe(384);
  });

  it('short sequences hit the 4,096 ceiling; data-parallel attention multiplies it by the chips', () => {
    // 128/128: 89.54 / (1.5259e-4 x 256) = 2,292 requests -> 256 x ceil(2292/256) = 2,304
    const short = { ...row, input_tokens: 128, output_tokens: 128 };
    expect(trtllmBenchMaxBatch(short, h100, model('llama-3.3-70b'))).toBe(2304);
    // Llama 3.1 8B on one H100: KV 2 x 32 x 8 x 128 = 65,536 B/token; (80 - 7.48) x 0.95 = 68.9 GiB
    // / (6.1035e-5 x 256) = 4,409 requests, capped at 4,096 (already a multiple of 256)
    const one = { ...short, chips_per_replica: 1 };
    expect(trtllmBenchMaxBatch(one, h100, model('llama-3.1-8b'))).toBe(4096);
    expect(
      trtllmBenchMaxBatch({ ...one, parallelism: 'dep4', chips_per_replica: 4 }, h100, model('llama-3.1-8b')),
    ).toBe(4 * 4096);
  });

  it('an NVFP4 checkpoint is counted in its stored elements: DeepSeek-R1 on four B200, 1024/8192: 4 x 96', () => {
    const b200 = accelerator('b200'); // 180 GiB
    const dsr1 = {
      chips_per_replica: 4,
      weights: 'fp4@4.5',
      kv_cache: 'fp8',
      input_tokens: 1024,
      output_tokens: 8192,
      parallelism: 'dep4',
    };
    // KV per token: 2 x 61 layers x max(4, 128) heads x (7168 / 128 = 56) x 1 B = 874,496 B = 8.1444e-4 GiB
    // stored: 671e9 x (1/2 + 1/16) = 377.4e9 elements x 0.5 B = 175.76 GiB (at 671e9 x 0.5 B: 312.46)
    // room (4 x 180 - 175.76) x 0.95 = 517.03 GiB; / (8.1444e-4 x 9216) = 68.9 requests
    // -> max(64, 32 x ceil(68.9 / 32)) = 96, per GPU with data-parallel attention: 4 x 96 = 384
    // (at 312.46 GiB: 387.16 / 7.5059 = 51.6 -> 64, 4 x 64 = 256)
    expect(trtllmBenchMaxBatch(dsr1, b200, model('deepseek-v3'))).toBe(384);
  });

  it('a quantization trtllm-bench does not tune (gpt-oss MXFP4) gets the default 2,048', () => {
    expect(trtllmBenchMaxBatch({ ...row, weights: 'fp4@4.25' }, h100, model('gpt-oss-120b'))).toBe(2048);
  });

  it('only rows whose notes say trtllm-bench, on the trtllm stack', () => {
    expect(measuredWithTrtllmBench({ stack: 'trtllm', notes: 'trtllm-bench throughput (offline)' })).toBe(
      true,
    );
    expect(measuredWithTrtllmBench({ stack: 'vllm', notes: 'trtllm-bench' })).toBe(false);
    expect(measuredWithTrtllmBench({ stack: 'trtllm', notes: 'MLPerf harness' })).toBe(false);
  });

  it("a server's stated cap (max_batch) bounds a row's batch under stated_batch_cap (off by default); the lower cap wins", () => {
    const located = (id: string) => {
      const r = rows.find((x) => x.row.id === id);
      if (!r) throw new Error(`no row ${id}`);
      return r;
    };
    const predictedBatch = (r: (typeof rows)[number], mechanisms = toMechanisms()) => {
      const c = resolveRows(bundled(), [r], mechanisms).cases[0];
      if (!c) throw new Error(`${r.row.id} not representable`);
      return { maxBatch: c.workload.maxBatch, batch: predictCase(c, c.accelerator.efficiency)?.batch };
    };
    const stated = toMechanisms({ stated_batch_cap: true });
    // Google's vLLM-on-TPU sample: 1,000 requests at once on a V0 build whose default
    // max_num_seqs is 256. Without the cap the engine fills the KV cache (thousands).
    const tpu = located('tpu-v6e-llama-3.1-8b-vllm-tpu-tp4-cmax-224-133');
    expect(tpu.row.max_batch).toBe(256);
    const free = predictedBatch(tpu);
    expect(free.maxBatch).toBeUndefined();
    expect(free.batch).toBeGreaterThan(256);
    expect(predictedBatch(tpu, stated)).toEqual({ maxBatch: 256, batch: 256 });
    // Independent of trtllm-bench's cap, which this row (vllm-tpu) never had.
    expect(predictedBatch(tpu, toMechanisms({ stated_batch_cap: true, bench_batch_cap: false })).batch).toBe(
      256,
    );
    // AMD's Llama 3.1 405B at 128/4096, Max Num Seqs 1,500: the KV cache holds fewer, so the
    // memory cap (below 1,500) stays the batch.
    const amd = located('amd-vllm0901-mi300x-llama31-405b-fp8-tp8-128-4096-throughput');
    expect(amd.row.max_batch).toBe(1500);
    const amdBatch = predictedBatch(amd, stated).batch ?? 0;
    expect(amdBatch).toBeLessThan(1500);
    expect(predictedBatch(amd).batch).toBe(amdBatch);
    // Both caps on one trtllm-bench row (Llama 3.1 8B on one H100 at 128/128: trtllm-bench's
    // cap is its 4,096 ceiling, above): the lower of the two is the batch.
    const h100 = located('trtllm-v1.0-h100-sxm-llama31-8b-tp1-128-128');
    expect(predictedBatch(h100, stated).batch).toBe(4096);
    expect(predictedBatch({ ...h100, row: { ...h100.row, max_batch: 1000 } }, stated).batch).toBe(1000);
    expect(predictedBatch({ ...h100, row: { ...h100.row, max_batch: 5000 } }, stated).batch).toBe(4096);
  });
});

describe('docs/model.md 3b.8: a run of a stated number of requests (finite_requests)', () => {
  const located = (id: string) => {
    const r = rows.find((x) => x.row.id === id);
    if (!r) throw new Error(`no row ${id}`);
    return r;
  };
  const predicted = (id: string, mechanisms = toMechanisms(), change: Partial<Workload> = {}) => {
    const c = resolveRows(bundled(), [located(id)], mechanisms).cases[0];
    if (!c) throw new Error(`${id} not representable`);
    const p = predictCase({ ...c, workload: { ...c.workload, ...change } }, c.accelerator.efficiency);
    if (!p) throw new Error(`${id}: no prediction`);
    return p;
  };
  const on = toMechanisms({ finite_requests: true });

  it('k - 1 full waves and a last one: X_run = N / ((k - 1) B / X(B) + r / X(r))', () => {
    // N 3,000 at B 2,048: k = ceil(3000 / 2048) = 2, r = 3000 - 2048 = 952.
    // 2048 / 20,000 = 0.1024 s per token of the run, 952 / 12,000 = 0.079333 s:
    // 3000 / 0.181733 = 16,507.7 tokens/s, against 20,000 for an endless queue.
    expect(finiteRunTokensPerS(3000, 2048, 20000, 12000)).toBeCloseTo(16507.7, 1);
    // A whole number of waves is the steady state: 4,096 = 2 x 2,048, no partial wave (its
    // rate, here 5,000, is never used).
    expect(finiteRunTokensPerS(4096, 2048, 20000, 5000)).toBeCloseTo(20000, 6);
    // Fewer requests than the batch: one wave of all of them, at their own rate.
    expect(finiteRunTokensPerS(1000, 2048, 20000, 9000)).toBeCloseTo(9000, 6);
  });

  it("rows state their counts: the page's table, AMD's Num Prompts, the TPU sample's prompts", () => {
    expect(located('trtllm12-gb200-qwen3-235b-dep4-1024-1024').row.requests).toBe(3000);
    expect(located('trtllm12-b200-gptoss120b-dep2-1024-8192').row.requests).toBe(1500);
    expect(located('trtllm-b200-qwen3-235b-dep4-1000-1000').row.requests).toBe(3000);
    expect(located('trtllm-v1.0-h100-sxm-llama31-8b-tp1-128-128').row.requests).toBe(30000);
    expect(located('amd-vllm073-mi300x-llama31-70b-fp8-tp8-128-2048-throughput').row.requests).toBe(3200);
    expect(located('tpu-v6e-llama-3.1-8b-vllm-tpu-tp4-cmax-224-133').row.requests).toBe(1000);
    // The TPU v7 rows' --num-prompts (forty-third session)
    expect(located('gcp-tpu-v7-qwen35-397b-fp8-dep4-c128-1k-8k').row.requests).toBe(640);
    expect(rows.filter((r) => r.row.requests !== undefined)).toHaveLength(208);
  });

  it('a count just above the batch adds a slow last wave; below it, the batch is the count; off by default', () => {
    // Qwen3-235B DEP4 at 1,024/1,024 on GB200: the batch fills at B; 3,000 requests leave a last
    // wave of 3,000 - B, run at its own (memory-bound) rate.
    const id = 'trtllm12-gb200-qwen3-235b-dep4-1024-1024';
    const steady = predicted(id);
    expect(toMechanisms().finiteRequests).toBe(false);
    const batch = steady.batch;
    expect(batch).toBeGreaterThan(1500);
    expect(batch).toBeLessThan(3000);
    const last = predicted(id, toMechanisms(), { fixedBatch: 3000 - batch });
    const run = predicted(id, on);
    expect(run.tokensPerSPerChip).toBeCloseTo(
      finiteRunTokensPerS(3000, batch, steady.tokensPerSPerChip, last.tokensPerSPerChip),
      6,
    );
    expect(run.tokensPerSPerChip).toBeLessThan(steady.tokensPerSPerChip);
    expect(run.batch).toBe(batch);
    // gpt-oss-120b DEP2 at 1,000/1,000 on B200: the memory holds 4,096, the run has 3,000.
    const few = 'trtllm-b200-gptoss120b-dep2-1000-1000';
    expect(predicted(few).batch).toBe(4096);
    expect(predicted(few, on).batch).toBe(3000);
    expect(predicted(few, on).tokensPerSPerChip).toBeCloseTo(
      predicted(few, toMechanisms(), { fixedBatch: 3000 }).tokensPerSPerChip,
      6,
    );
  });
});

describe('docs/model.md 3b.6: limits that are percentiles', () => {
  const server = (id: string) => {
    const c = cases.find((x) => x.id === id);
    if (!c) throw new Error(`no row ${id}`);
    return c;
  };

  it('the ratios are the medians of mean / p99 over the rows whose log gives both', () => {
    const row = server('mlperf51-b200-server').row;
    const three = [
      // TTFT 100/400 = 0.25, TPOT 80/100 = 0.8
      { ...row, ttft_ms: 100, ttft_p99_ms: 400, tpot_ms: 80, tpot_p99_ms: 100 },
      // TTFT 300/600 = 0.5, TPOT 90/100 = 0.9
      { ...row, ttft_ms: 300, ttft_p99_ms: 600, tpot_ms: 90, tpot_p99_ms: 100 },
      // no p99: counts in neither median
      { ...row, ttft_ms: 999, ttft_p99_ms: undefined, tpot_ms: 1, tpot_p99_ms: undefined },
    ];
    // medians of two: (0.25 + 0.5) / 2 = 0.375 and (0.8 + 0.9) / 2 = 0.85
    const r = limitRatios(three);
    expect(r.ttft).toBeCloseTo(0.375, 12);
    expect(r.tpot).toBeCloseTo(0.85, 12);
    expect(limitRatios([{ ...row, ttft_p99_ms: undefined, tpot_p99_ms: undefined }])).toEqual({});
  });

  it("an MLPerf row's p99 limits become mean limits; other rows and the switch off are left alone", () => {
    const c = server('mlperf51-b200-server'); // Server: 2,000 ms TTFT, 200 ms TPOT at p99
    const on = {
      ...c,
      workload: { ...c.workload, mechanisms: { ...c.workload.mechanisms, percentileLimits: true } },
    };
    const held = withLimitRatios(on, { ttft: 0.5, tpot: 0.8 });
    expect(held.workload.slo.ttftS).toBeCloseTo(2 * 0.5, 12); // 1.0 s
    expect(held.workload.slo.tpotS).toBeCloseTo(0.2 * 0.8, 12); // 0.16 s
    // without a ratio a limit stays as it is
    expect(withLimitRatios(on, { tpot: 0.8 }).workload.slo.ttftS).toBe(2);
    // not an MLPerf row (no round): its limits are whatever its file says
    const { round: _, ...rowNoRound } = on.row;
    expect(withLimitRatios({ ...on, row: { ...rowNoRound } }, { ttft: 0.5, tpot: 0.8 }).workload.slo).toEqual(
      c.workload.slo,
    );
    // the switch off: unchanged
    const off = {
      ...c,
      workload: { ...c.workload, mechanisms: { ...c.workload.mechanisms, percentileLimits: false } },
    };
    expect(withLimitRatios(off, { ttft: 0.5, tpot: 0.8 })).toBe(off);
  });

  it("a user's MLPerf rows without p99 figures take the bundled logs' ratios in plain backtest", async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const mine = join(mkdtempSync(join(tmpdir(), 'infercost-')), 'mine.csv');
    // MI300X Llama 2 70B Interactive (TPOT <= 40 ms at p99), as a user would type it: no p99 columns.
    writeFileSync(
      mine,
      [
        'id,accelerator,chips_per_replica,model,weights,activations,kv_cache,input_tokens,input_assumed,output_tokens,scenario,ttft_limit_ms,tpot_limit_ms,output_tokens_per_s_per_chip,stack,round,source',
        'mine,mi300x,1,llama-2-70b,fp8,fp8,fp8,512,true,294,latency_bounded,450,40,1628,vllm,v5.1,my copy',
      ].join('\n'),
    );
    const predicted = async (mechanisms: string) => {
      const r = await runCli(['backtest', mine, '--mechanisms', mechanisms, '--format', 'json']);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout).rows[0];
    };
    const off = await predicted('latent_input=off,percentile_limits=off');
    const on = await predicted('latent_input=off,percentile_limits=on');
    // Held to 0.859 x 40 ms = 34.4 ms of mean TPOT instead of 40 (the median mean/p99 TPOT ratio of
    // the 101 bundled MLPerf logs, 0.8594): a smaller batch, fewer tokens/s.
    expect(on.predicted_tpot_s).toBeLessThanOrEqual(0.04 * 0.8594);
    expect(off.predicted_tpot_s).toBeGreaterThan(0.04 * 0.8594);
    expect(on.predicted_output_tokens_per_s_per_chip).toBeLessThan(
      off.predicted_output_tokens_per_s_per_chip,
    );
  });

  it('a tighter mean limit never raises the predicted throughput', () => {
    const c = server('mlperf51-h200-interactive');
    const on = {
      ...c,
      workload: { ...c.workload, mechanisms: { ...c.workload.mechanisms, percentileLimits: true } },
    };
    const at = (tpot: number) =>
      predictCase(withLimitRatios(on, { tpot }), c.accelerator.efficiency)?.tokensPerSPerChip ?? 0;
    expect(at(0.8)).toBeLessThanOrEqual(at(1));
    expect(at(0.6)).toBeLessThanOrEqual(at(0.8));
    expect(at(0.6)).toBeLessThan(at(1));
  });
});
