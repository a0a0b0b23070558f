// `infercost profiles show <id>`: every number of one profile with its source, kind and range.
import { UsageError } from '../../io/errors.js';
import { unknownAccelerator } from '../../io/workload.js';
import { wrapIndented } from '../../render/table.js';
import { escapeText, safeJson } from '../../render/text.js';
import type { AcceleratorFile, StackEntry } from '../../schema/accelerator.js';
import { sourcedFieldPaths } from '../../schema/rules.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit.js';

function valueText(v: unknown): string {
  if (v !== null && typeof v === 'object' && 'value' in v) {
    const f = v as { value: number; status: string; low?: number; high?: number };
    return `${f.value} (${f.status}${f.low !== undefined ? `, range ${f.low}-${f.high ?? f.value}` : ''})`;
  }
  return String(v);
}

export function profilesShowCommand(ctx: Context, id: string, opts: { format?: string } = {}): number {
  // `table`, the word the list uses for its human form, is this page's text too.
  if (
    opts.format !== undefined &&
    opts.format !== 'text' &&
    opts.format !== 'table' &&
    opts.format !== 'json'
  )
    throw new UsageError(`--format ${opts.format}: expected text (or table) or json`);
  const catalog = ctx.catalog();
  const entry = catalog.accelerators.get(id);
  if (!entry) throw new UsageError(unknownAccelerator(catalog, id));
  const p = entry.value;
  if (opts.format === 'json') {
    // The profile as loaded (a form factor's values merged over its base), and where it came from.
    const doc = {
      ...p,
      file: entry.file,
      origin: entry.origin,
      overrides: entry.overrides ?? null,
      form_of: entry.formOf ?? null,
    };
    ctx.io.stdout(`${safeJson(JSON.stringify(doc, null, 2))}\n`);
    return EXIT.ok;
  }
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
    // A stack entry's factors, and those its rows moved (its own and its moe_across fit's).
    const factorsText = (e: StackEntry['efficiency'], fitted: readonly string[] | undefined) =>
      `eta_mem ${e.eta_mem}, eta_prefill ${e.eta_prefill}, eta_decode ${e.eta_decode}, eta_link ${e.eta_link}, t_step0_ms ${e.t_step0_ms}${fitted && fitted.length > 0 ? ` (moved by the rows: ${fitted.join(', ')})` : ''}`;
    for (const [name, s] of stacks) {
      out.push(
        `  ${name}: ${s.level === 'pair' ? `fitted on ${s.rows} row(s) of this chip${s.inputs_estimated ? " at their datasets' estimated input lengths (section 12c)" : ''}` : s.level === 'stack' ? `this stack's factors from ${s.rows} row(s) of other chips` : `every stack's factors (${s.rows} rows)`}; range ${s.interval_pct.low}%..+${s.interval_pct.high}%${s.moe_interval_pct ? ` (dense models), ${s.moe_interval_pct.low}%..+${s.moe_interval_pct.high}% (MoE models)` : ''}${s.cv ? `, cross-validated median |error| ${s.cv.median_abs_error_pct}% on ${s.cv.rows}${s.moe_interval_pct ? ' dense' : ''} row(s)` : ''}${s.moe_cv ? `, ${s.moe_cv.median_abs_error_pct}% on ${s.moe_cv.rows} MoE row(s)` : ''}`,
        `    ${factorsText(s.efficiency, s.fitted)}`,
      );
      if (s.fitted_on) out.push(`    rows: ${s.fitted_on.join(', ')}`);
      const a = s.moe_across;
      if (a)
        out.push(
          `    an MoE model across chips (layout_pairs, section 12a): ${factorsText(a.efficiency, a.fitted)}; fitted on ${a.rows} row(s): ${a.fitted_on.join(', ')}`,
        );
    }
  }
  out.push(
    '',
    stacks.length > 0
      ? 'The efficiency block above is used only when a profile has no stacks. A pair fit means what that stack achieves on this chip in the published runs.'
      : 'Calibrated efficiency factors mean what a mature serving stack achieves on this chip; assumed ones are defaults with a range.',
  );
  // On a terminal each long line wraps under its own indent; piped, one line each.
  const width = ctx.io.stdoutColumns;
  const lines = out.flatMap((l) => wrapIndented(l, width));
  ctx.io.stdout(escapeText(`${lines.join('\n')}\n`));
  return EXIT.ok;
}
