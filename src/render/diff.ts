// A diff of two saved results as Markdown (a step summary or a PR comment).
import type { Change } from '../api/diff.js';
import { sig } from './format.js';
import { markdownCell } from './text.js';

/**
 * A change in percent, signed, or '-' where there is none (from or to no value, or from 0). Past a
 * million percent (a saved value near 0 or 1e308) in exponent form, not 300 digits.
 */
export function signedPercent(percent: number | null): string {
  if (percent === null) return '-';
  const digits = Math.abs(percent) < 1e6 ? percent.toFixed(2) : percent.toExponential(2);
  return `${percent >= 0 ? '+' : ''}${digits}%`;
}

/** What moved, as Markdown (a step summary or a PR comment); breaches of --fail-above in bold. */
export function diffMarkdown(
  changes: readonly Change[],
  breaches: readonly Change[],
  limit: number | undefined,
): string {
  const out = ['### infercost diff', ''];
  if (changes.length === 0) out.push('No changes.');
  else {
    out.push('| workload | accelerator | metric | old | new | change |', '|---|---|---|---:|---:|---:|');
    for (const c of changes) {
      const pct = signedPercent(c.percent);
      const hit =
        breaches.includes(c) ||
        breaches.some(
          (b) => b.workload === c.workload && b.accelerator === c.accelerator && b.metric === c.metric,
        );
      out.push(
        `| ${markdownCell(c.workload)} | ${markdownCell(c.accelerator)} | ${c.metric} | ${markdownCell(cell(c.old))} | ${markdownCell(cell(c.new))} | ${hit ? `**${pct}**` : pct} |`,
      );
    }
  }
  if (limit !== undefined)
    out.push(
      '',
      breaches.length > 0
        ? `**${breaches.length} over the ${limit}% limit on tokens per dollar.**`
        : `Tokens per dollar within ${limit}%.`,
    );
  return `${out.join('\n')}\n`;
}

export function cell(v: number | string | null): string {
  return typeof v === 'number' ? sig(v) : (v ?? '-');
}
