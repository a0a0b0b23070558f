// The columns of the human-facing comparison (table and Markdown), defined once.
import type { AcceleratorResult, WorkloadResult } from '../schema/result.js';
import { compact, millis, ratio, sig, usd } from './format.js';
import { replicaText } from './words.js';

export interface Column {
  /** The name `--columns` takes. */
  readonly key: string;
  readonly header: string;
  /** A narrower header, for a table squeezed into a small terminal. */
  readonly short?: string;
  readonly value: (a: AcceleratorResult) => number | null;
  readonly text: (a: AcceleratorResult) => string;
  /** Which way the best value points, for highlighting; undefined: not ranked. */
  readonly best?: 'max' | 'min';
}

const m = (a: AcceleratorResult) => a.metrics;

function rangeText(a: AcceleratorResult): string {
  const r = a.ranges?.output_tokens_per_s_per_chip;
  if (!r || r.expected === null || r.expected === 0) return '-';
  const pct = (v: number | null) =>
    v === null ? '?' : `${Math.round((v / (r.expected as number) - 1) * 100)}%`;
  const lo = pct(r.low);
  const hi = pct(r.high);
  return `${lo}..${hi.startsWith('-') ? hi : `+${hi}`}`;
}

/** Spread of tok/s, tok/$ and tok/W (all scale with throughput) when assumed factors span their range. */
export const RANGE_COLUMN: Column = {
  key: 'range',
  header: 'Range',
  value: () => null,
  text: rangeText,
};

/**
 * The fleet a demand or power budget calls for (docs/model.md section 8); shown whenever a
 * workload gives one.
 */
export const FLEET_COLUMNS: readonly Column[] = [
  {
    key: 'fleet_chips',
    header: 'Fleet chips',
    short: 'Chips',
    value: (a) => a.fleet?.chips ?? null,
    text: (a) => compact(a.fleet?.chips),
  },
  {
    key: 'fleet_mw',
    header: 'Fleet MW',
    short: 'MW',
    value: (a) => (a.fleet ? a.fleet.facility_w / 1e6 : null),
    text: (a) => sig(a.fleet ? a.fleet.facility_w / 1e6 : null),
  },
  {
    key: 'fleet_tok_day',
    header: 'Out tok/day',
    short: 'Tok/day',
    value: (a) => a.fleet?.output_tokens_per_day ?? null,
    text: (a) => compact(a.fleet?.output_tokens_per_day),
    best: 'max',
  },
  {
    key: 'fleet_usd_year',
    header: '$M/year',
    short: '$M/yr',
    value: (a) => (a.fleet?.usd_per_year == null ? null : a.fleet.usd_per_year / 1e6),
    text: (a) => sig(a.fleet?.usd_per_year == null ? null : a.fleet.usd_per_year / 1e6),
    best: 'min',
  },
];

export function columnsFor(options: {
  readonly ranges: boolean;
  readonly columns?: readonly string[] | undefined;
  /** A workload gave a demand or a power budget: add the fleet columns. */
  readonly fleet?: boolean;
}): readonly Column[] {
  if (options.columns) {
    const all = [...COLUMNS, RANGE_COLUMN, ...FLEET_COLUMNS];
    return options.columns.flatMap((k) => all.filter((c) => c.key === k));
  }
  const base = options.ranges ? [...COLUMNS.slice(0, 5), RANGE_COLUMN, ...COLUMNS.slice(5)] : COLUMNS;
  return options.fleet ? [...base, ...FLEET_COLUMNS] : base;
}

/** Every `--columns` name, in the table's order. */
export function columnKeys(): string[] {
  return [...COLUMNS.slice(0, 5), RANGE_COLUMN, ...COLUMNS.slice(5), ...FLEET_COLUMNS].map((c) => c.key);
}

/** Whether any chip of a workload has a fleet (a demand or power budget was given). */
export function hasFleet(r: WorkloadResult): boolean {
  return r.accelerators.some((a) => a.fleet !== null);
}

/** The columns a narrow terminal keeps whatever else it drops. */
export const REQUIRED_COLUMNS = ['replica', 'tok_s_chip', 'usd_per_mtok', 'tok_usd_vs_base', 'tok_w_vs_base'];
/** What a narrow terminal drops first. */
// A fleet's MW goes first: under a power budget it is the budget on every row (the heading says it).
export const DROP_ORDER = [
  'fleet_mw',
  'tok_s_mw',
  'j_per_tok',
  'ttft',
  'tpot',
  'tok_per_usd',
  'stack',
  'price',
  'range',
];

