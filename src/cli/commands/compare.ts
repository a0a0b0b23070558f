import { type CompareOptions, parseColumns, parseFormat, runCompare } from '../../api/compare.js';
import { outcomeLine } from '../../api/expect.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { UsageError } from '../../io/errors.js';
import { workloadInputFiles } from '../../io/workload.js';
import { RENDERERS } from '../../render/index.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit.js';
import { gateCode, nothingRunsLines } from '../gate.js';
import { useColor } from '../io.js';

export function compareCommand(ctx: Context, workloadPaths: string[], opts: CompareOptions): number {
  const format = parseFormat(opts.format, 'table');
  if (opts.chart && format !== 'table')
    throw new UsageError(
      `--chart draws under the table; --format ${format} has no chart (use --pareto for the data)`,
    );
  if (opts.pareto && format === 'csv')
    throw new UsageError(
      '--pareto has no CSV form (one row per accelerator); use --format json, ndjson, table or markdown',
    );
  const columns = parseColumns(opts.columns);
  // --no-ranges hides the Range column, --columns range asks for it: neither can win silently.
  if (!opts.ranges && columns?.includes('range'))
    throw new UsageError(
      '--no-ranges hides the Range column that --columns range asks for: give one or the other, not both',
    );
  const run = runCompare(
    { catalog: ctx.catalog(), today: ctx.io.today, readStdin: ctx.io.readStdin },
    workloadPaths,
    opts,
  );
  const toFile = opts.output !== undefined;
  const color = format === 'table' && !toFile && useColor(ctx.io, ctx.globals.color, ctx.io.stdoutIsTty);
  const width = format === 'table' && !toFile ? ctx.io.stdoutColumns : undefined;
  const text = RENDERERS[format](run.doc, {
    color,
    ranges: opts.ranges,
    width,
    wide: opts.wide === true,
    columns,
    pareto: opts.pareto,
    chart: opts.chart === true,
  });
  const code = gateCode(run.outcomes, opts.strict);
  // An expectation that cannot be measured is bad input (exit 2): a run that fails on its input
  // leaves an existing output file as it was.
  if (opts.output !== undefined && code === EXIT.badInput)
    ctx.io.stderr(`infercost: ${opts.output} not written: an expectation cannot be measured (below)\n`);
  else if (opts.output !== undefined) writeFileAtomic(opts.output, text, workloadInputFiles(workloadPaths));
  else ctx.io.stdout(text);
  for (const o of run.outcomes) ctx.io.stderr(`${outcomeLine(o)}\n`);
  const nothingRuns = nothingRunsLines(run.doc);
  for (const line of nothingRuns) ctx.io.stderr(line);
  return code === EXIT.ok && nothingRuns.length > 0 ? EXIT.checkFailed : code;
}
