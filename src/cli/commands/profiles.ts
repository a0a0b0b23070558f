import Table from 'cli-table3';
import { UsageError } from '../../io/errors.js';
import { unknownAccelerator } from '../../io/workload.js';
import { fixed, sig } from '../../render/format.js';
import { escapeText, safeJson } from '../../render/text.js';
import type { AcceleratorFile } from '../../schema/accelerator.js';
import { sourcedFieldPaths } from '../../schema/rules.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit.js';

/**
 * How many of a profile's hardware, power and price numbers are estimates (efficiency factors
 * are counted apart, as calibrated or assumed).
 */
export function estimateCount(p: AcceleratorFile): number {
  const fields = sourcedFieldPaths(p).filter(
    (f) => !f.startsWith('efficiency.') && p.sources[f]?.kind === 'estimate',
  ).length;
  const prices = (p.prices ?? []).filter((q) => q.kind === 'estimate').length;
  return fields + prices + (p.power.system_w_per_chip === undefined ? 1 : 0);
}

function efficiencyStatus(p: AcceleratorFile): string {
  const statuses = new Set(Object.values(p.efficiency).map((f) => f.status));
  return statuses.size > 1 ? 'mixed' : ([...statuses][0] ?? '-');
}

function firstPrice(p: AcceleratorFile): string {
  const q = p.prices?.find((x) => x.plan === 'on_demand') ?? p.prices?.[0];
  return q ? `${fixed(q.usd_per_chip_hour, 2)}${q.kind === 'estimate' ? '*' : ''}` : '-';
}

export function profilesCommand(ctx: Context, opts: { format?: string }): number {
  const catalog = ctx.catalog();
  const entries = [...catalog.accelerators.values()].sort((a, b) => a.value.id.localeCompare(b.value.id));
  if (opts.format === 'json') {
    ctx.io.stdout(
      `${safeJson(
        JSON.stringify(
          entries.map((e) => ({
            ...e.value,
            file: e.file,
            origin: e.origin,
            overrides: e.overrides ?? null,
            estimates: estimateCount(e.value),
          })),
          null,
          2,
        ),
      )}\n`,
    );
    return EXIT.ok;
  }
  if (opts.format !== undefined && opts.format !== 'table')
    throw new UsageError(`--format ${opts.format}: expected table or json`);
  const table = new Table({
    head: [
      'id',
      'name',
      'vendor',
      'HBM GiB',
      'TB/s',
      'FP8 TFLOPS',
      'TDP W',
      '$/chip-h',
      'estimates',
      'efficiency',
      'file',
    ],
    style: { head: [], border: [], compact: true },
    colAligns: ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'left'],
  });
  for (const e of entries) {
    const p = e.value;
    table.push([
      p.id,
      p.name,
      p.vendor,
      sig(p.memory.capacity_gib ?? ((p.memory.capacity_gb ?? 0) * 1e9) / 2 ** 30),
      sig(p.memory.bandwidth_tbps),
      p.compute_tflops.fp8 === undefined ? '-' : sig(p.compute_tflops.fp8),
      `${sig(p.power.tdp_w)}${p.sources['power.tdp_w']?.kind === 'estimate' ? '*' : ''}`,
      firstPrice(p),
      String(estimateCount(p)),
      efficiencyStatus(p),
      `${e.file}${e.origin === 'user' ? (e.overrides ? ' (user, replaces bundled)' : ' (user)') : ''}`,
    ]);
  }
  ctx.io.stdout(
    escapeText(
      `${table.toString()}\n* estimate (see 'infercost profiles show <id>' for how it was derived)\n`,
    ),
  );
  return EXIT.ok;
}

function valueText(v: unknown): string {
  if (v !== null && typeof v === 'object' && 'value' in v) {
    const f = v as { value: number; status: string; low?: number; high?: number };
    return `${f.value} (${f.status}${f.low !== undefined ? `, range ${f.low}-${f.high ?? f.value}` : ''})`;
  }
  return String(v);
}

