import {
  backtestAgainst,
  backtestChoose,
  backtestReport,
  backtestRows,
  bundledLimitRatios,
  cvReport,
  parseChoose,
  parseMechanisms,
  resolveRows,
} from '../../api/backtest.js';
import { crossValidate } from '../../fidelity/cv.js';
import { assertCanWrite, writeFileAtomic } from '../../io/atomic.js';
import { UsageError } from '../../io/errors.js';
import { assertStdinOnce } from '../../io/files.js';
import { bundledMeasuredDir, loadMeasured } from '../../io/measured.js';
import {
  renderBacktestTable,
  renderChosenConstant,
  renderCvComparison,
  renderCvTable,
} from '../../render/backtest.js';
import { csvLine } from '../../render/csv.js';
import { escapeControl, escapeText, safeJson } from '../../render/text.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit.js';
import { withFitProgress } from '../progress.js';

export function backtestCommand(
  ctx: Context,
  files: string[],
  opts: {
    format?: string;
    output?: string;
    mechanisms?: string;
    cv?: boolean;
    against?: string;
    choose?: string;
  },
): number {
  const format = opts.format ?? 'table';
  if (!['table', 'json', 'csv'].includes(format))
    throw new UsageError(`--format ${format}: expected table, json or csv`);
  if (opts.against !== undefined && !opts.cv)
    throw new UsageError('--against compares two cross-validations: give it with --cv');
  if (opts.choose !== undefined && !opts.cv)
    throw new UsageError('--choose cross-validates once per value: give it with --cv');
  if (opts.choose !== undefined && opts.against !== undefined)
    throw new UsageError('give --against or --choose, not both');
  // A malformed list is refused before the rows are read, not after minutes of fits.
  if (opts.choose !== undefined) parseChoose(opts.choose);
  // --cv runs for minutes: a path that cannot be written is refused before, not after.
  if (opts.output !== undefined) assertCanWrite(opts.output, files);
  assertStdinOnce(files);
  const located = loadMeasured(files.length > 0 ? files : [bundledMeasuredDir()], ctx.io.readStdin);
  // A terminal's width for the tables; pipes and files get every column.
  const width = format === 'table' && opts.output === undefined ? ctx.io.stdoutColumns : undefined;
  // Both reports are { rows, ... }: JSON is the whole report, CSV its rows, the table its own.
  const emit = (report: { rows: readonly object[] }, table: () => string): number => {
    let text: string;
    if (format === 'json') text = `${safeJson(JSON.stringify({ schema_version: 1, ...report }, null, 2))}\n`;
    else if (format === 'csv') {
      const header = Object.keys(report.rows[0] ?? { id: '' });
      text =
        csvLine(header) +
        report.rows.map((r) => csvLine(Object.values(r) as (string | number | boolean | null)[])).join('');
    } else text = escapeText(table());
    if (opts.output !== undefined) writeFileAtomic(opts.output, text, files);
    else ctx.io.stdout(text);
    noteBeyond();
    return EXIT.ok;
  };
  const { cases, unrepresentable } = resolveRows(ctx.catalog(), located, parseMechanisms(opts.mechanisms));
  // A row beyond its model's stated context is still a measurement (TensorRT-LLM ran Qwen3 at
  // 33,792 tokens, past its native 32,768, as YaRN allows), so it is predicted; compare refuses
  // such a workload, so the row is named (after the report: an error stays the one line), and a
  // typo (200,000 tokens on a 131,072-token model) is seen.
  const beyond = cases.filter((c) => {
    const max = ctx.catalog().models.get(c.row.model)?.value.max_context_tokens;
    return max !== undefined && c.row.input_tokens + c.row.output_tokens > max;
  });
  const over = beyond[0];
  const noteBeyond = (): void => {
    if (over === undefined) return;
    const max = ctx.catalog().models.get(over.row.model)?.value.max_context_tokens as number;
    const more = beyond.length > 1 ? ` (and ${beyond.length - 1} more)` : '';
    ctx.io.stderr(
      `infercost: ${beyond.length} of ${located.length} rows run beyond their model's context length and are predicted as measured (compare would refuse them): ${escapeControl(over.row.id)}: ${(over.row.input_tokens + over.row.output_tokens).toLocaleString('en-US')} tokens on ${escapeControl(over.row.model)}'s ${max.toLocaleString('en-US')}${more}\n`,
    );
  };
  // A file of rows none of which can run is a wrong file or a typo, not a result: refused before
  // any fit (--against and --choose run for many minutes); rows some of which cannot run are
  // said on stderr whichever report follows.
  const first = unrepresentable[0];
  if (first !== undefined) {
    const more = unrepresentable.length > 1 ? ` (and ${unrepresentable.length - 1} more)` : '';
    if (cases.length === 0)
      throw new UsageError(
        `none of the ${located.length} row(s) can be run: ${first.row.id}: ${first.reason}${more}`,
      );
    // Only the plain backtest lists them in its report; the cross-validations leave them out.
    const fate = opts.cv ? 'are left out' : 'are listed with the reason';
    ctx.io.stderr(
      `infercost: ${unrepresentable.length} of ${located.length} rows cannot be run and ${fate}: ${escapeControl(first.row.id)}: ${escapeControl(first.reason ?? '')}${more}\n`,
    );
  }
  const choose = opts.choose;
  if (choose !== undefined) {
    const { chosen, name, values, againstOff, report } = withFitProgress(ctx, (onStep) =>
      backtestChoose(ctx.catalog(), located, opts.mechanisms, choose, onStep),
    );
    return emit(report, () => renderChosenConstant(chosen, name, values, againstOff, width));
  }
  const against = opts.against;
  if (against !== undefined) {
    const { cmp, before, after, report } = withFitProgress(ctx, (onStep) =>
      backtestAgainst(ctx.catalog(), located, opts.mechanisms, against, onStep),
    );
    return emit(report, () => renderCvComparison(cmp, before, after, width));
  }
  if (opts.cv) {
    const cv = withFitProgress(ctx, (onStep) => crossValidate(cases, { chipsLeftOut: true, onStep }));
    return emit(cvReport(cv), () => renderCvTable(cv, width));
  }
  const rows = [...backtestRows(cases, bundledLimitRatios), ...unrepresentable];
  const code = emit(backtestReport(rows), () => renderBacktestTable(rows, width));
  // Section 11: a chip whose profile states no interval (no stacks:, no assumed low/high) gives
  // its rows no range to score, which the report's empty cells alone do not explain.
  const unranged = [
    ...new Set(rows.filter((r) => r.prediction && r.statedLow === undefined).map((r) => r.row.accelerator)),
  ];
  if (unranged.length > 0)
    ctx.io.stderr(
      `infercost: ${unranged.map(escapeControl).join(', ')} ${unranged.length > 1 ? 'state' : 'states'} no range: no stacks: entry with a cross-validated interval (calibrate --all writes one) and no low/high on an assumed efficiency factor, so ${unranged.length > 1 ? 'their' : 'its'} rows have no stated_low/stated_high (docs/model.md section 11)\n`,
    );
  return code;
}
