// A mixed fleet as an integer program (docs/model.md section 8a): pure formulation and reading
// of the solution; the solver itself runs outside the engine.

/** One (chip, workload) pair that can run, per chip at its best deployment (section 4). */
export interface FleetOption {
  readonly chip: string;
  readonly workload: string;
  /** `t_cw = x * 86400 * u`: output tokens a day one chip serves. */
  readonly tokensPerDayPerChip: number;
  /** `p_cw`: facility watts per chip at the operating point. */
  readonly facilityWPerChip: number;
  /** `k_c = c * 8760`; undefined when the chip has no price on the plan. */
  readonly usdPerYearPerChip: number | undefined;
  /** `N_cw`: chips per replica; the plan buys whole replicas. */
  readonly chipsPerReplica: number;
  /** The figures at each end of the chip's range (section 8c); none when it states no range. */
  readonly ends?: { readonly low: OptionFigures; readonly high: OptionFigures };
}

/** What one chip of an option serves, draws and costs (section 8c moves them to a range's end). */
export interface OptionFigures {
  readonly tokensPerDayPerChip: number;
  readonly facilityWPerChip: number;
  readonly usdPerYearPerChip: number | undefined;
}

export type RangeEndName = 'low' | 'high';

/**
 * The problem with each chip's options at one end of their ranges (section 8c): `endOf(chip)`
 * names the end. An option without ends keeps its figures.
 */
export function problemAtEnds(p: FleetProblem, endOf: (chip: string) => RangeEndName): FleetProblem {
  return {
    ...p,
    options: p.options.map((o) => {
      const { ends, ...rest } = o;
      return ends === undefined ? rest : { ...rest, ...ends[endOf(o.chip)] };
    }),
  };
}

export interface FleetProblem {
  readonly objective: 'min_cost' | 'max_tokens';
  readonly workloads: readonly { readonly name: string; readonly demandTokensPerDay?: number }[];
  readonly chips: readonly { readonly id: string; readonly maxChips?: number }[];
  readonly options: readonly FleetOption[];
  readonly powerBudgetW?: number;
  readonly usdPerYearBudget?: number;
}

export interface FleetAllocation extends FleetOption {
  readonly replicas: number;
  readonly chips: number;
}

export interface FleetPlan {
  readonly status: 'optimal' | 'infeasible' | 'unbounded' | 'other';
  /** The solver's own word for anything but optimal. */
  readonly solverStatus: string;
  readonly allocations: readonly FleetAllocation[];
  readonly totals: {
    readonly chips: number;
    readonly facilityW: number;
    readonly usdPerYear: number | null;
    readonly tokensPerDay: number;
  };
  readonly served: readonly {
    readonly workload: string;
    readonly tokensPerDay: number;
    readonly demandTokensPerDay: number | null;
  }[];
  /**
   * How far the plan's objective can be from the best integer plan, as a fraction: measured
   * against the LP relaxation's optimum, which no integer plan beats. Null when not optimal.
   */
  readonly gapToBound: number | null;
}

/** LP-format numbers: plain decimals with enough digits, never exponent forms LP readers may reject. */
function n(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(12).replace(/\.?0+$/, '');
}

function sum(terms: readonly (readonly [number, string])[]): string {
  const parts = terms.filter(([c]) => c !== 0).map(([c, v]) => `${n(c)} ${v}`);
  return parts.length === 0 ? '0 r0' : parts.join(' + ');
}

/**
 * Options a problem can use (docs/model.md 8a): where dollars enter it (min_cost, or a money
 * budget), a chip needs a price; an unknown cost is not a zero one.
 */
export function usableOptions(p: FleetProblem): FleetOption[] {
  const needsPrice = p.objective === 'min_cost' || p.usdPerYearBudget !== undefined;
  return p.options.filter(
    (o) =>
      o.tokensPerDayPerChip > 0 &&
      o.chipsPerReplica >= 1 &&
      (!needsPrice || o.usdPerYearPerChip !== undefined),
  );
}

/**
 * Each row of the program (and its objective) divided by its largest coefficient. In tokens,
 * watts and dollars the coefficients span 1e0..1e12 and HiGHS spends seconds on a 120-variable
 * plan; scaled, every row's coefficients are at most 1. Scaling rows changes no solution.
 */
