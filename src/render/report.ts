// The HTML report (`infercost report`): one self-contained file, no scripts or network at view
// time. Charts are Vega-Lite specifications rendered to SVG here, when the report is made
// (vega and vega-lite 5, the last major versions that run on Node 20), so the page is static.

import type { AcceleratorResult, MixResult, ResultDoc, WorkloadResult } from '../schema/result.js';
import { FLEET_COLUMNS, hasFleet } from './columns.js';
import { millis, ratio, sig, usd } from './format.js';
import { MIX_HEADERS, mixHeading, mixRows, workloadHeading } from './summary.js';
import { escapeControl } from './text.js';
import { replicaText } from './words.js';

/** A chart: its id in the page, a title, and a Vega-Lite specification. */
export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly spec: Record<string, unknown>;
}

/** One point of the built-in sweep: cost per 1M output tokens at an input length. */
export interface SweepPoint {
  readonly accelerator: string;
  readonly inputTokens: number;
  readonly usdPerMtok: number;
}

/** HTML text: markup escaped, and control characters shown as `\x1b` as every other format shows them. */
const esc = (s: string) =>
  escapeControl(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function bars(r: WorkloadResult, key: 'output_tokens_per_usd' | 'tokens_per_joule_output') {
  return r.accelerators.flatMap((a) => {
    const v = a.metrics[key];
    if (v === null) return [];
    const band = a.ranges?.[key];
    return [{ chip: a.id, value: v, low: band?.low ?? v, high: band?.high ?? v }];
  });
}

function barChart(id: string, title: string, axis: string, data: ReturnType<typeof bars>): ChartSpec {
  return {
    id,
    title,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 560,
      height: { step: 22 },
      data: { values: data },
      encoding: {
        y: { field: 'chip', type: 'nominal', sort: { field: 'value', order: 'descending' }, title: null },
      },
      layer: [
        {
          mark: { type: 'bar', color: '#4c78a8', name: 'bars' },
          encoding: { x: { field: 'value', type: 'quantitative', title: axis } },
        },
        {
          mark: { type: 'rule', color: '#222', name: 'whiskers' },
          encoding: { x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } },
        },
      ],
    },
  };
}

/** The charts of one workload (pure): bars with range whiskers, Pareto curves, cost vs input length. */
export function reportCharts(r: WorkloadResult, sweep: readonly SweepPoint[], index: number): ChartSpec[] {
  const charts: ChartSpec[] = [
    barChart(
      `tpd-${index}`,
      'Output tokens per dollar, with the stated range',
      'output tokens per $',
      bars(r, 'output_tokens_per_usd'),
    ),
    barChart(
      `tpw-${index}`,
      'Output tokens per joule (tokens/s per W), with the stated range',
      'output tokens per J',
      bars(r, 'tokens_per_joule_output'),
    ),
  ];
  const pareto = r.accelerators.flatMap((a) =>
    a.pareto.map((p) => ({
      chip: a.id,
      user: p.interactivity_tokens_per_s,
      chip_tps: p.output_tokens_per_s_per_chip,
    })),
  );
  if (pareto.length > 0) {
    const slo = r.workload.tpot_limit_s === null ? [] : [{ user: 1 / r.workload.tpot_limit_s }];
    charts.push({
      id: `pareto-${index}`,
      title: 'Pareto curves: output tokens/s per chip against tokens/s per user (the line is the TPOT limit)',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        width: 560,
        height: 320,
        layer: [
          {
            data: { values: pareto },
            mark: { type: 'line', point: true, name: 'curves' },
            encoding: {
              x: { field: 'user', type: 'quantitative', title: 'tokens/s per user' },
              y: { field: 'chip_tps', type: 'quantitative', title: 'output tokens/s per chip' },
              color: { field: 'chip', type: 'nominal' },
            },
          },
          ...(slo.length > 0
            ? [
                {
                  data: { values: slo },
                  mark: { type: 'rule', strokeDash: [4, 4], name: 'slo' },
                  encoding: { x: { field: 'user', type: 'quantitative' } },
                },
              ]
            : []),
        ],
      },
    });
  }
  if (sweep.length > 0) {
    charts.push({
      id: `sweep-${index}`,
      title: 'Cost per 1M output tokens against input length (the rest of the workload as it is)',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        width: 560,
        height: 320,
        data: { values: sweep },
        mark: { type: 'line', point: true, name: 'sweep' },
        encoding: {
          x: { field: 'inputTokens', type: 'quantitative', scale: { type: 'log' }, title: 'input tokens' },
          y: {
            field: 'usdPerMtok',
            type: 'quantitative',
            scale: { type: 'log' },
            title: '$ per 1M output tokens',
          },
          color: { field: 'accelerator', type: 'nominal' },
        },
      },
    });
  }
  return charts;
}

function sourceOf(a: AcceleratorResult): string {
  if (!a.price) return 'no price on this basis';
  return `${a.price.provider ?? ''} ${a.price.plan}, ${a.price.basis ?? ''}, as of ${a.price.as_of ?? '?'}${a.price.is_estimate ? ' (estimate)' : ''}${a.price.source ? `; source: ${a.price.source}` : ''}`;
}

