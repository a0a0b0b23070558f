// The claim analysis (docs/model.md section 7a) as text with tornado bars, Markdown and JSON.
import type { ClaimReport, ClaimWorkload, TornadoBar } from '../api/claim.js';
import type { ServesNothing } from '../api/expect.js';
import { grouped, localeNumber, usd } from './format.js';
import { recordBlocks, wrap, wrapIndented } from './table.js';
import { escapeControl, markdownCell, safeJson } from './text.js';
import { displayWidth } from './width.js';
import { servesNothingAt } from './words.js';

// Three significant figures; below a thousandth (which three decimals would print as 0) the
// exponent form: a threshold of 1e-320 is not "0".
const num = (v: number | null) =>
  v === null
    ? '-'
    : v !== 0 && Math.abs(v) < 0.001
      ? String(Number(v.toPrecision(3)))
      : localeNumber(Number(v.toPrecision(3)));
const money = (v: number) => `$${grouped(v)}`;
// A tornado end where no deployment meets the workload's limits (docs/model.md 7a).
const end = (v: number | null) => (v === null ? 'no deployment' : num(v));

function breakEvenText(w: ClaimWorkload): string {
  const b = w.breakEven;
  if (!b) return '-';
  return b.kind === 'capex_usd_per_chip'
    ? `capex ${money(b.value)} (now ${money(b.current)})`
    : `$${usd(b.value)}/chip-h (now $${usd(b.current)})`;
}

function rangeText(w: ClaimWorkload): string {
  return w.range ? `${num(w.range[0])}..${num(w.range[1])}` : '-';
}

