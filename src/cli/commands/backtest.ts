import Table from 'cli-table3';
import {
  type BacktestRow,
  backtestCase,
  caseFor,
  type MeasuredCase,
  summaries,
} from '../../fidelity/backtest.js';
import { writeFileAtomic } from '../../io/atomic.js';
import type { Catalog } from '../../io/catalog.js';
import { UsageError } from '../../io/errors.js';
import { bundledMeasuredDir, type LocatedRow, loadMeasured } from '../../io/measured.js';
import { csvLine } from '../../render/csv.js';
import { fixed, sig } from '../../render/format.js';
import { escapeText, safeJson } from '../../render/text.js';
import { toAccelerator, toModel } from '../../schema/convert.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit.js';

export interface Resolved {
  readonly cases: MeasuredCase[];
  readonly unrepresentable: BacktestRow[];
}

/** Rows to engine cases; rows naming an unknown chip or model, or too many chips, are kept with the reason. */
export function resolveRows(catalog: Catalog, rows: readonly LocatedRow[]): Resolved {
  const cases: MeasuredCase[] = [];
  const unrepresentable: BacktestRow[] = [];
  for (const { row } of rows) {
    const m = catalog.models.get(row.model);
    const profile = catalog.accelerators.get(row.accelerator);
    if (!profile) {
      unrepresentable.push({ row, reason: `no accelerator profile "${row.accelerator}"` });
    } else if (!m) {
      unrepresentable.push({ row, reason: `no model "${row.model}"` });
    } else {
      const acc = toAccelerator(profile.value);
      if (row.chips_per_replica > acc.domainChips) {
        unrepresentable.push({
          row,
          reason: `${row.chips_per_replica} chips per replica exceed the ${acc.domainChips}-chip scale-up domain`,
        });
      } else cases.push(caseFor(row, acc, toModel(m.value, row.model)));
    }
  }
  return { cases, unrepresentable };
}

function pct(n: number | undefined | null): string {
  return n === undefined || n === null ? '-' : `${n >= 0 ? '+' : ''}${fixed(n, 1)}%`;
}

export function backtestReport(rows: readonly BacktestRow[]) {
  return {
    rows: rows.map((r) => ({
      id: r.row.id,
      accelerator: r.row.accelerator,
      stack: r.row.stack,
      model: r.row.model,
      scenario: r.row.scenario,
      chips_per_replica: r.row.chips_per_replica,
      input_tokens: r.row.input_tokens,
      input_assumed: r.row.input_assumed,
      output_tokens: r.row.output_tokens,
      measured_output_tokens_per_s_per_chip: r.row.output_tokens_per_s_per_chip,
      predicted_output_tokens_per_s_per_chip: r.prediction?.tokensPerSPerChip ?? null,
      error_pct: r.errorPct ?? null,
      measured_tpot_s: r.row.tpot_ms === undefined ? null : r.row.tpot_ms / 1000,
      predicted_tpot_s: r.prediction?.tpotS ?? null,
      tpot_error_pct: r.tpotErrorPct ?? null,
      predicted_batch: r.prediction?.batch ?? null,
      batch_capped_from: r.prediction?.batchCappedFrom ?? null,
      reason: r.reason ?? null,
    })),
    summary: summaries(rows).map((s) => ({
      kind: s.kind,
      group: s.group,
      rows: s.rows,
      median_abs_error_pct: s.medianAbsErrorPct,
      p90_abs_error_pct: s.p90AbsErrorPct,
      max_abs_error_pct: s.maxAbsErrorPct,
    })),
  };
}

export function renderBacktestTable(rows: readonly BacktestRow[]): string {
  const t = new Table({
    head: [
      'row',
      'stack',
      'model',
      'scenario',
      'N',
      'in/out',
      'measured tok/s/chip',
      'predicted',
      'error',
      'TPOT ms meas/pred',
      'error',
    ],
    style: { head: [], border: [], compact: true },
    colAligns: [
      'left',
      'left',
      'left',
      'left',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
    ],
  });
  for (const r of rows) {
    if (!r.prediction) continue;
    const batch = r.row.scenario === 'fixed_concurrency' ? ` c=${r.row.concurrency}` : '';
    t.push([
      r.row.id,
      r.row.stack,
      r.row.model,
      `${r.row.scenario}${batch}`,
      String(r.row.chips_per_replica),
      `${sig(r.row.input_tokens)}${r.row.input_assumed ? '*' : ''}/${sig(r.row.output_tokens)}`,
      sig(r.row.output_tokens_per_s_per_chip),
      `${sig(r.prediction.tokensPerSPerChip)}${r.prediction.batchCappedFrom !== undefined ? ` (B${r.prediction.batch})` : ''}`,
      pct(r.errorPct),
      r.row.tpot_ms === undefined ? '-' : `${sig(r.row.tpot_ms)} / ${sig(r.prediction.tpotS * 1000)}`,
      pct(r.tpotErrorPct),
    ]);
  }
  const s = new Table({
    head: ['by', 'group', 'rows', 'median |error|', 'p90 |error|', 'max |error|'],
    style: { head: [], border: [], compact: true },
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right'],
  });
  for (const x of summaries(rows)) {
    s.push([
      x.kind === 'all' ? '' : x.kind === 'accelerator' ? 'chip' : 'stack',
      x.group,
      String(x.rows),
      pct(x.medianAbsErrorPct).replace('+', ''),
      pct(x.p90AbsErrorPct).replace('+', ''),
      pct(x.maxAbsErrorPct).replace('+', ''),
    ]);
  }
  const missing = rows.filter((r) => !r.prediction);
  return [
    t.toString(),
    '* input length not published; assumed (see the row notes). (Bn): batch capped by KV memory.',
    '',
    s.toString(),
    ...(missing.length > 0
      ? ['', 'Rows the engine cannot represent:', ...missing.map((r) => `  ${r.row.id}: ${r.reason}`)]
      : []),
    '',
  ].join('\n');
}

export function backtestCommand(
  ctx: Context,
  files: string[],
  opts: { format?: string; output?: string },
): number {
  const format = opts.format ?? 'table';
  if (!['table', 'json', 'csv'].includes(format))
    throw new UsageError(`--format ${format}: expected table, json or csv`);
  const located = loadMeasured(files.length > 0 ? files : [bundledMeasuredDir()]);
  const { cases, unrepresentable } = resolveRows(ctx.catalog(), located);
  const rows = [...cases.map((c) => backtestCase(c)), ...unrepresentable];
  const report = backtestReport(rows);
  let text: string;
  if (format === 'json') text = `${safeJson(JSON.stringify({ schema_version: 1, ...report }, null, 2))}\n`;
  else if (format === 'csv') {
    const header = Object.keys(report.rows[0] ?? { id: '' });
    text =
      csvLine(header) +
      report.rows.map((r) => csvLine(Object.values(r) as (string | number | boolean | null)[])).join('');
  } else text = escapeText(renderBacktestTable(rows));
  if (opts.output !== undefined) writeFileAtomic(opts.output, text, files);
  else ctx.io.stdout(text);
  return EXIT.ok;
}
