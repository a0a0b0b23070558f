import { type AcceleratorResult, METRIC_KEYS, type MixResult, type ResultDoc } from '../schema/result.js';
import { escapeControl } from './text.js';
import type { Renderer } from './types.js';

const NEEDS_CARE = /[",\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_IN_CSV = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** RFC 4180: quote a field holding a comma, quote or line break; double inner quotes. */
export function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = String(v);
  if (!NEEDS_CARE.test(s)) return s;
  // Quoted line breaks are faithful CSV; other controls (an escape sequence in a name) are shown
  // as visible escapes so that `cat file.csv` cannot drive the terminal.
  const safe = s.replace(/\r\n|[\r\n]/g, '\n').replace(UNSAFE_IN_CSV, (c) => escapeControl(c));
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * One CSV record. Runs of numbers are printed by one JSON.stringify of the run: V8's JSON
 * serializer prints each double into one buffer, about twice as fast as String(x) per number,
 * with the same shortest round-trip digits (a non-finite number becomes null, here empty).
 */
export function csvLine(fields: readonly (string | number | boolean | null)[]): string {
  const parts: string[] = [];
  let runStart = -1;
  for (let i = 0; i < fields.length; i++) {
    const v = fields[i];
    if (typeof v === 'number') {
      if (runStart < 0) runStart = i;
      continue;
    }
    if (runStart >= 0) {
      parts.push(numberRun(fields, runStart, i));
      runStart = -1;
    }
    parts.push(csvField(v ?? null));
  }
  if (runStart >= 0) parts.push(numberRun(fields, runStart, fields.length));
  return `${parts.join(',')}\r\n`;
}

function numberRun(fields: readonly unknown[], from: number, to: number): string {
  const text = JSON.stringify(from === 0 && to === fields.length ? fields : fields.slice(from, to));
  return (text.includes('null') ? text.replace(/null/g, '') : text).slice(1, -1);
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
  // docs/model.md section 8: empty unless the workload gives a demand or a power budget.
  'fleet_sized_for',
  'fleet_chips',
  'fleet_facility_w',
  'fleet_output_tokens_per_day',
  'fleet_usd_per_year',
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
    a.fleet?.sized_for ?? null,
    a.fleet?.chips ?? null,
    a.fleet?.facility_w ?? null,
    a.fleet?.output_tokens_per_day ?? null,
    a.fleet?.usd_per_year ?? null,
  ];
}

/**
 * A mix's blend for one chip (docs/model.md section 8b) in the same columns: the mix's name as the
 * workload, status `mix`, the three blended metrics, and in `reason` the classes a chip lacks
 * (then it has no blend). Every other cell is empty: a blend has no one deployment or latency.
 */
export function csvMixRow(
  m: MixResult,
  a: MixResult['accelerators'][number],
  name: string | null,
): (string | number | boolean | null)[] {
  const cells: Partial<Record<(typeof CSV_COLUMNS)[number], string | number | null>> = {
    workload: m.name,
    accelerator: a.id,
    name,
    status: 'mix',
    usd_per_mtok_output: a.usd_per_mtok_output,
    output_tokens_per_usd: a.output_tokens_per_usd,
    tokens_per_joule_output: a.tokens_per_joule_output,
    reason: a.missing.length > 0 ? `no blend: ${a.missing.join(', ')} cannot be run or priced` : null,
  };
  return CSV_COLUMNS.map((k) => cells[k] ?? null);
}

export const renderCsv: Renderer = (doc: ResultDoc) => {
  const names = new Map(doc.results.flatMap((r) => r.accelerators.map((a) => [a.id, a.name] as const)));
  return (
    csvLine(CSV_COLUMNS) +
    doc.results
      .flatMap((r) => r.accelerators.map((a) => csvLine(csvRow(r.workload.name, r.baseline, a))))
      .join('') +
    (doc.mixes ?? [])
      .flatMap((m) => m.accelerators.map((a) => csvLine(csvMixRow(m, a, names.get(a.id) ?? null))))
      .join('')
  );
};