export function profilesShowCommand(ctx: Context, id: string): number {
  const catalog = ctx.catalog();
  const entry = catalog.accelerators.get(id);
  if (!entry) throw new UsageError(unknownAccelerator(catalog, id));
  const p = entry.value;
  const out: string[] = [
    `${p.id}: ${p.name} (${p.vendor}, ${p.kind}, released ${p.release_date})`,
    `file: ${entry.file} (${entry.origin}${entry.overrides ? `, replaces ${entry.overrides}` : ''})`,
    '',
  ];
  for (const path of sourcedFieldPaths(p)) {
    const [section, key] = path.split('.') as [keyof AcceleratorFile, string];
    const value = (p[section] as Record<string, unknown>)[key];
    const s = p.sources[path];
    const range = s?.low !== undefined && s.high !== undefined ? ` (${s.low} to ${s.high})` : '';
    out.push(`${path} = ${valueText(value)}${range}  [${s?.kind ?? 'no source'}]`);
    if (s) out.push(`    source: ${s.source}`);
    if (s?.note) out.push(`    note: ${s.note}`);
  }
  if (p.power.system_w_per_chip === undefined) {
    out.push(
      `power.system_w_per_chip = ${Math.round(p.power.tdp_w * 1.7)} (derived)  [estimate]`,
      '    note: not in the profile; docs/model.md section 1 takes 1.7 x tdp_w.',
    );
  }
  out.push('', 'prices:');
  if (!p.prices || p.prices.length === 0) out.push('    none');
  for (const q of p.prices ?? []) {
    out.push(
      `  ${q.plan} $${q.usd_per_chip_hour}/chip-h${q.low_usd_per_chip_hour !== undefined && q.high_usd_per_chip_hour !== undefined ? ` ($${q.low_usd_per_chip_hour} to $${q.high_usd_per_chip_hour})` : ''}, ${q.provider} ${q.region} (${q.basis}), as of ${q.as_of}  [${q.kind}]`,
    );
    out.push(`    source: ${q.source}`);
    if (q.note) out.push(`    note: ${q.note}`);
  }
  if (p.calibration) {
    out.push('', `calibration: ${p.calibration.method}; rows ${p.calibration.rows.join(', ')}`);
  }
  const stacks = Object.entries(p.stacks ?? {});
  if (stacks.length > 0) {
    out.push('', `serving stacks (default ${p.default_stack ?? '-'}; docs/model.md section 12a):`);
    for (const [name, s] of stacks) {
      const e = s.efficiency;
      out.push(
        `  ${name}: ${s.level === 'pair' ? `fitted on ${s.rows} row(s) of this chip` : s.level === 'stack' ? `this stack's factors from ${s.rows} row(s) of other chips` : `every stack's factors (${s.rows} rows)`}; range ${s.interval_pct.low}%..+${s.interval_pct.high}%${s.cv ? `, cross-validated median |error| ${s.cv.median_abs_error_pct}% on ${s.cv.rows} row(s)` : ''}`,
        `    eta_mem ${e.eta_mem}, eta_prefill ${e.eta_prefill}, eta_decode ${e.eta_decode}, eta_link ${e.eta_link}, t_step0_ms ${e.t_step0_ms}${s.fitted && s.fitted.length > 0 ? ` (moved by the rows: ${s.fitted.join(', ')})` : ''}`,
      );
      if (s.fitted_on) out.push(`    rows: ${s.fitted_on.join(', ')}`);
    }
  }
  out.push(
    '',
    stacks.length > 0
      ? 'The efficiency block above is used only when a profile has no stacks. A pair fit means what that stack achieves on this chip in the published runs.'
      : 'Calibrated efficiency factors mean what a mature serving stack achieves on this chip; assumed ones are defaults with a range.',
  );
  ctx.io.stdout(escapeText(`${out.join('\n')}\n`));
  return EXIT.ok;
}