/** The inputs that flip the verdict, most influential first (up to three). */
function flipping(w: ClaimWorkload, limit = 3): string {
  const names = w.tornado.filter((b) => b.flips).map((b) => b.input);
  if (names.length === 0) return 'none';
  return names.length > limit
    ? `${names.slice(0, limit).join(', ')} (+${names.length - limit})`
    : names.join(', ');
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/**
 * One tornado as text: a bar per input from the ratio at its low end to its high end, on a
 * common scale with the threshold marked `|`; `*` marks an input that flips the verdict.
 */
function tornadoText(report: ClaimReport, w: ClaimWorkload, width: number, rows: number): string[] {
  const ratio = w.ratio;
  // A bar with an end where nothing runs draws from the ratio at the values to its other end
  // (docs/model.md 7a); one with neither end has nothing to draw.
  // Every input named as flipping the verdict is drawn, past the first `rows` too.
  const bars = w.tornado
    .filter((b) => b.ratioAtLow !== null || b.ratioAtHigh !== null)
    .filter((b, i) => i < rows || b.flips);
  if (bars.length === 0 || ratio === null) return [];
  const ends = (b: TornadoBar): [number, number] => [b.ratioAtLow ?? ratio, b.ratioAtHigh ?? ratio];
  const values = bars.flatMap(ends);
  values.push(report.threshold, ratio);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const suffix = (b: TornadoBar) =>
    ` ${end(b.ratioAtLow)}..${end(b.ratioAtHigh)} (${escapeControl(b.low)}..${escapeControl(b.high)})`;
  const suffixWidth = Math.max(...bars.map((b) => suffix(b).length));
  // The bars take what the labels and the figures leave of the width, at least 10 columns; a
  // narrow terminal shortens the labels first (to 16), then the bars.
  const labelWidth = Math.max(
    16,
    Math.min(45, Math.max(...bars.map((b) => b.input.length)) + 3, width - 4 - 10 - suffixWidth),
  );
  const barWidth = Math.max(10, width - labelWidth - 2 - suffixWidth);
  const col = (v: number) => Math.round(((v - lo) / (hi - lo || 1)) * (barWidth - 1));
  const out = [
    `${w.workload}: ratio ${num(w.ratio)} against ${report.op} ${num(report.threshold)}; scale ${num(lo)}..${num(hi)}, | the threshold, * flips the verdict`,
  ];
  for (const b of bars) {
    const [x, y] = ends(b)
      .map(col)
      .sort((p, q) => p - q) as [number, number];
    const cells: string[] = Array.from({ length: barWidth }, (_, i) => (i >= x && i <= y ? '#' : ' '));
    cells[col(report.threshold)] = '|';
    // A label cut to fit ends in an ellipsis, a column short of the mark.
    const label = escapeControl(b.input);
    // A space always parts the label from the flip mark, the longest label's too.
    const shown = label.length > labelWidth - 3 ? `${label.slice(0, labelWidth - 4)}\u2026` : label;
    out.push(`  ${pad(shown, labelWidth - 3)} ${b.flips ? '*' : ' '} ${cells.join('')}${suffix(b)}`);
  }
  return out;
}

/**
 * The claim as text. On a terminal (`terminal` its width) the lines fit it: the table's last
 * column and the prose wrap; piped, the table is whole and the tornado 120 columns wide.
 */
export function claimText(report: ClaimReport, terminal?: number): string {
  const width = terminal ?? 120;
  const head = [
    `claim: ${report.subject}/${report.versus} ${report.metric} ${report.op} ${report.threshold}, ${report.pricing} prices`,
    '',
  ];
  const cols = [
    'workload',
    'ratio',
    'range',
    'verdict',
    `break-even for ${report.subject}`,
    'inputs that flip the verdict',
  ];
  const firsts = report.workloads.map((w) => [
    escapeControl(w.workload),
    num(w.ratio),
    rangeText(w),
    w.outcome.status,
    breakEvenText(w),
  ]);
  const firstWidths = cols
    .slice(0, -1)
    .map((c, i) => Math.max(c.length, ...firsts.map((r) => (r[i] as string).length)));
  // The last column names as many of the inputs that flip the verdict as the width leaves room
  // for (the tornado below lists every one); where not even one fits, the column goes and each
  // workload's inputs follow the table as a line of prose.
  // Narrower still (the first five columns alone wider than the terminal), the break-even column
  // goes below the table too, a line per workload.
  const breakEvenBelow =
    terminal !== undefined && firstWidths.reduce((s, n) => s + n + 2, 0) - 2 > width && firsts.length > 0;
  const kept = breakEvenBelow ? firstWidths.slice(0, -1) : firstWidths;
  const room =
    terminal === undefined ? Number.POSITIVE_INFINITY : width - kept.reduce((s, n) => s + n + 2, 0);
  const names = report.workloads.map((w) => {
    let text = flipping(w, 3);
    for (let limit = 2; limit >= 1 && text.length > room; limit--) text = flipping(w, limit);
    return escapeControl(text);
  });
  // The column's header must fit as well as its cells; a short one where the long one does not.
  const flipHeader = (cols.at(-1) as string).length <= room ? (cols.at(-1) as string) : 'flipped by';
  const column = names.every((n) => n.length <= room) && flipHeader.length <= room;
  cols[cols.length - 1] = flipHeader;
  if (!column) cols.pop();
  if (breakEvenBelow) cols.splice(4, 1);
  const rows = firsts.map((r, i) => {
    const first = breakEvenBelow ? r.slice(0, 4) : r;
    return column ? [...first, names[i] as string] : first;
  });
  const below = [
    ...(column
      ? []
      : report.workloads.map(
          (w) =>
            `${escapeControl(w.workload)}: flipped by ${escapeControl(flipping(w, Number.POSITIVE_INFINITY))}`,
        )),
    ...(breakEvenBelow
      ? report.workloads.map(
          (w) => `${escapeControl(w.workload)}: break-even for ${report.subject} ${breakEvenText(w)}`,
        )
      : []),
  ];
  if (below.length > 0) below.unshift('');
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => pad(c, widths[i] as number))
      .join('  ')
      .trimEnd();
  const errors = report.workloads
    .filter((w) => w.outcome.status === 'ERROR')
    .map(
      (w) =>
        // The --plan tco hint is for a chip with no rent; one that cannot run says why in its detail.
        `${escapeControl(w.workload)}: ${escapeControl(w.outcome.detail)}${report.pricing.startsWith('tco') || w.outcome.detail.includes('(') ? '' : " (a chip not rented by the hour has a cost under --plan tco, the owner's)"}`,
    );
  const tornadoes = report.workloads.flatMap((w) => {
    const bars = tornadoText(report, w, width, 12);
    return bars.length > 0 ? ['', ...bars] : [];
  });
  // Only a line wider than the terminal is wrapped: a bar's runs of spaces must stay as they are.
  const prose = (text: string) => wrapIndented(text, terminal);
  // Narrower than even the first four columns side by side: a block per workload (recordBlocks).
  const table = [line(cols), ...rows.map(line)];
  const tableLines =
    terminal !== undefined && Math.max(...table.map(displayWidth)) > width
      ? recordBlocks(cols, rows, width).split('\n')
      : table;
  return `${[...head.flatMap((h) => (h === '' ? [h] : prose(h))), ...tableLines, ...below.flatMap(prose), ...(errors.length > 0 ? ['', ...errors.flatMap(prose)] : []), ...tornadoes.flatMap(prose)].join('\n')}\n${notes(report, terminal)}`;
}

