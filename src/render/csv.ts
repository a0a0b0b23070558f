import { type AcceleratorResult, METRIC_KEYS, type ResultDoc } from '../schema/result.js';
import type { Renderer } from './types.js';

/** RFC 4180: quote a field holding a comma, quote or line break; double inner quotes. */
export function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: readonly (string | number | boolean | null)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** The fixed column order after any leading columns (sweeps put their swept values first). */
export const CSV_COLUMNS = [
  'workload',
  'accelerator',
  'name',
  'status',
  'chips',
  'batch',
  'compute_precision',
  'weights_precision',
  ...METRIC_KEYS,
  'vs_baseline',
  'ratio_output_tokens_per_usd',
  'ratio_tokens_per_joule_output',
  'break_even_usd_per_chip_hour',
  'price_plan',
  'price_provider',
  'price_as_of',
  'price_is_estimate',
  'reason',
  'warnings',
] as const;

export function csvRow(
  workload: string,
  baseline: string,
  a: AcceleratorResult,
): (string | number | boolean | null)[] {
  return [
    workload,
    a.id,
    a.name,
    a.status,
    a.deployment?.chips ?? null,
    a.deployment?.batch ?? null,
    a.deployment?.compute_precision ?? null,
    a.deployment?.weights_precision ?? null,
    ...METRIC_KEYS.map((k) => a.metrics[k]),
    a.vs_baseline ? baseline : null,
    a.vs_baseline?.metrics.output_tokens_per_usd?.ratio ?? null,
    a.vs_baseline?.metrics.tokens_per_joule_output?.ratio ?? null,
    a.vs_baseline?.break_even_usd_per_chip_hour ?? null,
    a.price?.plan ?? null,
    a.price?.provider ?? null,
    a.price?.as_of ?? null,
    a.price?.is_estimate ?? null,
    a.reason,
    a.warnings.map((w) => w.message).join('; '),
  ];
}

export const renderCsv: Renderer = (doc: ResultDoc) =>
  csvLine(CSV_COLUMNS) +
  doc.results
    .flatMap((r) => r.accelerators.map((a) => csvLine(csvRow(r.workload.name, r.baseline, a))))
    .join('');
