import type { ResultDoc } from '../schema/result.js';
import { layout } from './columns.js';
import { MIX_HEADERS, mixHeading, mixRows, paretoLines, workloadHeading } from './summary.js';
import { escapeStrings } from './text.js';
import type { Renderer } from './types.js';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

export const renderMarkdown: Renderer = (raw: ResultDoc, options) => {
  const doc = escapeStrings(raw);
  const out: string[] = [];
  for (const r of doc.results) {
    const { ran, didNot, columns: COLUMNS, best, notes, marks } = layout(r, options);
    // The note marks of row k (the chips that ran, then those that cannot): ` [1,2]`, or nothing.
    const markOf = (k: number) => (marks[k]?.length ? ` [${marks[k].join(',')}]` : '');
    out.push(`### ${cell(workloadHeading(r))}`, '');
    out.push(`| Accelerator | ${COLUMNS.map((c) => c.header).join(' | ')} |`);
    out.push(`|---|${COLUMNS.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
    ran.forEach((a, i) => {
      const name = `${a.id}${a.id === r.baseline ? ' (base)' : ''}${markOf(i)}`;
      out.push(
        `| ${cell(name)} | ${COLUMNS.map((c, j) => (best[j] === i ? `**${c.text(a)}**` : c.text(a))).join(' | ')} |`,
      );
    });
    if (didNot.length > 0) {
      out.push('', 'Cannot run this workload:', '');
      // Marked as the table marks its rows: the notes below are theirs too.
      out.push(...didNot.map((a, i) => `- ${a.id}${markOf(ran.length + i)}: ${cell(a.reason ?? '')}`));
    }
    if (notes.length > 0) out.push('', ...notes.map((n, i) => `${i + 1}. ${cell(n)}`));
    const pareto = paretoLines(r);
    if (pareto.length > 0)
      out.push('', `${pareto[0]}`, '', ...pareto.slice(1).map((l) => `- ${cell(l.trim())}`));
    out.push('');
  }
  for (const m of doc.mixes ?? []) {
    out.push(`### ${cell(mixHeading(m))}`, '', `| ${MIX_HEADERS.join(' | ')} |`, '|---|---:|---:|---:|---|');
    for (const row of mixRows(m)) out.push(`| ${row.map(cell).join(' | ')} |`);
    out.push('');
  }
  return `${out.join('\n')}`;
};
