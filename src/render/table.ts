import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { AcceleratorResult, ResultDoc, WorkloadResult } from '../schema/result.js';
import { chartLines } from './chart.js';
import {
  bestRows,
  type Column,
  columnsFor,
  DROP_ORDER,
  hasFleet,
  layout,
  REQUIRED_COLUMNS,
} from './columns.js';
import { MIX_HEADERS, mixHeading, mixRows, paretoLines, workloadHeading } from './summary.js';
import { escapeStrings } from './text.js';
import type { Renderer, RenderOptions } from './types.js';
import { displayWidth, fitStart } from './width.js';

/** Word-wraps plain text to `width`, continuation lines indented; words longer than a line are cut. */
export function wrap(text: string, width: number | undefined, indent = '    '): string[] {
  if (width === undefined || displayWidth(text) <= width) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const prefix = lines.length === 0 ? '' : indent;
    const candidate = line === '' ? `${prefix}${word}` : `${line} ${word}`;
    if (displayWidth(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    // A first word wider than the line starts it unindented, as a first line that fits does.
    let rest = `${lines.length === 0 ? '' : indent}${word}`;
    while (displayWidth(rest) > width) {
      const cut = fitStart(rest, width);
      lines.push(cut);
      rest = `${indent}${rest.slice(cut.length)}`;
    }
    line = rest;
  }
  if (line !== '') lines.push(line);
  return lines;
}

interface Shape {
  readonly columns: readonly Column[];
  /** Footnote marks inside the Accelerator cell, or listed under the table. */
  readonly marksInline: boolean;
  readonly shortHeaders: boolean;
}

function tableText(
  r: WorkloadResult,
  ran: readonly AcceleratorResult[],
  marks: readonly string[][],
  shape: Shape,
  c: ChalkInstance,
): string {
  const best = bestRows(ran, shape.columns);
  const table = new Table({
    head: [
      'Accelerator',
      ...shape.columns.map((col) => (shape.shortHeaders ? (col.short ?? col.header) : col.header)),
    ].map((h) => c.bold(h)),
    style: { head: [], border: [], compact: true },
    colAligns: [
      'left',
      ...shape.columns.map((col) => (col.key === 'stack' ? ('left' as const) : ('right' as const))),
    ],
  });
  ran.forEach((a, i) => {
    const mark = shape.marksInline && marks[i]?.length ? ` [${marks[i]?.join(',')}]` : '';
    const base = a.id === r.baseline ? ' (base)' : '';
    table.push([
      `${a.id}${base}${mark}`,
      ...shape.columns.map((col, j) => (best[j] === i ? c.green.bold(col.text(a)) : col.text(a))),
    ]);
  });
  return table.toString();
}

export type Align = 'left' | 'right';

/**
 * A table whose widest line fits `width` (a terminal's; undefined for pipes and files): the
 * columns in `dropOrder` (indexes, least important first) go one by one until it fits or none is
 * left to drop. Returns the text and the headers it left out.
 */
export function fittedTable(
  head: readonly string[],
  aligns: readonly Align[],
  rows: readonly (readonly string[])[],
  dropOrder: readonly number[],
  width: number | undefined,
): { text: string; hidden: string[] } {
  const build = (keep: readonly number[]) => {
    const t = new Table({
      head: keep.map((i) => head[i] as string),
      style: { head: [], border: [], compact: true },
      colAligns: keep.map((i) => aligns[i] as Align),
    });
    for (const r of rows) t.push(keep.map((i) => r[i] as string));
    return t.toString();
  };
  let keep = head.map((_, i) => i);
  let text = build(keep);
  const hidden: string[] = [];
  if (width === undefined) return { text, hidden };
  for (const i of dropOrder) {
    if (widest(text) <= width) break;
    keep = keep.filter((k) => k !== i);
    hidden.push(head[i] as string);
    text = build(keep);
  }
  // Too narrow for even the columns no one may drop: one block per row, every column in it.
  if (widest(text) > width) return { text: recordBlocks(head, rows, width), hidden: [] };
  return { text, hidden };
}

/**
 * Rows as blocks for a terminal too narrow for a table (psql's expanded display): the first cell
 * as the block's title, then `  header  value` per other column with a value, long values wrapped.
 */
export function recordBlocks(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  width: number,
): string {
  const labelWidth = Math.max(0, ...head.slice(1).map((h) => displayWidth(h)));
  return rows
    .map((r) =>
      [
        ...wrap(r[0] ?? '', width),
        ...head
          .slice(1)
          .flatMap((h, j) =>
            (r[j + 1] ?? '') === '' ? [] : wrapIndented(`  ${h.padEnd(labelWidth)}  ${r[j + 1]}`, width),
          ),
      ]
        .map((line) => line.trimEnd())
        .join('\n'),
    )
    .join('\n\n');
}

export function hiddenLine(
  hidden: readonly string[],
  width: number | undefined,
  fullFormats = '--format csv or json has',
): string[] {
  return hidden.length === 0
    ? []
    : wrap(`Not shown to fit ${width} columns: ${hidden.join(', ')} (${fullFormats} every column)`, width);
}

/**
 * One line of prose wrapped to `width` under its own indent, continuations indented `more` further;
 * a line that fits, or any line when `width` is undefined (a pipe), stays as it is.
 */
export function wrapIndented(line: string, width: number | undefined, more = '    '): string[] {
  if (width === undefined || displayWidth(line) <= width) return [line];
  const lead = /^ */.exec(line)?.[0] ?? '';
  // At least a character past the continuation indent, so every line moves on.
  return wrap(line.trimStart(), Math.max(more.length + 1, width - lead.length), more).map((x) => lead + x);
}

/** The widest line of a block of text, in screen columns. */
export function widest(text: string): number {
  return Math.max(...text.split('\n').map(displayWidth));
}

/**
 * One block per chip, a line per column (`  Header  value`), for a terminal too narrow for even the
 * required columns side by side: every column fits, as psql's expanded display does.
 */
function recordText(
  r: WorkloadResult,
  ran: readonly AcceleratorResult[],
  marks: readonly string[][],
  columns: readonly Column[],
  c: ChalkInstance,
  width: number,
): string {
  const best = bestRows(ran, columns);
  const labelWidth = Math.max(...columns.map((col) => col.header.length));
  return ran
    .map((a, i) => {
      const mark = marks[i]?.length ? ` [${marks[i]?.join(',')}]` : '';
      const lines = columns.flatMap((col, j) => {
        const v = col.text(a);
        const shown = (x: string) => (best[j] === i ? c.green.bold(x) : x);
        const line = `  ${col.header.padEnd(labelWidth)}  ${v}`;
        if (displayWidth(line) <= width) return [`  ${col.header.padEnd(labelWidth)}  ${shown(v)}`];
        // Too narrow for label and value side by side: the value under its label, wrapped.
        return [`  ${col.header}`, ...wrap(v, Math.max(1, width - 4), '').map((x) => `    ${shown(x)}`)];
      });
      const title = wrap(`${a.id}${a.id === r.baseline ? ' (base)' : ''}${mark}`, width).map((x) =>
        c.bold(x),
      );
      return [...title, ...lines].join('\n');
    })
    .join('\n\n');
}

/**
 * The shape that fits `width`: all columns, then dropping the optional ones in DROP_ORDER, then
 * moving footnote marks under the table, then short headers, and if even that is too wide, one
 * block per chip with every column (recordText). `--wide` and `--columns` skip this.
 */
function fitShape(
  r: WorkloadResult,
  ran: readonly AcceleratorResult[],
  marks: readonly string[][],
  options: RenderOptions,
  c: ChalkInstance,
): { shape: Shape; text: string | undefined } {
  const all = columnsFor({ ...options, fleet: hasFleet(r) });
  let shape: Shape = { columns: all, marksInline: true, shortHeaders: false };
  // No chip ran: a header with no rows says nothing the list below the table does not.
  if (ran.length === 0) return { shape, text: undefined };
  let text = tableText(r, ran, marks, shape, c);
  const width = options.wide || options.columns ? undefined : options.width;
  if (width === undefined) return { shape, text };
  for (const key of DROP_ORDER) {
    if (widest(text) <= width) return { shape, text };
    if (REQUIRED_COLUMNS.includes(key)) continue;
    shape = { ...shape, columns: shape.columns.filter((col) => col.key !== key) };
    text = tableText(r, ran, marks, shape, c);
  }
  for (const step of [{ marksInline: false }, { shortHeaders: true }]) {
    if (widest(text) <= width) return { shape, text };
    shape = { ...shape, ...step };
    text = tableText(r, ran, marks, shape, c);
  }
  if (widest(text) <= width) return { shape, text };
  return {
    shape: { columns: all, marksInline: true, shortHeaders: false },
    text: recordText(r, ran, marks, all, c, width),
  };
}

export const renderTable: Renderer = (raw: ResultDoc, options) => {
  const doc = escapeStrings(raw);
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const width = options.wide ? undefined : options.width;
  const out: string[] = [];
  for (const r of doc.results) {
    const { ran, didNot, notes, marks } = layout(r, options);
    const { shape, text } = fitShape(r, ran, marks, options, c);
    out.push(...wrap(workloadHeading(r), width).map((l) => c.bold(l)), ...(text === undefined ? [] : [text]));
    if (!shape.marksInline) {
      const listed = ran.flatMap((a, i) => (marks[i]?.length ? [`${a.id} [${marks[i]?.join(',')}]`] : []));
      if (listed.length > 0) out.push(...wrap(`Notes per chip: ${listed.join(', ')}`, width));
    }
    const hidden = columnsFor({ ...options, fleet: hasFleet(r) }).filter(
      (col) => !shape.columns.includes(col),
    );
    if (hidden.length > 0)
      out.push(
        ...wrap(
          `Not shown to fit ${width} columns: ${hidden.map((col) => col.key).join(', ')} (--wide shows all)`,
          width,
        ),
      );
    if (didNot.length > 0) {
      out.push('', ...wrap('Cannot run this workload:', width));
      didNot.forEach((a, i) => {
        const mark = marks[ran.length + i]?.length ? ` [${marks[ran.length + i]?.join(',')}]` : '';
        const lines = wrapIndented(`  ${a.id}${mark}: ${a.reason ?? ''}`, width);
        out.push(...lines.map((l, k) => (k === 0 ? l.replace(a.id, c.yellow(a.id)) : l)));
      });
    }
    if (notes.length > 0) {
      out.push('', ...notes.flatMap((n, i) => wrap(`[${i + 1}] ${n}`, width).map((l) => c.dim(l))));
    }
    const pareto = options.pareto === false ? [] : paretoLines(r);
    if (pareto.length > 0) out.push('', ...pareto.flatMap((l) => wrap(l, width)));
    // Chart lines are laid out to the width already; only their prose lines are wrapped, inside.
    if (options.chart) out.push('', ...chartLines(r, width ?? 100, c, (l) => wrap(l, width)));
    out.push(
      ...wrap(
        `${options.color ? 'Best value per column in green. ' : ''}Costs carried by output tokens; lower is better for TTFT, TPOT, $/1M and J/tok. Stack: the serving stack assumed (* no row of this chip fitted on it: its stack's factors from other chips${ran.some((a) => a.stack?.moe_across) ? '; + its fit on MoE models served across chips, docs/model.md 12a' : ''}).${options.ranges ? ' Range: where 80% of measured values fell against cross-validated predictions at this level of calibration (for a * chip: of chips predicted with their own rows left out; tok/s; an estimated collective latency or power cap clock widens it, an estimated price or power widens tok/$ or tok/W further; docs/model.md section 11).' : ''}`,
        width,
        '',
      ).map((l) => c.dim(l)),
      '',
    );
  }
  for (const m of doc.mixes ?? []) {
    out.push(...wrap(mixHeading(m), width).map((l) => c.bold(l)));
    const rows = mixRows(m);
    // The last column says what a chip lacks; it is left out when every chip has a blend, and on
    // a terminal too narrow for it it follows the table as a line per chip.
    const mixTable = (shown: number) => {
      const t = new Table({
        head: MIX_HEADERS.slice(0, shown).map((h) => c.bold(h)),
        style: { head: [], border: [], compact: true },
        colAligns: ['left', 'right', 'right', 'right', 'left'].slice(0, shown) as ('left' | 'right')[],
      });
      for (const row of rows) t.push(row.slice(0, shown));
      return t.toString();
    };
    const lacks = rows.some((r) => r[4] !== '');
    const full = mixTable(lacks ? 5 : 4);
    const narrow = lacks ? mixTable(4) : full;
    if (width === undefined || widest(full) <= width) out.push(full, '');
    else if (widest(narrow) <= width)
      out.push(narrow, ...rows.flatMap((r) => (r[4] === '' ? [] : wrap(`${r[0]}: ${r[4]}`, width))), '');
    // Too narrow for even four columns: a block per chip.
    else out.push(recordBlocks([...MIX_HEADERS.slice(0, 4), 'lacks'], rows, width), '');
  }
  return `${out.join('\n')}\n`.replace(/\n\n$/, '\n');
};
