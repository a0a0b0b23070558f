import { createRequire } from 'node:module';
import { type CompareOptions, resultWorkloadPaths, runCompare } from '../../api/compare.js';
import { parseFieldSet } from '../../api/sets.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { UsageError } from '../../io/errors.js';
import { workloadInputFiles } from '../../io/workload.js';
import { type ChartSpec, reportCharts, reportHtml, type SweepPoint } from '../../render/report.js';
import type { ResultDoc } from '../../schema/result.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit.js';
import { nothingRunsLines } from '../gate.js';

export interface ReportOptions
  extends Omit<CompareOptions, 'pareto' | 'ranges' | 'strict' | 'expect' | 'chart' | 'format'> {
  readonly output?: string;
  /** `svg`: one chart alone (`--chart`), to embed in documents. */
  readonly format?: string;
  readonly chart?: string;
}

/** Input lengths of the built-in sweep: 250 tokens doubling up to 32k, within the model's context. */
function sweepLengths(maxContext: number | undefined, output: number): number[] {
  const out: number[] = [];
  for (let i = 250; i <= 32_000 && (maxContext === undefined || i + output <= maxContext); i *= 2)
    out.push(i);
  return out;
}

/**
 * Vega-Lite to SVG, at report time: vega is required only here, so compare starts as fast as
 * ever (required, not imported: the CLI bundle runs through vm.Script, which has no dynamic import).
 */
async function renderSvg(chart: ChartSpec): Promise<string> {
  const load = createRequire(import.meta.url);
  const vega = load('vega') as typeof import('vega');
  const vl = load('vega-lite') as typeof import('vega-lite');
  // Warnings go nowhere: stderr carries infercost's own messages only.
  const quiet = vega.logger(vega.Error);
  const compiled = vl.compile(chart.spec as never, { logger: quiet }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger: quiet });
  return view.toSVG();
}

export async function reportCommand(ctx: Context, workloads: string[], opts: ReportOptions): Promise<number> {
  const format = opts.format ?? 'html';
  if (format !== 'html' && format !== 'svg')
    throw new UsageError(`--format ${format}: report writes html or svg`);
  // The HTML page holds every chart; picking one only means something for a single SVG.
  if (opts.chart !== undefined && format !== 'svg')
    throw new UsageError(
      `--chart ${opts.chart}: picks the one chart --format svg writes (the HTML page has them all)`,
    );
  const env = { catalog: ctx.catalog(), today: ctx.io.today, readStdin: ctx.io.readStdin };
  const { chart: _chart, format: _format, output: _output, ...compareOpts } = opts;
  const base = { ...compareOpts, set: opts.set ?? [], expect: [], ranges: true, strict: false };
  const run = runCompare(env, workloads, { ...base, pareto: true });
  // A mix stands for its classes, each a result of its own.
  const paths = resultWorkloadPaths(env, workloads);
  // The cost-vs-input-length chart sets the input length itself: a --set of it holds for the
  // table, not the sweep (it made every report with one refuse the sweep's second value).
  const ids = [...env.catalog.accelerators.keys()];
  const sweepSets = base.set.filter((t) => {
    const f = parseFieldSet(t, ids);
    return f.acceleratorId !== undefined || f.path.join('.') !== 'input_tokens';
  });
  const charts: ChartSpec[][] = [];
  for (const [i, r] of run.doc.results.entries()) {
    const model = env.catalog.models.get(r.workload.model_id)?.value;
    const sweep: SweepPoint[] = [];
    for (const input of sweepLengths(model?.max_context_tokens, r.workload.output_tokens)) {
      const point = runCompare(env, [paths[i] as string], {
        ...base,
        pareto: false,
        set: [...sweepSets, `input_tokens=${input}`],
      });
      for (const a of point.doc.results[0]?.accelerators ?? []) {
        const usd = a.metrics.usd_per_mtok_output;
        if (usd !== null) sweep.push({ accelerator: a.id, inputTokens: input, usdPerMtok: usd });
      }
    }
    charts.push(reportCharts(r, sweep, i));
  }
  if (format === 'svg') {
    // One SVG is one chart of one workload: a second workload (or a mix's classes) would be
    // dropped without a word.
    if (run.doc.results.length > 1)
      throw new UsageError(
        `--format svg draws one chart of one workload; got ${run.doc.results.length} (${run.doc.results.map((r) => r.workload.name).join(', ')}): give one, or write the HTML page`,
      );
    const all = charts.flat();
    const wanted = opts.chart ?? all[0]?.id.replace(/-\d+$/, '');
    const chart = all.find((c) => c.id === `${wanted}-0`);
    if (!chart)
      throw new UsageError(
        `--chart ${wanted}: expected one of ${[...new Set(all.map((c) => c.id.replace(/-\d+$/, '')))].join(', ')}`,
      );
    const code = write(ctx, opts.output, `${await renderSvg(chart)}\n`, workloads);
    // As the page: written, and a workload no chip can run, or a chart with no point to draw (no
    // chip that runs has a price, for tokens per dollar), is said and exits 1, never an empty
    // chart under exit 0.
    const nothingRuns = nothingRunsLines(run.doc as ResultDoc);
    for (const line of nothingRuns) ctx.io.stderr(line);
    if (nothingRuns.length > 0) return EXIT.checkFailed;
    if (firstValues(chart.spec).length === 0) {
      ctx.io.stderr(
        `infercost: the ${wanted} chart of ${run.doc.results[0]?.workload.name} has nothing to draw: no chip that runs has its metric\n`,
      );
      return EXIT.checkFailed;
    }
    return code;
  }
  const rendered = [];
  for (const list of charts) {
    const svgs = [];
    for (const c of list) svgs.push({ id: c.id, title: c.title, svg: await renderSvg(c) });
    rendered.push(svgs);
  }
  const code = write(ctx, opts.output, reportHtml(run.doc as ResultDoc, rendered, ctx.io.today), workloads);
  // As compare: the page is written, and a workload no chip can run is said and exits 1.
  const nothingRuns = nothingRunsLines(run.doc as ResultDoc);
  for (const line of nothingRuns) ctx.io.stderr(line);
  return nothingRuns.length > 0 ? EXIT.checkFailed : code;
}

/** The main data of a Vega-Lite spec: its own `data.values`, else its first layer's. */
function firstValues(spec: Record<string, unknown>): readonly unknown[] {
  const data = spec.data as { values?: unknown[] } | undefined;
  if (data?.values) return data.values;
  const layer = (spec.layer as Record<string, unknown>[] | undefined)?.[0];
  return layer ? firstValues(layer) : [];
}

function write(ctx: Context, output: string | undefined, text: string, inputs: readonly string[]): number {
  if (output !== undefined) {
    writeFileAtomic(output, text, workloadInputFiles(inputs), undefined, () =>
      ctx.io.stderr(`wrote ${output}\n`),
    );
  } else ctx.io.stdout(text);
  return EXIT.ok;
}
