// A mixed-fleet plan (docs/model.md section 8a) as a table, JSON or CSV.
import type { FleetReport } from '../api/fleet.js';
import { csvLine } from './csv.js';
import { compact, grouped, sig } from './format.js';
import { escapeText, safeJson } from './text.js';

const mw = (w: number) => sig(w / 1e6);
const musd = (usd: number | null) => (usd === null ? '-' : sig(usd / 1e6));

function pad(s: string, n: number, right = false): string {
  if (s.length >= n) return s;
  return right ? ' '.repeat(n - s.length) + s : s + ' '.repeat(n - s.length);
}

/** Each budget and cap with how much of it the plan uses. */
function usage(r: FleetReport): string[] {
  const p = r.plan;
  const out: string[] = [];
  if (r.problem.powerBudgetW !== undefined)
    out.push(`power ${mw(p.totals.facilityW)} of ${mw(r.problem.powerBudgetW)} MW`);
  if (r.problem.usdPerYearBudget !== undefined)
    out.push(`money $${musd(p.totals.usdPerYear)}M of $${musd(r.problem.usdPerYearBudget)}M a year`);
  for (const c of r.problem.chips) {
    if (c.maxChips === undefined) continue;
    const used = p.allocations.filter((a) => a.chip === c.id).reduce((s, a) => s + a.chips, 0);
    out.push(`${c.id} ${grouped(used)} of ${grouped(c.maxChips)} chips`);
  }
  return out;
}

export function fleetText(r: FleetReport): string {
  const p = r.plan;
  const head = [
    `fleet ${escapeText(r.file)}: ${r.objective === 'min_cost' ? 'least cost meeting every demand' : 'most tokens within the budgets'}, ${r.pricing} prices`,
  ];
  if (p.status !== 'optimal') {
    const why =
      p.status === 'infeasible'
        ? 'no plan meets every demand within the caps and budgets'
        : p.status === 'unbounded'
          ? 'unbounded: give a power or money budget, caps, or demands'
          : `the solver stopped: ${p.solverStatus}`;
    return `${[...head, `status: ${p.status}: ${why}`, ...usageLines(r)].join('\n')}\n`;
  }
  const cols = ['chip', 'workload', 'replicas', 'chips', 'out tok/day', 'MW', '$M/year'];
  const rows = p.allocations.map((a) => [
    escapeText(a.chip),
    escapeText(a.workload),
    grouped(a.replicas),
    grouped(a.chips),
    compact(a.chips * a.tokensPerDayPerChip),
    mw(a.chips * a.facilityWPerChip),
    musd(a.usdPerYearPerChip === undefined ? null : a.chips * a.usdPerYearPerChip),
  ]);
  rows.push([
    'total',
    '',
    '',
    grouped(p.totals.chips),
    compact(p.totals.tokensPerDay),
    mw(p.totals.facilityW),
    musd(p.totals.usdPerYear),
  ]);
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => pad(c, widths[i] as number, i >= 2))
      .join('  ')
      .trimEnd();
  const served = p.served.map(
    (s) =>
      `${escapeText(s.workload)} ${compact(s.tokensPerDay)}${s.demandTokensPerDay === null ? '' : ` of ${compact(s.demandTokensPerDay)}`}`,
  );
  return `${[
    ...head,
    `status: optimal${p.gapToBound === null ? '' : `, within ${(p.gapToBound * 100).toPrecision(2)}% of the best possible plan (the LP bound)`}`,
    '',
    line(cols),
    ...rows.slice(0, -1).map(line),
    line(rows[rows.length - 1] as string[]),
    '',
    `served (output tokens/day): ${served.join(', ')}`,
    ...usageLines(r),
  ].join('\n')}\n`;
}

function usageLines(r: FleetReport): string[] {
  const u = r.plan.status === 'optimal' ? usage(r) : [];
  const excluded = r.excluded.map(
    (e) => `${escapeText(e.chip)} on ${escapeText(e.workload)} (${escapeText(e.reason)})`,
  );
  return [
    ...(u.length > 0 ? [`uses: ${u.join('; ')}`] : []),
    ...(excluded.length > 0 ? [`left out: ${excluded.join('; ')}`] : []),
  ];
}

export function fleetJson(r: FleetReport): string {
  const p = r.plan;
  return `${safeJson(
    JSON.stringify(
      {
        schema_version: 1,
        file: r.file,
        objective: r.objective,
        pricing: r.pricing,
        status: p.status,
        solver_status: p.solverStatus,
        gap_to_bound: p.gapToBound,
        power_budget_w: r.problem.powerBudgetW ?? null,
        usd_per_year_budget: r.problem.usdPerYearBudget ?? null,
        allocations: p.allocations.map((a) => ({
          chip: a.chip,
          workload: a.workload,
          replicas: a.replicas,
          chips: a.chips,
          chips_per_replica: a.chipsPerReplica,
          output_tokens_per_day: a.chips * a.tokensPerDayPerChip,
          facility_w: a.chips * a.facilityWPerChip,
          usd_per_year: a.usdPerYearPerChip === undefined ? null : a.chips * a.usdPerYearPerChip,
        })),
        totals: {
          chips: p.totals.chips,
          facility_w: p.totals.facilityW,
          output_tokens_per_day: p.totals.tokensPerDay,
          usd_per_year: p.totals.usdPerYear,
        },
        served: p.served.map((s) => ({
          workload: s.workload,
          output_tokens_per_day: s.tokensPerDay,
          demand_output_tokens_per_day: s.demandTokensPerDay,
        })),
        options: r.problem.options.map((o) => ({
          chip: o.chip,
          workload: o.workload,
          output_tokens_per_day_per_chip: o.tokensPerDayPerChip,
          facility_w_per_chip: o.facilityWPerChip,
          usd_per_year_per_chip: o.usdPerYearPerChip ?? null,
          chips_per_replica: o.chipsPerReplica,
        })),
        excluded: r.excluded,
      },
      null,
      2,
    ),
  )}\n`;
}

export function fleetCsv(r: FleetReport): string {
  const header = [
    'chip',
    'workload',
    'replicas',
    'chips',
    'output_tokens_per_day',
    'facility_w',
    'usd_per_year',
  ];
  return (
    csvLine(header) +
    r.plan.allocations
      .map((a) =>
        csvLine([
          a.chip,
          a.workload,
          a.replicas,
          a.chips,
          a.chips * a.tokensPerDayPerChip,
          a.chips * a.facilityWPerChip,
          a.usdPerYearPerChip === undefined ? null : a.chips * a.usdPerYearPerChip,
        ]),
      )
      .join('')
  );
}
