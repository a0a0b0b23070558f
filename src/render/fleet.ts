// A mixed-fleet plan (docs/model.md section 8a) as a table, JSON or CSV.
import type { FleetReport, FleetSureness } from '../api/fleet.js';
import { chipsByChip, type FleetMargin, type FleetPlan, type OptionFigures } from '../engine/fleet.js';
import { csvLine } from './csv.js';
import { compact, grouped, sig } from './format.js';
import { recordBlocks, wrapIndented } from './table.js';
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
  const used = chipsByChip(p);
  for (const c of r.problem.chips) {
    if (c.maxChips === undefined) continue;
    out.push(`${c.id} ${grouped(used.get(c.id) ?? 0)} of ${grouped(c.maxChips)} chips`);
  }
  return out;
}

/**
 * Prose lines wrapped to `width`; a line indented two spaces (a margin under "how sure") keeps
 * its indent on every line.
 */
function prose(lines: readonly string[], width: number | undefined): string[] {
  return lines.flatMap((l) => wrapIndented(l, width));
}

/** Why a plan that is not optimal has none, in words. */
export function noPlanReason(p: FleetPlan): string {
  return p.status === 'infeasible'
    ? 'no plan meets every demand within the caps and budgets'
    : p.status === 'unbounded'
      ? 'unbounded: give a power or money budget, caps, or demands'
      : `the solver stopped: ${p.solverStatus}`;
}

/**
 * Why an optimal plan serves nothing (most tokens with no chip that can serve a workload, or
 * budgets and caps that fit no replica), or undefined where it serves something. A plan of
 * nothing is no plan for a capacity planner: `fleet` exits 1 on it.
 */
export function emptyPlanReason(r: FleetReport): string | undefined {
  const p = r.plan;
  if (p.status !== 'optimal' || p.totals.tokensPerDay > 0) return undefined;
  // An option left out (no price on the plan, cannot run) stays in the problem unusable.
  const out = new Set(r.excluded.map((e) => `${e.chip}\u0000${e.workload}`));
  const usable = r.problem.options.filter((o) => !out.has(`${o.chip}\u0000${o.workload}`));
  if (usable.length === 0)
    return 'the plan serves nothing: no chip can serve any of its workloads (see left out)';
  // Whole replicas may not pass a demand: one smaller than any replica serves is served by none.
  const servable = r.problem.workloads.filter((w) => usable.some((o) => o.workload === w.name));
  const belowOneReplica = servable.every((w) => {
    const smallest = Math.min(
      ...usable.filter((o) => o.workload === w.name).map((o) => o.tokensPerDayPerChip * o.chipsPerReplica),
    );
    return w.demandTokensPerDay !== undefined && w.demandTokensPerDay < smallest;
  });
  return belowOneReplica
    ? 'the plan serves nothing: each demand is less than one replica serves, and whole replicas may not pass it'
    : 'the plan serves nothing: the budgets and caps fit no replica of any chip';
}

/** The plan as text; prose lines wrap to `width` (a terminal's), the table stays as it is. */
export function fleetText(r: FleetReport, width?: number): string {
  const p = r.plan;
  const head = [
    `fleet ${escapeText(r.file)}: ${r.objective === 'min_cost' ? 'least cost meeting every demand' : 'most tokens within the budgets'}, ${r.pricing} prices${r.at === 'expected' ? '' : `, every chip at the ${r.at} end of its range`}`,
  ];
  if (p.status !== 'optimal')
    return `${prose([...head, `status: ${p.status}: ${noPlanReason(p)}`, ...usageLines(r)], width).join('\n')}\n`;
  const empty = emptyPlanReason(r);
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
  // On a narrow terminal the replica count goes first (chips say the size), then the power.
  const shown = cols.map((_, i) => i);
  const tableWidth = () => shown.reduce((s, i) => s + (widths[i] as number) + 2, -2);
  const hidden: string[] = [];
  for (const i of [2, 5]) {
    if (width === undefined || tableWidth() <= width) break;
    shown.splice(shown.indexOf(i), 1);
    hidden.push(cols[i] as string);
  }
  const line = (cells: readonly string[]) =>
    shown
      .map((i) => pad(cells[i] as string, widths[i] as number, i >= 2))
      .join('  ')
      .trimEnd();
  const served = p.served.map(
    (s) =>
      `${escapeText(s.workload)} ${compact(s.tokensPerDay)}${s.demandTokensPerDay === null ? '' : ` of ${compact(s.demandTokensPerDay)}`}`,
  );
  return `${[
    ...prose(
      [
        ...head,
        `status: optimal${p.gapToBound === null ? '' : `, within ${p.gapToBound < 1 ? (p.gapToBound * 100).toPrecision(2) : sig(p.gapToBound * 100)}% of the best possible plan (the LP bound)`}`,
        ...(empty === undefined ? [] : [empty]),
      ],
      width,
    ),
    '',
    // Too narrow for the table even without replicas and MW: a block per allocation, every column.
    ...(width !== undefined && tableWidth() > width
      ? [recordBlocks(cols, rows, width)]
      : [line(cols), ...rows.map(line)]),
    '',
    ...prose(
      [
        ...(hidden.length > 0 && tableWidth() <= (width ?? Infinity)
          ? [`Not shown to fit ${width} columns: ${hidden.join(', ')} (--format json has them)`]
          : []),
        `served (output tokens/day): ${served.join(', ')}`,
        ...usageLines(r),
        ...(r.sureness === undefined ? [] : surenessLines(r, r.sureness)),
      ],
      width,
    ),
  ].join('\n')}\n`;
}

