// The backtest and cross-validation reports as tables.
import { energySummaries } from '../api/backtest.js';
import { type BacktestRow, summaries } from '../fidelity/backtest.js';
import type { ChosenConstant, CvComparison, CvFigures, CvResult } from '../fidelity/cv.js';
import { fixed, sig } from '../render/format.js';
import { type Align, fittedTable, hiddenLine, wrap } from '../render/table.js';

/** A share as the summary tables print it: one decimal, no sign, '-' when there is none. */
function share(n: number | null): string {
  return n === null ? '-' : `${fixed(n, 1)}%`;
}

export function pct(n: number | undefined | null): string {
  return n === undefined || n === null ? '-' : `${n >= 0 ? '+' : ''}${fixed(n, 1)}%`;
}

/**
 * The backtest's rows and summary, with tokens per joule and system power against MLPerf Power
 * rows (docs/model.md section 6.1); on a terminal, fitted to its `width`.
 */
export function renderBacktestTable(rows: readonly BacktestRow[], width?: number): string {
  const head = [
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
    'TPOT error',
  ];
  const aligns: Align[] = [
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
  ];
  const cells: string[][] = [];
  for (const r of rows) {
    if (!r.prediction) continue;
    const batch = r.row.scenario === 'fixed_concurrency' ? ` c=${r.row.concurrency}` : '';
    cells.push([
      r.row.id,
      // A stack the chip has no factors for is predicted with its default's: say which; a
      // profile without stacks (a user's chip) with its own efficiency block.
      // ^: the row named no stack (JSON's stack_assumed), so the chip's default was taken.
      `${r.row.stack ?? ''}${'stack_assumed' in r.row && r.row.stack_assumed ? '^' : ''}${
        r.predictedWithStack === r.row.stack ? '' : ` (as ${r.predictedWithStack ?? 'its profile'})`
      }`,
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
  // Least important first: TPOT, scenario, stack, N, model, lengths; row and throughput stay.
  const t = fittedTable(head, aligns, cells, [10, 9, 3, 1, 4, 2, 5], width);
  const summary = [...summaries(rows), ...energySummaries(rows)].map((x) => [
    x.kind === 'all' ? '' : x.kind === 'accelerator' ? 'chip' : 'stack',
    x.group,
    String(x.rows),
    pct(x.medianAbsErrorPct).replace('+', ''),
    pct(x.p90AbsErrorPct).replace('+', ''),
    pct(x.maxAbsErrorPct).replace('+', ''),
  ]);
  const s = fittedTable(
    ['by', 'group', 'rows', 'median |error|', 'p90 |error|', 'max |error|'],
    ['left', 'left', 'right', 'right', 'right', 'right'],
    summary,
    [5, 0, 4],
    width,
  );
  const missing = rows.filter((r) => !r.prediction);
  return [
    t.text,
    ...hiddenLine(t.hidden, width, '--format json has'),
    ...wrap(
      '* input length not published; assumed (see the row notes). (Bn): batch capped by KV memory.',
      width,
    ),
    ...wrap("~ input length not published; its dataset's estimated mean (docs/model.md 12b).", width),
    ...(rows.some((r) => r.prediction && 'stack_assumed' in r.row && r.row.stack_assumed)
      ? wrap("^ the row names no stack; the chip's default stack is assumed (stack_assumed in JSON).", width)
      : []),
    '',
    s.text,
    ...hiddenLine(s.hidden, width),
    ...(missing.length > 0
      ? [
          '',
          'Rows the engine cannot represent:',
          ...missing.flatMap((r) => wrap(`  ${r.row.id}: ${r.reason}`, width)),
        ]
      : []),
    '',
  ].join('\n');
}

/** The cross-validation's rows and summary; on a terminal, fitted to its `width`. */
export function renderCvTable(cv: CvResult, width?: number): string {
  const cells: string[][] = [];
  for (const r of cv.rows) {
    if (!r.prediction) continue;
    cells.push([
      `${r.row.id}${r.row.input_assumed ? '*' : ''}`,
      r.row.accelerator,
      r.row.stack ?? '',
      r.latent ? `${r.level}~` : r.level,
      sig(r.row.output_tokens_per_s_per_chip),
      sig(r.prediction.tokensPerSPerChip),
      r.low === undefined || r.high === undefined ? '-' : `${sig(r.low)}..${sig(r.high)}`,
      r.covered === undefined ? '-' : r.covered ? 'yes' : 'no',
      pct(r.errorPct),
    ]);
  }
  // Least important first: the fit level, stack and chip (the id names both), then the range.
  const t = fittedTable(
    ['row', 'chip', 'stack', 'fitted on', 'measured', 'predicted', 'range', 'in range', 'error'],
    ['left', 'left', 'left', 'left', 'right', 'right', 'right', 'left', 'right'],
    cells,
    [3, 2, 1, 6],
    width,
  );
  const summary = cv.summary.map((g) => [
    g.kind === 'all'
      ? g.group
      : g.kind === 'chip_left_out'
        ? `chip left out: ${g.group}`
        : `${g.kind} ${g.group}`,
    String(g.rows),
    share(g.medianAbsErrorPct),
    share(g.p90AbsErrorPct),
    share(g.maxAbsErrorPct),
    share(g.coveragePct),
    g.tpotRows === 0 ? '-' : `${share(g.medianAbsTpotErrorPct)} (${g.tpotRows})`,
  ]);
  const s = fittedTable(
    ['group', 'rows', 'median |error|', 'p90 |error|', 'max |error|', 'in range', 'TPOT median (n)'],
    ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
    summary,
    [6, 4],
    width,
  );
  const intro = [
    'Cross-validated: each row predicted by factors fitted without its source (* input length assumed, never fitted on',
    "  but by a chip with no other rows, pair~, 12c; an MLPerf row runs at its dataset's mean input as the other sources'",
    '  rows imply it, docs/model.md 12b).',
  ];
  return [
    ...(width === undefined ? intro : wrap(intro.map((l) => l.trim()).join(' '), width, '  ')),
    t.text,
    ...hiddenLine(t.hidden, width),
    '',
    s.text,
    ...hiddenLine(s.hidden, width),
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

/** Points of median |error| with their sign, as the switch rule's reports print them. */
function points(n: number | null): string {
  return n === null ? '-' : `${n >= 0 ? '+' : ''}${fixed(n, 2)}`;
}

/** A figures row of the rule's reports: a label, then median, p90 and coverage. */
function figureCells(label: string, f: CvFigures): string[] {
  return [label, share(f.medianAbsErrorPct), share(f.p90AbsErrorPct), share(f.coveragePct)];
}

const FIGURE_HEAD = ['median |error|', 'p90 |error|', 'in range'];
const FIGURE_ALIGNS: Align[] = ['left', 'right', 'right', 'right'];

/** "`lead` +x.xx points of median |error|; with one source left out, at least ..." */
function gainSentence(lead: string, cmp: CvComparison): string {
  const least = cmp.leaveOneSourceOut[0];
  return `${lead} ${points(cmp.gainPoints)} points of median |error|; with one source left out, at least ${points(least?.gainPoints ?? null)}${least ? ` (without ${shortSource(least.source)})` : ''}.`;
}

export function renderCvComparison(cmp: CvComparison, before: string, after: string, width?: number): string {
  const t = fittedTable(
    ['corrections', ...FIGURE_HEAD],
    FIGURE_ALIGNS,
    [figureCells(`before: ${before}`, cmp.before), figureCells(`after: ${after}`, cmp.after)],
    [3, 2],
    width,
  );
  const l = fittedTable(
    ['source left out', 'rows left', 'gain (points)'],
    ['left', 'right', 'right'],
    cmp.leaveOneSourceOut.map((s) => [shortSource(s.source), String(s.rowsLeft), points(s.gainPoints)]),
    [1],
    width,
  );
  return [
    ...wrap(
      `Cross-validated twice on the ${cmp.rows} rows with a published input length (docs/model.md 12a).`,
      width,
    ),
    t.text,
    ...hiddenLine(t.hidden, width, '--format json has'),
    '',
    ...wrap(gainSentence('Gain:', cmp), width),
    l.text,
    ...hiddenLine(l.hidden, width),
    '',
    ...wrap(ruleLine(cmp.rule), width),
    '',
  ].join('\n');
}

/** `backtest --cv --choose`: each value's figures, the selection's, and which value each source took. */
export function renderChosenConstant(
  chosen: ChosenConstant,
  name: string,
  values: { readonly engine: number; readonly off: number },
  againstOff: CvComparison | undefined,
  width?: number,
): string {
  const t = fittedTable(
    ['value', ...FIGURE_HEAD],
    FIGURE_ALIGNS,
    [
      ...chosen.fixed.map((f) =>
        figureCells(
          `${f.value}${f.value === values.engine ? ' (engine)' : f.value === values.off ? ' (off)' : ''}`,
          f.figures,
        ),
      ),
      figureCells('chosen per source', chosen.selected),
    ],
    [3, 2],
    width,
  );
  const taken = new Map<number, { sources: number; rows: number }>();
  for (const c of chosen.choices) {
    const e = taken.get(c.value) ?? { sources: 0, rows: 0 };
    taken.set(c.value, { sources: e.sources + 1, rows: e.rows + c.rows });
  }
  const counts = chosen.fixed
    .filter((f) => taken.has(f.value))
    .map((f) => {
      const e = taken.get(f.value) as { sources: number; rows: number };
      return `${f.value} by ${e.sources} source${e.sources === 1 ? '' : 's'} (${e.rows} rows)`;
    })
    .join(', ');
  const common = [...taken.entries()].sort((a, b) => b[1].sources - a[1].sources)[0]?.[0];
  const others = chosen.choices
    .filter((c) => c.value !== common)
    .map((c) => [shortSource(c.source), String(c.rows), String(c.value)]);
  const l = fittedTable(['source', 'rows', 'value'], ['left', 'right', 'right'], others, [1], width);
  return [
    ...wrap(
      `Cross-validated once per value of ${name} on the ${chosen.rows} rows with a published input length; then each source's rows take the value the other sources' rows favour (chosen per source; docs/model.md 12a).`,
      width,
    ),
    t.text,
    ...hiddenLine(t.hidden, width),
    '',
    ...wrap(`Values taken: ${counts}.`, width),
    ...(others.length > 0
      ? ['Sources that took another value:', l.text, ...hiddenLine(l.hidden, width)]
      : []),
    '',
    ...(againstOff ? [...againstOffLines(againstOff, width), ''] : []),
  ].join('\n');
}

/** The selection judged against the correction off by the switch rule (docs/model.md 12a). */
function againstOffLines(cmp: CvComparison, width?: number): string[] {
  return [
    ...wrap(gainSentence('Against the correction off:', cmp), width),
    ...wrap(ruleLine(cmp.rule), width),
  ];
}