function scaled(terms: readonly (readonly [number, string])[]): { terms: [number, string][]; by: number } {
  const by = Math.max(...terms.map(([c]) => Math.abs(c)), Number.MIN_VALUE);
  return { terms: terms.map(([c, v]) => [c / by, v]), by };
}

/** The objective's coefficients, in the problem's units (dollars a year, or tokens a day). */
function objectiveTerms(p: FleetProblem): [number, string][] {
  return usableOptions(p).map((o, i) => [
    (p.objective === 'min_cost' ? (o.usdPerYearPerChip ?? 0) : o.tokensPerDayPerChip) * o.chipsPerReplica,
    `r${i}`,
  ]);
}

/** What the LP's objective value must be multiplied by to be in dollars a year or tokens a day. */
export function objectiveScale(p: FleetProblem): number {
  return scaled(objectiveTerms(p)).by;
}

/**
 * The CPLEX LP text of section 8a, with variable `r<i>` the replicas of `usableOptions(p)[i]`.
 * Constraints are named for the report: `demand_<w>`, `cover_<w>`, `cap_<c>`, `power`, `money`.
 */
export function fleetLp(
  p: FleetProblem,
  options: {
    /** Drop integrality: the LP relaxation, whose optimum bounds the integer one. */
    readonly relaxed?: boolean;
    /** Per variable, the replicas it may take: a search box around the relaxation's optimum. */
    readonly box?: readonly (readonly [number, number])[];
  } = {},
): string {
  const opts = usableOptions(p);
  const v = (i: number) => `r${i}`;
  const chipsOf = (o: FleetOption) => o.chipsPerReplica;
  const row = (name: string, terms: readonly (readonly [number, string])[], op: string, rhs: number) => {
    const r = scaled(terms);
    return ` ${name}: ${sum(r.terms)} ${op} ${n(rhs / r.by)}`;
  };
  const lines: string[] = [
    p.objective === 'min_cost' ? 'Minimize' : 'Maximize',
    ` objective: ${sum(scaled(objectiveTerms(p)).terms)}`,
    'Subject To',
  ];
  p.workloads.forEach((w, wi) => {
    if (w.demandTokensPerDay === undefined) return;
    const served = opts.flatMap((o, i) =>
      o.workload === w.name ? [[o.tokensPerDayPerChip * chipsOf(o), v(i)] as const] : [],
    );
    if (served.length === 0) {
      // Nothing can serve this workload: a demand makes the plan infeasible, a cap is void.
      if (p.objective === 'min_cost') lines.push(` demand_${wi}: 0 r0 >= 1`);
      return;
    }
    lines.push(row(`demand_${wi}`, served, p.objective === 'min_cost' ? '>=' : '<=', w.demandTokensPerDay));
    // Section 8a: a demand far below one replica's output is within the solver's tolerance of
    // zero replicas; whole replicas make "at least one" the same constraint, held exactly.
    if (p.objective === 'min_cost' && w.demandTokensPerDay > 0)
      lines.push(` cover_${wi}: ${served.map(([, name]) => name).join(' + ')} >= 1`);
  });
  p.chips.forEach((c, ci) => {
    if (c.maxChips === undefined) return;
    const used = opts.flatMap((o, i) => (o.chip === c.id ? [[chipsOf(o), v(i)] as const] : []));
    if (used.length > 0) lines.push(row(`cap_${ci}`, used, '<=', c.maxChips));
  });
  if (p.powerBudgetW !== undefined && opts.length > 0)
    lines.push(
      row(
        'power',
        opts.map((o, i) => [o.facilityWPerChip * chipsOf(o), v(i)] as const),
        '<=',
        p.powerBudgetW,
      ),
    );
  if (p.usdPerYearBudget !== undefined && opts.length > 0)
    lines.push(
      row(
        'money',
        opts.map((o, i) => [(o.usdPerYearPerChip ?? 0) * chipsOf(o), v(i)] as const),
        '<=',
        p.usdPerYearBudget,
      ),
    );
  if (opts.length === 0) lines.push(' none: 0 r0 = 0');
  const box = options.box;
  lines.push(
    'Bounds',
    ...opts.map((_, i) => {
      const b = box?.[i];
      return b ? ` ${n(b[0])} <= ${v(i)} <= ${n(b[1])}` : ` ${v(i)} >= 0`;
    }),
  );
  if (!options.relaxed)
    lines.push('General', ` ${opts.length === 0 ? 'r0' : opts.map((_, i) => v(i)).join(' ')}`);
  lines.push('End');
  return `${lines.join('\n')}\n`;
}