/** The objective of a plan in words, or why there is none. */
function objectiveText(r: FleetReport, p: FleetPlan): string {
  if (p.status !== 'optimal') return p.status === 'infeasible' ? 'no plan meets every demand' : p.status;
  return r.objective === 'min_cost'
    ? p.totals.usdPerYear === null
      ? '-'
      : `$${musd(p.totals.usdPerYear)}M/year`
    : `${compact(p.totals.tokensPerDay)} tok/day`;
}

const metricWords: Record<FleetMargin['metric'], string> = {
  usd_per_token: 'cost per token',
  tokens_per_w: 'tokens per watt',
  tokens_per_usd: 'tokens per dollar',
  tokens_per_chip: 'tokens per chip',
};

// Significant digits, trailing zeros kept ("3.0x"), without the exponent form toPrecision takes
// from 10^digits on ("4.1e+2x" is 410x).
const times = (v: number, digits = 2) => {
  const p = v.toPrecision(digits);
  return `${p.includes('e+') ? grouped(Number(p)) : p}x`;
};

/**
 * A margin in words: the runner-up's figure against the chip's (at the figures the plan was sized
 * at), its range, and whether it is settled.
 */
function marginText(m: FleetMargin, at: FleetReport['at']): string {
  // Cost is the one figure where lower is better: state it as such, inverting the goodness ratio.
  const cost = m.metric === 'usd_per_token';
  const [v, lo, hi] = cost
    ? [1 / m.ratio, 1 / m.ratioHigh, 1 / m.ratioLow]
    : [m.ratio, m.ratioLow, m.ratioHigh];
  const verdict = m.undecided
    ? m.demandShare === undefined
      ? `not decided by the objective (every demand is met within the budgets and caps, so ${escapeText(m.runnerUp)} would serve as well)`
      : `not decided by the objective (the demands bound the plan, not the budgets or caps; whole replicas serve ${(m.demandShare * 100).toFixed(1)}% of them, and ${escapeText(m.runnerUp)} could serve them as well)`
    : m.ratioHigh < 1
      ? 'settled'
      : m.ratioLow > 1
        ? `${escapeText(m.runnerUp)} is better at every reading (caps or budgets keep it out)`
        : 'not settled';
  return `${escapeText(m.workload)}: ${escapeText(m.chip)}; next best ${escapeText(m.runnerUp)} at ${times(v, 3)} its ${metricWords[m.metric]}${at === 'expected' ? '' : ` at the ${at} ends`} (${times(lo)}-${times(hi)} over the ranges): ${verdict}`;
}

/** Section 8c in lines: the objective at the ranges' ends, then each workload's margin. */
function surenessLines(r: FleetReport, s: FleetSureness): string[] {
  return [
    '',
    `how sure (docs/model.md 8c): ${objectiveText(r, s.expected)} as expected; ${objectiveText(r, s.allLow)} with every chip at the low end of its range, ${objectiveText(r, s.allHigh)} at the high end`,
    ...s.margins.map((m) => `  ${marginText(m, r.at)}`),
  ];
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
        at: r.at,
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
          // docs/model.md 8c: the figures at the low end (low throughput, high estimated price
          // and power) and the high end of the chip's range; null when it states none
          ends:
            o.ends === undefined
              ? null
              : Object.fromEntries(
                  (['low', 'high'] as const).map((e) => {
                    const f = o.ends?.[e] as OptionFigures;
                    return [
                      e,
                      {
                        output_tokens_per_day_per_chip: f.tokensPerDayPerChip,
                        facility_w_per_chip: f.facilityWPerChip,
                        usd_per_year_per_chip: f.usdPerYearPerChip ?? null,
                      },
                    ];
                  }),
                ),
        })),
        excluded: r.excluded,
        sureness: r.sureness === undefined ? null : surenessJson(r.sureness),
      },
      null,
      2,
    ),
  )}\n`;
}

function planSummary(p: FleetPlan) {
  return {
    status: p.status,
    usd_per_year: p.status === 'optimal' ? p.totals.usdPerYear : null,
    output_tokens_per_day: p.status === 'optimal' ? p.totals.tokensPerDay : null,
    facility_w: p.status === 'optimal' ? p.totals.facilityW : null,
    chips: Object.fromEntries(chipsByChip(p)),
  };
}

/** Section 8c: each re-solved plan's totals and chips by chip. */
function surenessJson(s: FleetSureness) {
  return {
    expected: planSummary(s.expected),
    all_low: planSummary(s.allLow),
    all_high: planSummary(s.allHigh),
    margins: s.margins.map((m) => ({
      workload: m.workload,
      chip: m.chip,
      runner_up: m.runnerUp,
      metric: m.metric,
      // runner-up over chip, as tokens per dollar / watt / chip: above 1 favours the runner-up
      ratio: m.ratio,
      ratio_low: m.ratioLow,
      ratio_high: m.ratioHigh,
      settled: m.ratioHigh < 1 && m.undecided !== true,
      // most tokens with every demand met: no budget or cap chose this chip
      decided_by_objective: m.undecided !== true,
    })),
  };
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
    'plan_status',
  ];
  const status = r.plan.status;
  // A plan with no allocation (infeasible, or nothing to buy) is one row of its status alone: a
  // file of the header only could not tell the two apart.
  if (r.plan.allocations.length === 0)
    return csvLine(header) + csvLine([null, null, null, null, null, null, null, status]);
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
          status,
        ]),
      )
      .join('')
  );
}