function tableHtml(r: WorkloadResult): string {
  const head = [
    'chip',
    'stack',
    'replica',
    'TTFT ms',
    'TPOT ms',
    'tok/s/chip',
    'range',
    '$/chip-h',
    '$/1M out',
    'tok/$ vs base',
    'tok/W vs base',
  ];
  // A demand or a power budget sizes a fleet per chip (docs/model.md section 8): the same four
  // columns as the table's.
  const fleet = hasFleet(r) ? FLEET_COLUMNS : [];
  head.push(...fleet.map((c) => c.header));
  const rows = r.accelerators.map((a) => {
    const rng = a.ranges?.output_tokens_per_s_per_chip;
    const range =
      rng?.expected && rng.low !== null && rng.high !== null
        ? `${Math.round((rng.low / rng.expected - 1) * 100)}%..+${Math.round((rng.high / rng.expected - 1) * 100)}%`
        : '-';
    const notes = a.warnings.map((w) => w.message).join('; ');
    const cells = [
      `<th scope="row" title="${esc(notes)}">${esc(a.id)}${a.id === r.baseline ? ' (base)' : ''}</th>`,
      `<td title="${esc(a.stack ? `${a.stack.name}: ${a.stack.level === 'pair' ? 'fitted on this chip' : "this stack's factors from other chips"}${a.stack.moe_across ? ', its fit on MoE models served across chips' : ''}` : '')}">${esc(a.stack ? `${a.stack.name}${a.stack.level === 'pair' ? '' : '*'}${a.stack.moe_across ? '+' : ''}` : '-')}</td>`,
      `<td>${a.deployment ? esc(replicaText(a.deployment)) : esc(a.reason ?? '-')}</td>`,
      `<td>${millis(a.metrics.ttft_s)}</td>`,
      `<td>${millis(a.metrics.tpot_s)}</td>`,
      `<td>${sig(a.metrics.output_tokens_per_s_per_chip)}</td>`,
      `<td>${range}</td>`,
      `<td title="${esc(sourceOf(a))}">${a.price ? `${usd(a.price.usd_per_chip_hour)} ${esc(a.price.provider ?? '')}` : '-'}</td>`,
      `<td>${usd(a.metrics.usd_per_mtok_output)}</td>`,
      `<td>${ratio(a.vs_baseline?.metrics.output_tokens_per_usd?.ratio)}</td>`,
      `<td>${ratio(a.vs_baseline?.metrics.tokens_per_joule_output?.ratio)}</td>`,
      ...fleet.map((c) => `<td>${esc(c.text(a))}</td>`),
    ];
    return `<tr>${cells.join('')}</tr>`;
  });
  return `<table><thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** A mix's blend per chip (docs/model.md section 8b), as the table and Markdown show it. */
function mixHtml(m: MixResult): string {
  const head = MIX_HEADERS.map((h, i) => `<th scope="col">${i === 0 ? 'chip' : esc(h)}</th>`).join('');
  const rows = mixRows(m).map(
    ([id, ...cells]) =>
      `<tr><th scope="row">${esc(id ?? '')}</th>${cells.map((c, i) => (i === cells.length - 1 ? `<td class="missing">${esc(c)}</td>` : `<td>${esc(c)}</td>`)).join('')}</tr>`,
  );
  return `<section>
<h2>${esc(mixHeading(m))}</h2>
<p class="assumptions">Each class is compared in its own section above; per chip, $ per 1M output tokens is averaged by share, tokens per dollar and per joule harmonically (docs/model.md section 8b). A chip missing a class has no blend.</p>
<table class="mix"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>
</section>`;
}

/**
 * The report page (pure): the assumptions, then per workload the table, the charts (already
 * rendered to SVG) and every chip's notes. Hover a price, a stack or a chip for its source.
 */
export function reportHtml(
  doc: ResultDoc,
  charts: readonly (readonly { readonly id: string; readonly title: string; readonly svg: string }[])[],
  generated: string,
): string {
  const sections = doc.results.map((r, i) => {
    const w = r.workload;
    const notes = r.accelerators.flatMap((a) => a.warnings.map((x) => `${a.id}: ${x.message}`));
    return `<section>
<h2>${esc(workloadHeading(r))}</h2>
<p class="assumptions">Price basis <b>${esc(w.price_basis ?? 'hyperscaler')}</b>, plan <b>${esc(w.plan)}</b>, utilization <b>${w.utilization}</b>, PUE <b>${w.pue}</b>, $${w.usd_per_kwh}/kWh, baseline <b>${esc(r.baseline)}</b>. Ranges are cross-validated 80% prediction intervals (docs/model.md section 11); * marks a stack no row of that chip was fitted on.</p>
${tableHtml(r)}
${(charts[i] ?? []).map((c) => `<figure id="${c.id}"><figcaption>${esc(c.title)}</figcaption>${c.svg}</figure>`).join('\n')}
<details><summary>Notes (${notes.length})</summary><ul>${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></details>
</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>infercost report</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
h1{font-size:22px}h2{font-size:16px;margin-top:32px}
table{border-collapse:collapse;margin:12px 0;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:right;white-space:nowrap}th[scope=row],td:nth-child(2),td.missing{text-align:left}
.mix td{text-align:right}.mix td.missing{text-align:left}
thead th{background:#f4f4f4}figure{margin:18px 0}figcaption{font-weight:600;margin-bottom:6px}
.assumptions{color:#444}
</style></head><body>
<h1>infercost report</h1>
<p>Made ${esc(generated)} by infercost ${esc(doc.tool.version)}. Every number follows docs/model.md; hover a chip, stack or price for its notes and source.</p>
${[...sections, ...(doc.mixes ?? []).map(mixHtml)].join('\n')}
</body></html>
`;
}
