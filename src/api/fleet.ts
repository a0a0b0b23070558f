// A mixed fleet (docs/model.md section 8a): evaluate every (chip, workload) pair, then solve the
// integer program with HiGHS.
import { createRequire } from 'node:module';
import { chooseDeployment } from '../engine/deploy.js';
import {
  efficiencyRange,
  estimatedInputRange,
  estimateRange,
  evaluate,
  type RangeEnd,
} from '../engine/evaluate.js';
import {
  type FleetMargin,
  type FleetOption,
  type FleetPlan,
  type FleetProblem,
  fleetLp,
  fleetMargins,
  fleetPlanFrom,
  type OptionFigures,
  problemAtEnds,
  type RangeEndName,
  usableOptions,
} from '../engine/fleet.js';
import { displayPath } from '../io/catalog.js';
import { checkAgainst } from '../io/check.js';
import { dottedPath, InputError, UsageError } from '../io/errors.js';
import {
  acceleratorFor,
  loadWorkload,
  readWorkloadNamedIn,
  readWorkloadYaml,
  unknownAccelerator,
} from '../io/workload.js';
import { type LocatedYaml, readYamlFile } from '../io/yaml.js';
import { parsePowerW } from '../schema/common.js';
import { type FleetFile, fleetSchema } from '../schema/fleet.js';
import { fleetRules } from '../schema/rules.js';
import type { CompareEnv } from './compare.js';

/** A pair that cannot run, with the engine's reason (it stays out of the program). */
export interface FleetExclusion {
  readonly chip: string;
  readonly workload: string;
  readonly reason: string;
}

export interface FleetReport {
  readonly file: string;
  readonly objective: FleetProblem['objective'];
  /** `tco` or `<basis> <plan>`. */
  readonly pricing: string;
  readonly problem: FleetProblem;
  readonly plan: FleetPlan;
  readonly excluded: readonly FleetExclusion[];
  /** Time spent in the solver, ms (loading it excluded). */
  readonly solveMs: number;
  /** The figures the plan is sized at (section 8c): expected, or every chip at one end of its range. */
  readonly at: FleetSizing;
  /** How sure the plan is (section 8c); undefined when the plan is not optimal. */
  readonly sureness: FleetSureness | undefined;
}

export type FleetSizing = 'expected' | RangeEndName;

/** The plan re-solved at the ends of the chips' ranges (docs/model.md section 8c). */
export interface FleetSureness {
  /** At the expected figures (the plan itself unless it is sized at an end). */
  readonly expected: FleetPlan;
  /** Every chip at its low end, then every chip at its high end. */
  readonly allLow: FleetPlan;
  readonly allHigh: FleetPlan;
  /** For each workload, the chip the plan uses most against the best other option. */
  readonly margins: readonly FleetMargin[];
}

interface HighsSolver {
  solve(
    lp: string,
    options?: Record<string, unknown>,
  ): {
    Status: string;
    ObjectiveValue: number;
    Columns: Record<string, { Primal?: number }>;
  };
}

let solver: Promise<HighsSolver> | undefined;

/**
 * HiGHS compiled to WebAssembly, loaded once and only by `fleet` (required, not bundled: the
 * CLI bundle runs through vm.Script, and compare should not pay for 3.5 MB of wasm).
 */
export function loadSolver(): Promise<HighsSolver> {
  solver ??= (createRequire(import.meta.url)('highs') as () => Promise<HighsSolver>)();
  return solver;
}

/** Section 8a: past this distance from the bound, the box's plan is checked against the whole program. */
const OPEN_SOLVE_GAP = 1e-3;
/** Section 8a: the whole program's time limit there (seconds); past it the box's plan stands. */
const OPEN_SOLVE_LIMIT_S = 10;

/**
 * Solves a problem (section 8a). The LP relaxation first (milliseconds): its optimum bounds every
 * integer plan, and an infeasible or unbounded relaxation settles the question. Then the integer
 * program in a box of one replica either side of the relaxation's optimum, which HiGHS solves
 * exactly in tens of milliseconds where the open problem takes seconds on 120 variables; the
 * plan states its distance to the bound. If the box holds no feasible plan, or its best is more
 * than 0.1% from the bound, the whole integer program is solved.
 */
