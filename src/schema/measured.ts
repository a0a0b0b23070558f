import { z } from 'zod';
import type { NumberFormat } from '../engine/types.js';
import { DECIMAL_TEXT, idSchema, numberFormatSchema, once, storageWidthProblem } from './common.js';

export const SCENARIOS = ['max_throughput', 'fixed_concurrency', 'latency_bounded'] as const;
export const MLPERF_DIVISIONS = ['closed', 'open'] as const;

/** `fp8`, or a format with its storage width: `fp4@4.5` (NVFP4), `fp4@4.25` (MXFP4). */
export const precisionCell = once(() =>
  z
    .string()
    .regex(/^[a-z0-9]+(@\d+(\.\d+)?)?$/, 'a precision such as fp8 or fp4@4.5')
    .refine(
      (s) => numberFormatSchema().safeParse(s.split('@')[0]).success,
      'a precision: fp4, fp6, fp8, int8, int4, bf16, fp16, fp32',
    )
    .superRefine((s, ctx) => {
      const [format, bits] = s.split('@');
      const known = numberFormatSchema().safeParse(format).success;
      const why =
        bits === undefined || !known ? undefined : storageWidthProblem(format as NumberFormat, Number(bits));
      if (why) ctx.addIssue({ code: 'custom', message: why });
    }),
);

const pos = once(() => z.number().positive().max(1e9));

/** One measured result (a row of data/measured/*.csv). Columns are documented in data/measured/README.md. */
export const measuredRowSchema = once(() =>
  z.strictObject({
    id: z.string().min(1),
    accelerator: idSchema(),
    chips_per_replica: z.number().int().positive().max(100_000),
    model: idSchema(),
    weights: precisionCell(),
    activations: precisionCell(),
    kv_cache: precisionCell(),
    input_tokens: pos(),
    input_assumed: z.boolean(),
    output_tokens: pos(),
    scenario: z.enum(SCENARIOS),
    concurrency: z.number().int().positive().max(1e7).optional(),
    /**
     * The server's cap on sequences in flight, where the source states it or the stack's release
     * fixes it by default (vLLM's `--max-num-seqs`); with `stated_batch_cap` on (off by default) the
     * row's batch is at most this (docs/model.md 3b.5).
     */
    max_batch: z.number().int().positive().max(1e7).optional(),
    /**
     * How many requests the benchmark's run sent, all queued at once (trtllm-bench's dataset size,
     * vLLM's `--num-prompts`), where the source states it; with `finite_requests` on (off by
     * default) the throughput is that run's, its last partial wave included (docs/model.md 3b.8).
     */
    requests: z.number().int().positive().max(1e9).optional(),
    ttft_limit_ms: pos().optional(),
    tpot_limit_ms: pos().optional(),
    output_tokens_per_s_per_chip: pos(),
    ttft_ms: pos().optional(),
    tpot_ms: pos().optional(),
    /** The 99th percentile of the requests' TTFT and TPOT, where the run's log gives it (MLPerf). */
    ttft_p99_ms: pos().optional(),
    tpot_p99_ms: pos().optional(),
    /** Serving stack that produced the number: trtllm, vllm, sglang, jetstream, vllm-neuron, nxdi, llmboost, nim, ... */
    stack: idSchema().optional(),
    /** Power cap per chip in W during the run (MLPerf MaxQ), where there was one. */
    power_cap_w: pos().optional(),
    /**
     * How one copy of the model was split where it was not plain tensor parallelism: `dep4` (data-
     * parallel attention, experts across 4 chips), `tp8ep8`. Rows with expert parallelism are
     * predicted but never fitted on (docs/model.md 12a).
     */
    parallelism: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'a parallelism such as dep4 or tp8ep8')
      .optional(),
    /** Chips in the measured system (all replicas), where published. */
    chips_in_system: z.number().int().positive().max(1e7).optional(),
    /** Measured wall power of the whole system, where published (MLPerf Power). */
    system_power_w: pos().optional(),
    /** MLPerf round (`v5.1`), for MLPerf rows. */
    round: z.string().min(1).optional(),
    /** MLPerf division, for MLPerf rows. */
    division: z.enum(MLPERF_DIVISIONS).optional(),
    /** Who published the result (MLPerf submitter or the vendor of the document). */
    submitter: z.string().min(1).optional(),
    /**
     * The benchmark's prompt set (`mlperf-llama2-70b`), where its mean input length is not published:
     * rows of one dataset share one estimated input (docs/model.md 12b, `latent_input`).
     */
    dataset: idSchema().optional(),
    source: z.string().min(1),
    notes: z.string().optional(),
  }),
);
export type MeasuredRow = z.infer<ReturnType<typeof measuredRowSchema>>;

/** A row whose stack is known: its own, or the chip's default_stack when the file gives none. */
export type ResolvedRow = MeasuredRow & { readonly stack: string; readonly stack_assumed?: boolean };

export const MEASURED_COLUMNS = once(() => Object.keys(measuredRowSchema().shape) as (keyof MeasuredRow)[]);

/** The columns every row must fill, in the schema's order: those whose absence the schema refuses. */
export const requiredMeasuredColumns = once(() => {
  const shape = measuredRowSchema().shape;
  return MEASURED_COLUMNS().filter((c) => !shape[c].safeParse(undefined).success);
});

const NUMERIC = new Set<string>([
  'power_cap_w',
  'chips_per_replica',
  'input_tokens',
  'output_tokens',
  'concurrency',
  'max_batch',
  'requests',
  'ttft_limit_ms',
  'tpot_limit_ms',
  'output_tokens_per_s_per_chip',
  'ttft_ms',
  'tpot_ms',
  'ttft_p99_ms',
  'tpot_p99_ms',
  'chips_in_system',
  'system_power_w',
]);

/** CSV cells to typed values: empty is absent, numeric columns become numbers, booleans true/false. */
export function cellsToRow(header: readonly string[], cells: readonly string[]): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  header.forEach((name, i) => {
    const cell = (cells[i] ?? '').trim();
    if (cell === '') return;
    // A cell that is not a decimal number stays text, so the error quotes what the file says
    // ("abc", "0x10"), not the NaN or the 16 Number() would read it as.
    if (NUMERIC.has(name)) raw[name] = DECIMAL_TEXT.test(cell) ? Number(cell) : cell;
    else if (name === 'input_assumed') raw[name] = cell === 'true' ? true : cell === 'false' ? false : cell;
    else raw[name] = cell;
  });
  return raw;
}

export function measuredRules(row: MeasuredRow): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = [];
  if (row.scenario === 'fixed_concurrency' && row.concurrency === undefined) {
    issues.push({ path: ['concurrency'], message: 'is required for a fixed_concurrency row' });
  }
  if (
    row.scenario === 'latency_bounded' &&
    row.ttft_limit_ms === undefined &&
    row.tpot_limit_ms === undefined
  ) {
    issues.push({
      path: ['tpot_limit_ms'],
      message: 'a latency_bounded row needs ttft_limit_ms or tpot_limit_ms',
    });
  }
  return issues;
}
