import { UsageError } from '../../io/errors.js';
import { fixed, sig } from '../../render/format.js';
import { fittedTable, hiddenLine, wrap } from '../../render/table.js';
import { escapeControl, safeJson } from '../../render/text.js';
import type { AcceleratorFile } from '../../schema/accelerator.js';
import { stackEntryOf } from '../../schema/convert.js';
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

/**
 * Where the factors compare uses come from: the default stack's fit level (pair: this chip's own
 * rows, MLPerf's alone at estimated inputs for a 12c pair; stack or pooled: other chips' rows),
 * else the `efficiency` block's statuses.
 */
function efficiencyStatus(p: AcceleratorFile): string {
  const s = stackEntryOf(p);
  if (s)
    return `${s.name}: ${s.entry.level === 'pair' ? (s.entry.inputs_estimated ? 'own MLPerf rows' : 'own rows') : 'other chips'}`;
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
            form_of: e.formOf ?? null,
            estimates: estimateCount(e.value),
          })),
          null,
          2,
        ),
      )}\n`,
    );
    return EXIT.ok;
  }
  // `text`, the word profiles show uses for its human form, is this list's table too.
  if (opts.format !== undefined && opts.format !== 'table' && opts.format !== 'text')
    throw new UsageError(`--format ${opts.format}: expected table (or text) or json`);
  const head = [
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
  ];
  const aligns = [
    'left',
    'left',
    'left',
    'right',
    'right',
    'right',
    'right',
    'right',
    'right',
    'left',
    'left',
  ] as const;
  const rows = entries.map((e) => {
    const p = e.value;
    return [
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
      `${e.file}${e.origin === 'user' ? (e.overrides ? ' (user, replaces bundled)' : ' (user)') : ''}${e.formOf ? ` (form of ${e.formOf})` : ''}`,
    ].map(escapeControl);
  });
  // On a terminal, the least needed columns go first until the table fits: file, estimates,
  // vendor, efficiency, name, TDP, bandwidth, memory.
  const width = ctx.io.stdoutColumns;
  const t = fittedTable(head, aligns, rows, [10, 8, 2, 9, 1, 6, 4, 3], width);
  ctx.io.stdout(
    `${[
      t.text,
      ...wrap("* estimate (see 'infercost profiles show <id>' for how it was derived)", width),
      ...hiddenLine(t.hidden, width, '--format json has'),
    ].join('\n')}\n`,
  );
  return EXIT.ok;
}