/** Chips of each chip id a plan deploys, over all its workloads. */
export function chipsByChip(plan: FleetPlan): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of plan.allocations) out.set(a.chip, (out.get(a.chip) ?? 0) + a.chips);
  return out;
}

/** Reads the solver's primal values (replicas per `r<i>`) into the plan and its totals. */
export function fleetPlanFrom(
  p: FleetProblem,
  status: string,
  replicasOf: (variable: string) => number | undefined,
  relaxedObjective?: number,
): FleetPlan {
  const kind =
    status === 'Optimal'
      ? 'optimal'
      : /infeasible/i.test(status)
        ? 'infeasible'
        : /unbounded/i.test(status)
          ? 'unbounded'
          : 'other';
  const opts = usableOptions(p);
  const allocations =
    kind === 'optimal'
      ? opts.flatMap((o, i) => {
          const replicas = Math.round(replicasOf(`r${i}`) ?? 0);
          return replicas > 0 ? [{ ...o, replicas, chips: replicas * o.chipsPerReplica }] : [];
        })
      : [];
  const priced = allocations.every((a) => a.usdPerYearPerChip !== undefined);
  const usdPerYear = allocations.reduce((s, a) => s + a.chips * (a.usdPerYearPerChip ?? 0), 0);
  const tokensPerDay = allocations.reduce((s, a) => s + a.chips * a.tokensPerDayPerChip, 0);
  // The relaxation's objective is in the program's scaled units (see `scaled`).
  const achieved = (p.objective === 'min_cost' ? usdPerYear : tokensPerDay) / objectiveScale(p);
  const gapToBound =
    kind !== 'optimal' || relaxedObjective === undefined || relaxedObjective === 0
      ? null
      : Math.max(0, Math.abs(achieved - relaxedObjective) / Math.abs(relaxedObjective));
  return {
    gapToBound,
    status: kind,
    solverStatus: status,
    allocations,
    totals: {
      chips: allocations.reduce((s, a) => s + a.chips, 0),
      facilityW: allocations.reduce((s, a) => s + a.chips * a.facilityWPerChip, 0),
      usdPerYear: priced ? usdPerYear : null,
      tokensPerDay,
    },
    served: p.workloads.map((w) => ({
      workload: w.name,
      tokensPerDay: allocations
        .filter((a) => a.workload === w.name)
        .reduce((s, a) => s + a.chips * a.tokensPerDayPerChip, 0),
      demandTokensPerDay: w.demandTokensPerDay ?? null,
    })),
  };
}

/** Section 8c: how the best other chip for a workload compares with the one the plan uses most. */
export interface FleetMargin {
  readonly workload: string;
  /** The chip serving most of the workload's tokens in the plan. */
  readonly chip: string;
  /** The other chip with the best per-token figure for the workload. */
  readonly runnerUp: string;
  /** What the figure is: dollars per output token, or tokens per facility watt, per dollar or per chip. */
  readonly metric: 'usd_per_token' | 'tokens_per_w' | 'tokens_per_usd' | 'tokens_per_chip';
  /**
   * The runner-up's figure over the chip's (above 1 favours the runner-up) at the figures the plan
   * was sized at: expected, or both at that end (`fleet --at low|high`).
   */
  readonly ratio: number;
  /** The runner-up at its low end over the chip at its high end: the reading best for the chip. */
  readonly ratioLow: number;
  /**
   * The best reading for any other option: the largest of each other option's high end over the
   * chip's low end (the runner-up's, unless another with a wider range reaches further).
   */
  readonly ratioHigh: number;
  /**
   * Most tokens with every demand met in full: no budget or cap decided which chip serves the
   * workload (any mix serving the demands is as good), so the ratio explains nothing.
   */
  readonly undecided?: true;
  /**
   * Where `undecided` and whole replicas serve less than the demands (the demands cap a
   * `max_tokens` plan): the share of the demands served.
   */
  readonly demandShare?: number;
}

