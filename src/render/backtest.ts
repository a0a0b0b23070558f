// The backtest and cross-validation reports as tables.
import Table from 'cli-table3';
import { energySummaries } from '../api/backtest.js';
import { type BacktestRow, summaries } from '../fidelity/backtest.js';
import type { CvComparison, CvResult } from '../fidelity/cv.js';
import { fixed, sig } from '../render/format.js';

/** A share as the summary tables print it: one decimal, no sign, '-' when there is none. */
function share(n: number | null): string {
  return n === null ? '-' : `${fixed(n, 1)}%`;
}

export function pct(n: number | undefined | null): string {
  return n === undefined || n === null ? '-' : `${n >= 0 ? '+' : ''}${fixed(n, 1)}%`;
}

/** Tokens per joule and system power against MLPerf Power rows (docs/model.md section 6.1). */
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
      // The input the row ran at: its dataset's estimate (~, docs/model.md 12b), else as written.
      r.inputTokensEstimated !== undefined
        ? `~${sig(r.inputTokensEstimated)}/${sig(r.row.output_tokens)}`
        : `${sig(r.row.input_tokens)}${r.row.input_assumed ? '*' : ''}/${sig(r.row.output_tokens)}`,
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
  for (const x of [...summaries(rows), ...energySummaries(rows)]) {
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
    "~ input length not published; its dataset's estimated mean (docs/model.md 12b).",
    '',
    s.toString(),
    ...(missing.length > 0
      ? ['', 'Rows the engine cannot represent:', ...missing.map((r) => `  ${r.row.id}: ${r.reason}`)]
      : []),
    '',
  ].join('\n');
}

export function renderCvTable(cv: CvResult): string {
  const t = new Table({
    head: ['row', 'chip', 'stack', 'fitted on', 'measured', 'predicted', 'range', 'in range', 'error'],
    style: { head: [], border: [], compact: true },
    colAligns: ['left', 'left', 'left', 'left', 'right', 'right', 'right', 'left', 'right'],
  });
  for (const r of cv.rows) {
    if (!r.prediction) continue;
    t.push([
      `${r.row.id}${r.row.input_assumed ? '*' : ''}`,
      r.row.accelerator,
      r.row.stack,
      r.level,
      sig(r.row.output_tokens_per_s_per_chip),
      sig(r.prediction.tokensPerSPerChip),
      r.low === undefined || r.high === undefined ? '-' : `${sig(r.low)}..${sig(r.high)}`,
      r.covered === undefined ? '-' : r.covered ? 'yes' : 'no',
      pct(r.errorPct),
    ]);
  }
  const s = new Table({
    head: ['group', 'rows', 'median |error|', 'p90 |error|', 'max |error|', 'in range', 'TPOT median (n)'],
    style: { head: [], border: [], compact: true },
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const g of cv.summary)
    s.push([
      g.kind === 'all' ? g.group : `${g.kind} ${g.group}`,
      String(g.rows),
      share(g.medianAbsErrorPct),
      share(g.p90AbsErrorPct),
      share(g.maxAbsErrorPct),
      share(g.coveragePct),
      g.tpotRows === 0 ? '-' : `${share(g.medianAbsTpotErrorPct)} (${g.tpotRows})`,
    ]);
  return [
    'Cross-validated: each row predicted by factors fitted without its source (* input length assumed, never fitted on;',
    "  an MLPerf row runs at its dataset's mean input as the other sources' rows imply it, docs/model.md 12b).",
    t.toString(),
    '',
    s.toString(),
    '',
  ].join('\n');
}

/**
 * A source as the table shows it (JSON keeps it whole): a GitHub file as owner/repo@commit and its
 * file name, another page as its host and last path segment; MLPerf folds are short already.
 */
export function shortSource(source: string): string {
  const gh = /^https:\/\/github\.com\/([^/]+\/[^/]+)\/(?:blob|tree)\/([^/]+)\/(?:.*\/)?([^/]+)$/.exec(source);
  if (gh) return `${gh[1]}@${(gh[2] as string).slice(0, 8)} ${gh[3]}`;
  const web = /^https?:\/\/([^/]+)\/(?:.*\/)?([^/]+?)\/?$/.exec(source);
  return web ? `${web[1]} ${web[2]}` : source;
}

/** `backtest --cv --against`: before and after on the known-input rows, then the gain per left-out source. */
/** The switch rule's verdict on its four tests (docs/model.md, "Which corrections are on"). */
function ruleLine(rule: CvComparison['rule']): string {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const a = rule.actedOn;
  const acted = a
    ? `; the ${a.rows} rows it acts on not worse: ${yes(a.notWorse)} (${share(a.medianBeforePct)} -> ${share(a.medianAfterPct)})`
    : '; the rows it acts on: not checked';
  const tests = `gain >= 1 point: ${yes(rule.gainAtLeastOnePoint)}; p90 up by 2 points at most: ${yes(rule.p90RiseAtMostTwoPoints)}; gain with every source left out: ${yes(rule.gainWithEverySourceLeftOut)}${acted}`;
  return `Rule: ${rule.passes ? 'passes' : 'fails'} (${tests}).`;
}

export function renderCvComparison(cmp: CvComparison, before: string, after: string): string {
  const pts = (n: number | null) => (n === null ? '-' : `${n >= 0 ? '+' : ''}${fixed(n, 2)}`);
  const t = new Table({
    head: ['corrections', 'median |error|', 'p90 |error|', 'in range'],
    style: { head: [], border: [], compact: true },
    colAligns: ['left', 'right', 'right', 'right'],
  });
  t.push([
    `before: ${before}`,
    share(cmp.before.medianAbsErrorPct),
    share(cmp.before.p90AbsErrorPct),
    share(cmp.before.coveragePct),
  ]);
  t.push([
    `after: ${after}`,
    share(cmp.after.medianAbsErrorPct),
    share(cmp.after.p90AbsErrorPct),
    share(cmp.after.coveragePct),
  ]);
  const l = new Table({
    head: ['source left out', 'rows left', 'gain (points)'],
    style: { head: [], border: [], compact: true },
    colAligns: ['left', 'right', 'right'],
  });
  for (const s of cmp.leaveOneSourceOut)
    l.push([shortSource(s.source), String(s.rowsLeft), pts(s.gainPoints)]);
  const least = cmp.leaveOneSourceOut[0];
  return [
    `Cross-validated twice on the ${cmp.rows} rows with a published input length (docs/model.md 12a).`,
    t.toString(),
    '',
    `Gain: ${pts(cmp.gainPoints)} points of median |error|; with one source left out, at least ${pts(least?.gainPoints ?? null)}${least ? ` (without ${shortSource(least.source)})` : ''}.`,
    l.toString(),
    '',
    ruleLine(cmp.rule),
    '',
  ].join('\n');
}
