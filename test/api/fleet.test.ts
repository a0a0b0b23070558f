// Mixed-fleet planning (docs/model.md section 8a; issue 13 item 4).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { solveFleet } from '../../src/api/fleet.js';
import type { FleetOption, FleetProblem } from '../../src/engine/fleet.js';
import { spawnCli } from '../helpers/cli.js';

/**
 * A case solved by hand. Every chip costs 1 a year and draws 1 kW (D: 2 kW); tokens a day per
 * chip (one chip per replica):
 *
 *          W1 (400)  W2 (300)  W3 (200)   cap
 *     A      100        -         -        3
 *     B       50       100        -       10
 *     C        -        50       100      10
 *     D       25        25        25      10
 *
 * Least cost = fewest chips. W1 needs 400: A gives 100 a chip but only 3 exist (300), and the next
 * best is B at 50, so at least 3 + 2 = 5 chips; W2 needs 300 at 100 a chip (B): 3; W3 needs 200
 * at 100 (C): 2. So at least 10 chips, and A3 + B2 (W1) + B3 (W2) + C2 (W3) reaches it, using
 * 10 kW: the optimum under a 12 kW budget, cost 10. Any other 10-chip plan would need a W1 chip
 * better than B after A's three, and there is none, so the plan is unique.
 */
const table: [string, string, number, number][] = [
  ['A', 'W1', 100, 1],
  ['B', 'W1', 50, 1],
  ['B', 'W2', 100, 1],
  ['C', 'W2', 50, 1],
  ['C', 'W3', 100, 1],
  ['D', 'W1', 25, 2],
  ['D', 'W2', 25, 2],
  ['D', 'W3', 25, 2],
];
const options: FleetOption[] = table.map(([chip, workload, t, kw]) => ({
  chip,
  workload,
  tokensPerDayPerChip: t,
  facilityWPerChip: kw * 1000,
  usdPerYearPerChip: 1,
  chipsPerReplica: 1,
}));
const problem = (over: Partial<FleetProblem>): FleetProblem => ({
  objective: 'min_cost',
  workloads: [
    { name: 'W1', demandTokensPerDay: 400 },
    { name: 'W2', demandTokensPerDay: 300 },
    { name: 'W3', demandTokensPerDay: 200 },
  ],
  chips: [
    { id: 'A', maxChips: 3 },
    { id: 'B', maxChips: 10 },
    { id: 'C', maxChips: 10 },
    { id: 'D', maxChips: 10 },
  ],
  options,
  powerBudgetW: 12_000,
  ...over,
});

describe('fleet optimizer: a hand-solved case', () => {
  it('least cost: A3, B2 on W1 and B3 on W2, C2 on W3; 10 chips, cost 10, 10 kW', async () => {
    const { plan } = await solveFleet(problem({}));
    expect(plan.status).toBe('optimal');
    const chips = Object.fromEntries(plan.allocations.map((a) => [`${a.chip}/${a.workload}`, a.chips]));
    expect(chips).toEqual({ 'A/W1': 3, 'B/W1': 2, 'B/W2': 3, 'C/W3': 2 });
    expect(plan.totals).toEqual({ chips: 10, facilityW: 10_000, usdPerYear: 10, tokensPerDay: 900 });
  });

  it('a 9 kW budget cannot hold the 10 chips the demands need: infeasible', async () => {
    const { plan } = await solveFleet(problem({ powerBudgetW: 9000 }));
    expect(plan.status).toBe('infeasible');
    expect(plan.allocations).toEqual([]);
  });

  it('most tokens in 6 kW: six 100-token chips (A3, B up to 3, C up to 2), 600 a day', async () => {
    const { plan } = await solveFleet(problem({ objective: 'max_tokens', powerBudgetW: 6000 }));
    expect(plan.status).toBe('optimal');
    expect(plan.totals.tokensPerDay).toBe(600);
    expect(plan.totals.facilityW).toBe(6000);
    for (const s of plan.served) expect(s.tokensPerDay).toBeLessThanOrEqual(s.demandTokensPerDay ?? 0);
  });
});

describe('infercost fleet', () => {
  it('the bundled example: every demand met within the caps and 300 MW', () => {
    const r = spawnCli(['fleet', 'profiles/fleets/mixed.yaml', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.status).toBe('optimal');
    for (const s of d.served)
      expect(s.output_tokens_per_day).toBeGreaterThanOrEqual(s.demand_output_tokens_per_day);
    expect(d.totals.facility_w).toBeLessThanOrEqual(300e6);
    const caps: Record<string, number> = { gb200: 60000, b200: 40000, 'h200-sxm': 80000, mi355x: 30000 };
    for (const [chip, cap] of Object.entries(caps)) {
      const used = d.allocations
        .filter((a: { chip: string }) => a.chip === chip)
        .reduce((s: number, a: { chips: number }) => s + a.chips, 0);
      expect(used).toBeLessThanOrEqual(cap);
    }
    // Whole replicas: chips = replicas x chips per replica on every line.
    for (const a of d.allocations) expect(a.chips).toBe(a.replicas * a.chips_per_replica);
  });

  it('a chip that is not a profile is one located line, exit 2; infeasible is exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'workloads:\n  - workload: chat\n    demand: { output_tokens_per_day: 1e9 }\nchips:\n  - id: h100\n',
    );
    const r = spawnCli(['fleet', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^infercost: .*bad\.yaml:5:9 chips\[0\]\.id: unknown accelerator "h100"/);
    const tight = join(dir, 'tight.yaml');
    writeFileSync(
      tight,
      'power_budget: 1kW\nworkloads:\n  - workload: chat\n    demand: { output_tokens_per_day: 1e12 }\nchips:\n  - id: h100-sxm\n',
    );
    const t = spawnCli(['fleet', tight]);
    expect(t.code).toBe(1);
    expect(t.stdout).toContain('status: infeasible');
  });
});