/**
 * For each workload the plan serves: the chip serving most of its tokens against the best other
 * option on the objective's per-token figure (section 8c), both read at the figures the plan was
 * sized at (`sizedAt`). The figure is "higher is better" for the chip, so a ratio (runner-up over
 * chip) above 1 favours the runner-up; its range runs from the runner-up at its low end over the
 * chip at its high end to the best other option at its high end over the chip at its low end.
 * Settled when the whole range lies below 1.
 */
export function fleetMargins(
  p: FleetProblem,
  plan: FleetPlan,
  sizedAt: 'expected' | RangeEndName = 'expected',
): FleetMargin[] {
  const metric: FleetMargin['metric'] =
    p.objective === 'min_cost'
      ? 'usd_per_token'
      : p.powerBudgetW !== undefined
        ? 'tokens_per_w'
        : p.usdPerYearBudget !== undefined
          ? 'tokens_per_usd'
          : 'tokens_per_chip';
  // Higher is better for every figure: for cost, tokens per dollar.
  const merit = (f: OptionFigures): number | undefined => {
    switch (metric) {
      case 'usd_per_token':
      case 'tokens_per_usd':
        return f.usdPerYearPerChip === undefined || f.usdPerYearPerChip === 0
          ? undefined
          : f.tokensPerDayPerChip / f.usdPerYearPerChip;
      case 'tokens_per_w':
        return f.tokensPerDayPerChip / f.facilityWPerChip;
      default:
        return f.tokensPerDayPerChip;
    }
  };
  // Most tokens, when every workload has a demand and the relaxation's optimum is their sum (the
  // plan short of it only by its gap to that bound): the demands bounded the plan, not a budget or
  // a cap. Whole replicas may serve less than the demands then; the margin says how much.
  const demanded = plan.served.reduce((sum, s) => sum + (s.demandTokensPerDay ?? Number.NaN), 0);
  const demandsMet =
    p.objective === 'max_tokens' &&
    plan.served.length > 0 &&
    plan.totals.tokensPerDay >= demanded * (1 - (plan.gapToBound ?? 0)) * (1 - 1e-9);
  const out: FleetMargin[] = [];
  for (const w of p.workloads) {
    const served = new Map<string, number>();
    for (const a of plan.allocations)
      if (a.workload === w.name)
        served.set(a.chip, (served.get(a.chip) ?? 0) + a.chips * a.tokensPerDayPerChip);
    const top = [...served].sort((a, b) => b[1] - a[1])[0]?.[0];
    const mine = p.options.find((o) => o.workload === w.name && o.chip === top);
    if (mine === undefined) continue;
    const at = (o: FleetOption, end: RangeEndName) => merit(o.ends?.[end] ?? o) ?? (merit(o) as number);
    // The plan sized at an end chose its chips on that end's figures: the runner-up and the ratio
    // are read there too, or the margin can name as cheaper a chip the plan rightly passed over.
    const sized = (o: FleetOption) => (sizedAt === 'expected' ? merit(o) : at(o, sizedAt));
    const others = p.options
      .filter((o) => o.workload === w.name && o.chip !== top && merit(o) !== undefined)
      .sort((a, b) => (sized(b) as number) - (sized(a) as number));
    const next = others[0];
    const m = merit(mine);
    if (next === undefined || m === undefined) continue;
    // As a ratio of goodness: runner-up over chip. The chip's low end with the runner-up's high
    // end is the most favourable reading for the runner-up.
    out.push({
      workload: w.name,
      chip: mine.chip,
      runnerUp: next.chip,
      metric,
      ratio: (sized(next) as number) / (sized(mine) as number),
      ratioLow: at(next, 'low') / at(mine, 'high'),
      // Settled means every other option is worse even at its best: not the runner-up alone,
      // which a plan sized at an end picks at that end's figures.
      ratioHigh: Math.max(...others.map((o) => at(o, 'high'))) / at(mine, 'low'),
      ...(demandsMet ? { undecided: true as const } : {}),
      ...(demandsMet && plan.totals.tokensPerDay < demanded * (1 - 1e-9)
        ? { demandShare: plan.totals.tokensPerDay / demanded }
        : {}),
    });
  }
  return out;
}