export const COLUMNS: readonly Column[] = [
  {
    // The serving stack the factors describe; * when no row of this chip was fitted on it; + when
    // the deployment ran at the stack's fit on MoE models across chips (12a).
    key: 'stack',
    header: 'Stack',
    value: () => null,
    text: (a) =>
      a.stack ? `${a.stack.name}${a.stack.level === 'pair' ? '' : '*'}${a.stack.moe_across ? '+' : ''}` : '-',
  },
  {
    key: 'replica',
    header: 'Replica',
    value: () => null,
    text: (a) => (a.deployment ? replicaText(a.deployment) : '-'),
  },
  {
    key: 'ttft',
    header: 'TTFT ms',
    value: (a) => m(a).ttft_s,
    text: (a) => millis(m(a).ttft_s),
    best: 'min',
  },
  {
    key: 'tpot',
    header: 'TPOT ms',
    value: (a) => m(a).tpot_s,
    text: (a) => millis(m(a).tpot_s),
    best: 'min',
  },
  {
    key: 'tok_s_chip',
    header: 'Out tok/s/chip',
    short: 'tok/s/chip',
    value: (a) => m(a).output_tokens_per_s_per_chip,
    text: (a) => sig(m(a).output_tokens_per_s_per_chip),
    best: 'max',
  },
  {
    // What one chip-hour costs and who quotes it: every row on the basis the heading names.
    key: 'price',
    header: '$/chip-h',
    value: () => null,
    text: (a) => (a.price ? `${usd(a.price.usd_per_chip_hour)} ${a.price.provider ?? ''}`.trim() : '-'),
  },
  {
    key: 'usd_per_mtok',
    header: '$/1M out',
    short: '$/1M',
    value: (a) => m(a).usd_per_mtok_output,
    text: (a) => usd(m(a).usd_per_mtok_output),
    best: 'min',
  },
  {
    key: 'tok_per_usd',
    header: 'Out tok/$',
    short: 'tok/$',
    value: (a) => m(a).output_tokens_per_usd,
    text: (a) => sig(m(a).output_tokens_per_usd),
    best: 'max',
  },
  {
    key: 'j_per_tok',
    header: 'J/tok',
    value: (a) => m(a).joules_per_output_token,
    text: (a) => sig(m(a).joules_per_output_token),
    best: 'min',
  },
  {
    key: 'tok_s_mw',
    header: 'Tok/s/MW',
    value: (a) => m(a).output_tokens_per_s_per_mw,
    text: (a) => sig(m(a).output_tokens_per_s_per_mw),
    best: 'max',
  },
  {
    key: 'tok_usd_vs_base',
    header: 'Tok/$ vs base',
    short: 'tok/$ x',
    value: (a) => a.vs_baseline?.metrics.output_tokens_per_usd?.ratio ?? null,
    text: (a) => ratio(a.vs_baseline?.metrics.output_tokens_per_usd?.ratio),
    best: 'max',
  },
  {
    key: 'tok_w_vs_base',
    header: 'Tok/W vs base',
    short: 'tok/W x',
    value: (a) => a.vs_baseline?.metrics.tokens_per_joule_output?.ratio ?? null,
    text: (a) => ratio(a.vs_baseline?.metrics.tokens_per_joule_output?.ratio),
    best: 'max',
  },
];

/** Index of the best row for each ranked column (ties: first), over the rows that ran. */
export function bestRows(
  rows: readonly AcceleratorResult[],
  columns: readonly Column[],
): (number | undefined)[] {
  return columns.map((c) => {
    if (!c.best) return undefined;
    let best: number | undefined;
    let bestValue = 0;
    rows.forEach((r, i) => {
      const v = c.value(r);
      if (v === null) return;
      if (best === undefined || (c.best === 'max' ? v > bestValue : v < bestValue)) {
        best = i;
        bestValue = v;
      }
    });
    return best;
  });
}

/** Footnotes: each distinct warning text gets a number; rows list the numbers they carry. */
export function footnotes(rows: readonly AcceleratorResult[]): { notes: string[]; marks: string[][] } {
  const notes: string[] = [];
  // A row's numbers in ascending order ([2,3,10], not [10,2,3]): a note first met on a later row
  // gets a higher number than the notes earlier rows introduced.
  const marks = rows.map((r) =>
    r.warnings
      .map((w) => {
        let i = notes.indexOf(w.message);
        if (i < 0) {
          notes.push(w.message);
          i = notes.length - 1;
        }
        return i + 1;
      })
      .sort((a, b) => a - b)
      .map(String),
  );
  return { notes, marks };
}

/** What table and Markdown both lay out for one workload: who ran, the columns, best cells, notes. */
export function layout(
  r: WorkloadResult,
  options: { readonly ranges: boolean; readonly columns?: readonly string[] | undefined },
) {
  const ran = r.accelerators.filter((a) => a.status === 'ok');
  const didNot = r.accelerators.filter((a) => a.status !== 'ok');
  const columns = columnsFor({ ...options, fleet: hasFleet(r) });
  return { ran, didNot, columns, best: bestRows(ran, columns), ...footnotes([...ran, ...didNot]) };
}
