// Charts in the terminal (`compare --chart`): tokens per dollar with its range as horizontal bars,
// and the Pareto curves (tokens/s per chip against tokens/s per user) as a small plot. Unicode
// blocks only; colour comes from the caller's chalk, off for pipes and files.
import type { ChalkInstance } from 'chalk';
import type { WorkloadResult } from '../schema/result.js';
import { sig } from './format.js';

interface Bar {
  readonly label: string;
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

/**
 * One line per chip: `█` up to the low end of its range, `▓` from there to the expected value,
 * `─` on to the high end (`┤`). The scale is the largest high end; the value is printed after.
 */
export function barLines(bars: readonly Bar[], width: number, c: ChalkInstance): string[] {
  if (bars.length === 0) return [];
  const labelWidth = Math.max(...bars.map((b) => b.label.length));
  const valueWidth = Math.max(...bars.map((b) => sig(b.value).length));
  const area = Math.max(10, width - labelWidth - valueWidth - 3);
  const top = Math.max(...bars.map((b) => b.high));
  const at = (v: number) => Math.max(0, Math.min(area, Math.round((v / top) * area)));
  return bars.map((b) => {
    const lo = at(b.low);
    const v = Math.max(at(b.value), lo);
    const hi = Math.max(at(b.high), v);
    const solid = '█'.repeat(lo);
    const shaded = '▓'.repeat(v - lo);
    const whisker = hi > v ? `${'─'.repeat(Math.max(0, hi - v - 1))}┤` : '';
    const bar = `${c.green(solid)}${c.green.dim(shaded)}${c.dim(whisker)}`;
    const pad = ' '.repeat(area - hi);
    return `${b.label.padEnd(labelWidth)} ${bar}${pad} ${sig(b.value).padStart(valueWidth)}`;
  });
}

const MARKS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * The Pareto curves as a character plot: x tokens/s per user, y tokens/s per chip, one letter per
 * chip (a legend follows); where two chips share a cell the later letter wins.
 */
export function paretoPlot(
  r: WorkloadResult,
  width: number,
  height = 12,
  prose: (line: string) => string[] = (l) => [l],
): string[] {
  const curves = r.accelerators.filter((a) => a.pareto.length > 0);
  if (curves.length === 0) return [];
  const points = curves.flatMap((a, i) =>
    a.pareto.map((p) => ({
      mark: MARKS[i % MARKS.length] as string,
      x: p.interactivity_tokens_per_s,
      y: p.output_tokens_per_s_per_chip,
    })),
  );
  const xMax = Math.max(...points.map((p) => p.x));
  const yMax = Math.max(...points.map((p) => p.y));
  const yLabel = sig(yMax).length;
  const cols = Math.max(10, width - yLabel - 3);
  const grid = Array.from({ length: height }, () => Array.from({ length: cols }, () => ' '));
  for (const p of points) {
    const col = Math.min(cols - 1, Math.round((p.x / xMax) * (cols - 1)));
    const row = height - 1 - Math.min(height - 1, Math.round((p.y / yMax) * (height - 1)));
    (grid[row] as string[])[col] = p.mark;
  }
  const lines = grid.map((row, i) => {
    const label = i === 0 ? sig(yMax) : i === height - 1 ? '0' : '';
    return `${label.padStart(yLabel)} │${row.join('')}`;
  });
  lines.push(`${' '.repeat(yLabel)} └${'─'.repeat(cols)}`);
  const right = `${sig(xMax)} tok/s per user`;
  lines.push(`${' '.repeat(yLabel + 2)}0${' '.repeat(Math.max(1, cols - 1 - right.length))}${right}`);
  const legend = curves.map((a, i) => `${MARKS[i % MARKS.length]} ${a.id}`).join('  ');
  return [
    ...prose('Pareto curves: tok/s per chip (up) against tok/s per user (right)'),
    ...lines,
    ...prose(legend),
  ];
}

/** The charts under one workload's table: tokens per dollar with ranges, then the Pareto plot. */
export function chartLines(
  r: WorkloadResult,
  width: number,
  c: ChalkInstance,
  prose: (line: string) => string[] = (l) => [l],
): string[] {
  const bars = r.accelerators.flatMap((a) => {
    const b = a.ranges?.output_tokens_per_usd;
    const v = a.metrics.output_tokens_per_usd;
    if (v === null) return [];
    return [{ label: a.id, value: v, low: b?.low ?? v, high: b?.high ?? v }];
  });
  const out: string[] = [];
  if (bars.length > 0) {
    out.push(
      ...prose(
        'Output tokens per dollar (█ sure to the low end of the range, ▓ to the expected value, ─┤ to the high end):',
      ),
      ...barLines(bars, width, c),
    );
  }
  const plot = paretoPlot(r, width, 12, prose);
  if (plot.length > 0) out.push('', ...plot);
  return out;
}