export async function solveFleet(problem: FleetProblem): Promise<{ plan: FleetPlan; solveMs: number }> {
  const highs = await loadSolver();
  const started = performance.now();
  const quiet = { output_flag: false };
  const relaxed = highs.solve(fleetLp(problem, { relaxed: true }), quiet);
  if (relaxed.Status !== 'Optimal') {
    const plan = fleetPlanFrom(problem, relaxed.Status, () => undefined);
    return { plan, solveMs: performance.now() - started };
  }
  const box = usableOptions(problem).map((_, i) => {
    const x = relaxed.Columns[`r${i}`]?.Primal ?? 0;
    return [Math.max(0, Math.floor(x) - 1), Math.ceil(x) + 1] as const;
  });
  let solution = highs.solve(fleetLp(problem, { box }), quiet);
  if (solution.Status !== 'Optimal') solution = highs.solve(fleetLp(problem), { ...quiet, presolve: 'off' });
  let plan = fleetPlanFrom(
    problem,
    solution.Status,
    (v) => solution.Columns[v]?.Primal,
    relaxed.ObjectiveValue,
  );
  // The box's best can be far from the best plan where whole replicas fit the relaxation badly
  // (most tokens under a demand of 1.4 replicas of one chip: 1 replica, where 3 of a chip a third
  // the size serve 30% more). Past 0.1% from the bound, the whole program is solved too, within
  // a time limit, and kept if it is better.
  if (plan.status === 'optimal' && (plan.gapToBound ?? 0) > OPEN_SOLVE_GAP) {
    const open = highs.solve(fleetLp(problem), { ...quiet, time_limit: OPEN_SOLVE_LIMIT_S });
    if (open.Status === 'Optimal') {
      const better = fleetPlanFrom(
        problem,
        open.Status,
        (v) => open.Columns[v]?.Primal,
        relaxed.ObjectiveValue,
      );
      if ((better.gapToBound ?? 1) < (plan.gapToBound ?? 0)) plan = better;
    }
  }
  return { plan, solveMs: performance.now() - started };
}

function located(y: LocatedYaml, path: (string | number)[], message: string): InputError {
  const { line, col } = y.locate(path);
  return new InputError(y.file, line, col, dottedPath(path), message);
}

/** The problem a fleet file describes: every pair evaluated at its best deployment (section 4). */
export function fleetProblemFor(
  env: CompareEnv,
  file: string,
  /** The file already read (validate reads stdin once, to tell what kind of file it is). */
  read?: LocatedYaml,
): { problem: FleetProblem; excluded: FleetExclusion[]; pricing: string; raw: FleetFile } {
  // `-`: the plan from stdin (its workloads then name files or bundled workloads, never stdin).
  const y =
    read ?? (file === '-' ? readWorkloadYaml('-', env.readStdin) : readYamlFile(file, displayPath(file)));
  const raw = checkAgainst(y, fleetSchema(), fleetRules);
  if (file === '-' && raw.workloads.some((w) => w.workload === '-'))
    throw new UsageError('stdin (-) can be read only once: the fleet came from it, so a workload cannot');
  checkChipIds(env, y, raw);
  const excluded: FleetExclusion[] = [];
  const options: FleetOption[] = [];
  const workloads: { name: string; demandTokensPerDay?: number }[] = [];
  let pricing = '';
  raw.workloads.forEach((entry, wi) => {
    const loaded = loadWorkload(
      readWorkloadNamedIn(y, ['workloads', wi, 'workload'], entry.workload, env.readStdin),
      env.catalog,
      [],
      env.today,
    );
    const w = {
      ...loaded.workload,
      ...(raw.plan === undefined ? {} : { plan: raw.plan }),
      ...(raw.basis === undefined ? {} : { basis: raw.basis }),
    };
    const priced = w.plan === 'tco' ? 'tco (owner cost)' : `${w.basis} ${w.plan}`;
    // One plan and basis for the whole fleet (docs/model.md 8a): its dollars are added up.
    if (pricing !== '' && priced !== pricing)
      throw located(
        y,
        ['workloads', wi, 'workload'],
        `priced on ${priced} where the workloads before it are on ${pricing}: a fleet adds their dollars; give plan: (and basis:) in the fleet file for all`,
      );
    pricing = priced;
    const name = workloads.some((x) => x.name === w.name) ? `${w.name}#${wi + 1}` : w.name;
    const demand =
      entry.demand?.output_tokens_per_day ??
      (entry.demand?.requests_per_s === undefined
        ? undefined
        : entry.demand.requests_per_s * w.outputTokens * 86_400);
    workloads.push(demand === undefined ? { name } : { name, demandTokensPerDay: demand });
    for (const chip of raw.chips) {
      const acc = acceleratorFor(env.catalog, chip.id, [], env.today, loaded.raw.stack);
      // One search serves the evaluation and its range's price and power ends (section 8c).
      const d = chooseDeployment(acc, w);
      const e = evaluate(acc, w, d);
      if (!e.performance || !e.energy || !e.deployment) {
        excluded.push({
          chip: chip.id,
          workload: name,
          reason: e.failure ? 'cannot run this workload' : 'no deployment',
        });
        continue;
      }
      const figures: OptionFigures = {
        tokensPerDayPerChip: e.performance.outputTokensPerSPerChip * 86_400 * w.utilization,
        facilityWPerChip: e.energy.facilityWPerChip,
        usdPerYearPerChip: e.cost === undefined ? undefined : e.cost.usdPerChipHour * 8760,
      };
      const range = estimateRange(acc, w, e, estimatedInputRange(acc, w, e, efficiencyRange(acc, w, e)), d);
      const nominal = {
        x: e.performance.outputTokensPerSPerChip,
        tpd: e.cost?.outputTokensPerUsd,
        tpj: e.energy.outputTokensPerJoule,
      };
      options.push({
        chip: chip.id,
        workload: name,
        ...figures,
        chipsPerReplica: e.deployment.chips,
        ...(range === undefined
          ? {}
          : {
              ends: { low: endsOf(figures, range.low, nominal), high: endsOf(figures, range.high, nominal) },
            }),
      });
      if (
        ((raw.objective ?? 'min_cost') === 'min_cost' || raw.usd_per_year_budget !== undefined) &&
        e.cost === undefined
      )
        excluded.push({ chip: chip.id, workload: name, reason: `no ${pricing} price` });
    }
  });
  const problem: FleetProblem = {
    objective: raw.objective ?? 'min_cost',
    workloads,
    chips: raw.chips.map((c) =>
      c.max_chips === undefined ? { id: c.id } : { id: c.id, maxChips: c.max_chips },
    ),
    options,
    ...(raw.power_budget === undefined ? {} : { powerBudgetW: parsePowerW(raw.power_budget) as number }),
    ...(raw.usd_per_year_budget === undefined ? {} : { usdPerYearBudget: raw.usd_per_year_budget }),
  };
  return { problem, excluded, pricing, raw };
}