/** Why a range that meets the claim (or misses it) is UNCERTAIN all the same (docs/model.md 7a). */
function servesNothingText(workload: string, n: ServesNothing): string {
  return `${escapeControl(workload)} is UNCERTAIN because ${escapeControl(n.accelerator)} runs no deployment at ${servesNothingAt(n)}, and serves nothing there (docs/model.md 7a).`;
}

function notes(report: ClaimReport, terminal: number | undefined): string {
  return [
    '',
    ...wrap(
      `Verdict over the stated ranges (docs/model.md 11): PASS when all of the range meets the claim, FAIL when none does, UNCERTAIN otherwise.`,
      terminal,
    ),
    ...report.workloads.flatMap((w) => {
      const n = w.outcome.servesNothing;
      return n ? wrap(servesNothingText(w.workload, n), terminal) : [];
    }),
    // A metric that does not depend on the price (tokens per joule, TPOT) has no break-even.
    ...wrap(
      `${report.workloads.some((w) => w.breakEven) ? `Break-even: the ${report.pricing.startsWith('tco') ? 'capex' : 'price'} of ${report.subject} at which the ratio equals ${report.threshold}. ` : ''}Tornado spans are conventions (docs/model.md 7a), not measured uncertainties.`,
      terminal,
    ),
    '',
  ].join('\n');
}

const cell = markdownCell;

export function claimMarkdown(report: ClaimReport): string {
  const out = [
    `### Claim: \`${cell(`${report.subject}/${report.versus} ${report.metric} ${report.op} ${report.threshold}`)}\` (${cell(report.pricing)} prices)`,
    '',
    `| workload | ratio | range | verdict | break-even for ${cell(report.subject)} | inputs that flip the verdict |`,
    '|---|---:|---|---|---|---|',
    ...report.workloads.map(
      (w) =>
        `| ${cell(w.workload)} | ${num(w.ratio)} | ${rangeText(w)} | ${w.outcome.status} | ${cell(breakEvenText(w))} | ${cell(flipping(w, 5))} |`,
    ),
  ];
  for (const w of report.workloads) {
    const n = w.outcome.servesNothing;
    if (n) out.push('', cell(servesNothingText(w.workload, n)));
  }
  for (const w of report.workloads) {
    out.push(
      '',
      `#### ${cell(w.workload)}: what moves the ratio`,
      '',
      '| input | low | high | ratio at low | ratio at high | flips |',
      '|---|---|---|---:|---:|---|',
    );
    for (const b of w.tornado.filter((x, i) => i < 12 || x.flips))
      out.push(
        `| ${cell(b.input)} | ${cell(b.low)} | ${cell(b.high)} | ${end(b.ratioAtLow)} | ${end(b.ratioAtHigh)} | ${b.flips ? 'yes' : ''} |`,
      );
  }
  return `${out.join('\n')}\n`;
}

function barJson(b: TornadoBar) {
  return {
    input: b.input,
    low: b.low,
    high: b.high,
    ratio_at_low: b.ratioAtLow,
    ratio_at_high: b.ratioAtHigh,
    flips: b.flips,
  };
}

export function claimJson(report: ClaimReport): string {
  const doc = {
    schema_version: 1,
    claim: report.claim,
    subject: report.subject,
    versus: report.versus,
    metric: report.metric,
    op: report.op,
    threshold: report.threshold,
    pricing: report.pricing,
    workloads: report.workloads.map((w) => ({
      workload: w.workload,
      verdict: w.outcome.status,
      ratio: w.ratio,
      low: w.range?.[0] ?? null,
      high: w.range?.[1] ?? null,
      detail: w.outcome.detail,
      break_even: w.breakEven
        ? {
            accelerator: w.breakEven.accelerator,
            [w.breakEven.kind]: w.breakEven.value,
            current: w.breakEven.current,
          }
        : null,
      flipping_inputs: w.tornado.filter((b) => b.flips).map((b) => b.input),
      tornado: w.tornado.map(barJson),
    })),
  };
  return `${safeJson(JSON.stringify(doc, null, 2))}\n`;
}
