import { Chalk } from 'chalk';
import Table from 'cli-table3';
import type { ResultDoc } from '../schema/result.js';
import { layout } from './columns.js';
import { paretoLines, workloadHeading } from './summary.js';
import { escapeStrings } from './text.js';
import type { Renderer } from './types.js';

export const renderTable: Renderer = (raw: ResultDoc, options) => {
  const doc = escapeStrings(raw);
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const out: string[] = [];
  for (const r of doc.results) {
    const { ran, didNot, columns: COLUMNS, best, notes, marks } = layout(r, options);
    const table = new Table({
      head: ['Accelerator', ...COLUMNS.map((col) => col.header)].map((h) => c.bold(h)),
      style: { head: [], border: [], compact: true },
      colAligns: ['left', 'left', ...COLUMNS.slice(1).map(() => 'right' as const)],
    });
    ran.forEach((a, i) => {
      const mark = marks[i]?.length ? ` [${marks[i]?.join(',')}]` : '';
      const base = a.id === r.baseline ? ' (base)' : '';
      table.push([
        `${a.id}${base}${mark}`,
        ...COLUMNS.map((col, j) => (best[j] === i ? c.green.bold(col.text(a)) : col.text(a))),
      ]);
    });
    out.push(c.bold(workloadHeading(r)), table.toString());
    if (didNot.length > 0) {
      out.push('', 'Cannot run this workload:');
      didNot.forEach((a, i) => {
        const mark = marks[ran.length + i]?.length ? ` [${marks[ran.length + i]?.join(',')}]` : '';
        out.push(`  ${c.yellow(a.id)}${mark}: ${a.reason ?? ''}`);
      });
    }
    if (notes.length > 0) {
      out.push('', ...notes.map((n, i) => c.dim(`[${i + 1}] ${n}`)));
    }
    const pareto = paretoLines(r);
    if (pareto.length > 0) out.push('', ...pareto);
    out.push(
      c.dim(
        `Best value per column in green. Costs carried by output tokens; lower is better for TTFT, TPOT, $/1M and J/tok. Stack: the serving stack assumed (* never measured on this chip: its stack's factors from other chips).${options.ranges ? ' Range: where 80% of measured values fell against cross-validated predictions at this level of calibration (tok/s, tok/$ and tok/W move together; docs/model.md section 11).' : ''}`,
      ),
      '',
    );
  }
  return `${out.join('\n')}\n`.replace(/\n\n$/, '\n');
};