/**
 * An option's figures at the two ends of its range (section 8c). `x`, `tpd` and `tpj` are
 * throughput, tokens per dollar and tokens per joule, nominal and at the end: throughput scales
 * tokens per day; price per chip goes as `x / tpd` and operating power as `x / tpj`, so each
 * scales by the ratio of those quotients. A metric an end leaves null keeps its nominal figure.
 */
function endsOf(
  nominal: OptionFigures,
  at: RangeEnd,
  { x, tpd, tpj }: { x: number; tpd: number | undefined; tpj: number | undefined },
): OptionFigures {
  const xEnd = at.outputTokensPerSPerChip ?? x;
  const per = (q: number | undefined, qEnd: number | null) =>
    q === undefined || qEnd === null || qEnd === 0 ? 1 : xEnd / qEnd / (x / q);
  return {
    tokensPerDayPerChip: (nominal.tokensPerDayPerChip * xEnd) / x,
    facilityWPerChip: nominal.facilityWPerChip * per(tpj, at.outputTokensPerJoule),
    usdPerYearPerChip:
      nominal.usdPerYearPerChip === undefined
        ? undefined
        : nominal.usdPerYearPerChip * per(tpd, at.outputTokensPerUsd),
  };
}

/** Every chip id in the file is a profile. */
function checkChipIds(env: CompareEnv, y: LocatedYaml, raw: FleetFile): void {
  raw.chips.forEach((c, i) => {
    if (!env.catalog.accelerators.has(c.id))
      throw located(y, ['chips', i, 'id'], unknownAccelerator(env.catalog, c.id));
  });
}

/**
 * Loads a fleet file, evaluates every pair, solves (section 8a) at the expected figures or with
 * every chip at one end of its range (section 8c), and says how sure the plan is.
 */
export async function planFleet(
  env: CompareEnv,
  file: string,
  at: FleetSizing = 'expected',
): Promise<FleetReport> {
  const { problem, excluded, pricing } = fleetProblemFor(env, file);
  const { plan, solveMs } = await solveFleet(at === 'expected' ? problem : problemAtEnds(problem, () => at));
  const sureness = plan.status === 'optimal' ? await surenessOf(problem, plan, at) : undefined;
  return {
    file: displayPath(file),
    objective: problem.objective,
    pricing,
    problem,
    plan,
    excluded,
    solveMs,
    at,
    sureness,
  };
}

/**
 * Section 8c: the problem solved at the expected figures and with every chip at its low end and at
 * its high end (the plan itself stands for the one it was sized at), and each workload's chip in
 * the plan against the best other option.
 */
export async function surenessOf(
  problem: FleetProblem,
  plan: FleetPlan,
  sizedAt: FleetSizing = 'expected',
): Promise<FleetSureness> {
  const at = async (end: FleetSizing) =>
    end === sizedAt
      ? plan
      : (await solveFleet(end === 'expected' ? problem : problemAtEnds(problem, () => end))).plan;
  return {
    expected: await at('expected'),
    allLow: await at('low'),
    allHigh: await at('high'),
    margins: fleetMargins(problem, plan, sizedAt),
  };
}
