// The comparison as a library function over plain data: the CLI's compare and check, and
// `import { compare } from 'infercost'`, are wiring over it.
import { blendPerToken, blendTokensPer, compareAccelerators, paretoCurve } from '../engine/index.js';
import { PLANS, type Plan } from '../engine/types.js';
import { type Catalog, defaultAcceleratorIds, fileStem } from '../io/catalog.js';
import { checkAgainst } from '../io/check.js';
import { InputError, UsageError } from '../io/errors.js';
import { assertStdinOnce } from '../io/files.js';
import {
  acceleratorFor,
  type FieldSet,
  knownStacks,
  loadWorkload,
  readWorkloadNamedIn,
  readWorkloadYaml,
  unknownAccelerator,
  workloadErrorAt,
  workloadPathIn,
} from '../io/workload.js';
import type { LocatedYaml } from '../io/yaml.js';
import { columnKeys } from '../render/columns.js';
import { FORMAT_NAMES, type FormatName } from '../render/index.js';
import { resultDoc, workloadResult } from '../render/result.js';
import { didYouMean } from '../schema/issues.js';
import { type MixFile, mixRules, mixSchema } from '../schema/mix.js';
import {
  LOWER_IS_BETTER,
  type MetricKey,
  MIX_METRICS,
  type MixMetric,
  type MixResult,
  type ResultDoc,
  type WorkloadResult,
} from '../schema/result.js';
import { WORKLOAD_DEFAULTS } from '../schema/workload.js';
import {
  checkExpectation,
  type Expectation,
  type ExpectationOutcome,
  parseExpectation,
  resolveMetric,
} from './expect.js';
import { parseFieldSet, parseFieldSets } from './sets.js';
import { VERSION } from './version.js';

export interface CompareOptions {
  readonly format?: string;
  readonly output?: string;
  readonly baseline?: string;
  readonly accelerators?: string;
  readonly plan?: string;
  readonly set: string[];
  readonly sort?: string;
  readonly stack?: string;
  readonly basis?: string;
  readonly expect: string[];
  readonly pareto: boolean;
  readonly ranges: boolean;
  readonly strict: boolean;
  readonly wide?: boolean;
  readonly columns?: string;
  readonly chart?: boolean;
  /** `--power-budget 1GW`: size each chip's fleet to fill it (docs/model.md section 8). */
  readonly powerBudget?: string;
  /** `--demand 1e12`: output tokens per day to size each chip's fleet for. */
  readonly demand?: string;
}

export function parseFormat(format: string | undefined, fallback: FormatName): FormatName {
  const f = format ?? fallback;
  if (!(FORMAT_NAMES as string[]).includes(f)) {
    throw new UsageError(`--format ${f}: expected one of ${FORMAT_NAMES.join(', ')}`);
  }
  return f as FormatName;
}

/** A comma-separated flag value: trimmed items, each once, in order; none at all is a usage error. */
function commaList(flag: string, text: string, what: string): string[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`${flag} "${text}": give at least one ${what}`);
  return [...new Set(items)];
}

/** A flag whose value must be one of a fixed set. */
function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value))
    throw new UsageError(`${flag} ${value}: expected one of ${choices.join(', ')}`);
  return value as T;
}

/** `--columns a,b`: keys of the table's columns, each known. */
export function parseColumns(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const keys = commaList('--columns', text, 'column');
  for (const k of keys)
    if (!columnKeys().includes(k))
      throw new UsageError(
        `--columns ${k}: unknown column${didYouMean(k, columnKeys())} (known: ${columnKeys().join(', ')})`,
      );
  return keys;
}

const BASES = ['hyperscaler', 'neocloud', 'marketplace'] as const;

export function parseBasis(basis: string | undefined): (typeof BASES)[number] | undefined {
  return oneOf('--basis', basis, BASES);
}

export function parsePlan(plan: string | undefined): Plan | undefined {
  return oneOf('--plan', plan, PLANS);
}

export function parseSortMetric(sort: string | undefined): MetricKey {
  if (sort === undefined) return 'output_tokens_per_usd';
  const m = resolveMetric(sort);
  if (!m)
    throw new UsageError(
      `--sort ${sort}: unknown metric (use a JSON metric key such as usd_per_mtok_output)`,
    );
  return m;
}

/** `--accelerators a,b`: ids in order, each once; an empty list is a usage error, not "baseline only". */
export function parseIdList(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : commaList('--accelerators', text, 'accelerator id');
}

/** Months between a quote's date (YYYY, YYYY-MM or YYYY-MM-DD) and today; a year alone counts from its June. */
export function monthsOld(asOf: string, today: string): number {
  const [y, m] = asOf.split('-').map(Number) as [number, number | undefined];
  const [ty, tm] = today.split('-').map(Number) as [number, number];
  return (ty - y) * 12 + (tm - (m ?? 6));
}

/** The note on a row whose chip has no factors for the asked-for stack and ran `ran` instead. */
export function stackNotServed(stack: string, ran: string): string {
  return `no ${stack} factors for this chip (not among its serving stacks): ran ${ran}`;
}

/**
 * A chip the asked-for stack does not serve runs its own default (acceleratorFor): the Stack
 * column names the one used, and this note says the asked-for one was passed over.
 */
export function flagStackNotServed(r: WorkloadResult, stack: string | undefined): WorkloadResult {
  if (stack === undefined) return r;
  return {
    ...r,
    accelerators: r.accelerators.map((a) =>
      !a.stack || a.stack.name === stack
        ? a
        : {
            ...a,
            warnings: [
              ...a.warnings,
              {
                code: 'STACK_NOT_SERVED',
                message: stackNotServed(stack, a.stack.name),
              },
            ],
          },
    ),
  };
}

/** The warning a quote dated `asOf` gets, or undefined while it is 12 months old or less. */
export function stalePriceMessage(asOf: string | null | undefined, today: string): string | undefined {
  if (!asOf || monthsOld(asOf, today) <= 12) return undefined;
  return `price quote dated ${asOf} is over 12 months old (refresh it in the profile)`;
}

/** A quote older than 12 months is flagged on its row: prices move (AWS cut P5 by up to 45% in 2025). */
export function flagStalePrices(r: WorkloadResult, today: string): WorkloadResult {
  return {
    ...r,
    accelerators: r.accelerators.map((a) => {
      const message = stalePriceMessage(a.price?.as_of, today);
      return message === undefined
        ? a
        : { ...a, warnings: [...a.warnings, { code: 'PRICE_STALE', message }] };
    }),
  };
}

/**
 * Section 11: a chip that ran but states no range (a profile without `stacks:` whose factors give
 * no low/high) says so on its row, instead of a bare "-" in the Range column.
 */
export function flagNoRange(r: WorkloadResult): WorkloadResult {
  return {
    ...r,
    accelerators: r.accelerators.map((a) =>
      a.deployment === null || a.ranges !== null
        ? a
        : {
            ...a,
            warnings: [
              ...a.warnings,
              {
                code: 'NO_RANGE',
                message:
                  'states no range: its profile has no stacks: entry with a cross-validated interval (calibrate --all writes one from measured rows) and no low/high on an assumed efficiency factor (docs/model.md section 11)',
              },
            ],
          },
    ),
  };
}

/** Rows that ran first, best first by the metric; rows without it keep their order after. */
export function sortRows(r: WorkloadResult, metric: MetricKey): WorkloadResult {
  const sign = LOWER_IS_BETTER.has(metric) ? 1 : -1;
  const keyed = r.accelerators.map((a, i) => ({ a, i, v: a.status === 'ok' ? a.metrics[metric] : null }));
  keyed.sort((x, y) => {
    if (x.v === null || y.v === null) return x.v === null ? (y.v === null ? x.i - y.i : 1) : -1;
    return sign * (x.v - y.v) || x.i - y.i;
  });
  return { ...r, accelerators: keyed.map((k) => k.a) };
}

/** A serving stack no profile has factors for (compare --stack, a workload's or a sweep's stack). */
export function unknownStack(catalog: Catalog, stack: string): string {
  const known = knownStacks(catalog);
  return `unknown serving stack "${stack}"${didYouMean(stack, known)} (known: ${known.join(', ')})`;
}

/**
 * An id in the workload file that names nothing: located like any input error, or blamed on the
 * `--set` that gave it (the file never said it).
 */
function unknownIn(
  y: LocatedYaml,
  path: (string | number)[],
  message: string,
  sets: readonly FieldSet[] = [],
): InputError {
  return workloadErrorAt(y, sets, path, message);
}

/** A `pricing.provider` that no profile quotes is a typo, not a reason to price elsewhere. */
function checkProvider(loaded: ReturnType<typeof loadWorkload>, catalog: Catalog): void {
  const provider = loaded.workload.provider;
  if (provider === undefined) return;
  const known = new Set<string>();
  for (const entry of catalog.accelerators.values())
    for (const q of entry.value.prices ?? []) known.add(q.provider);
  if ([...known].some((k) => k.toLowerCase() === provider.toLowerCase())) return;
  throw unknownIn(
    loaded.yaml,
    ['pricing', 'provider'],
    `no profile has a quote from "${provider}"${didYouMean(provider, [...known])} (see 'infercost profiles show <id>')`,
    loaded.sets,
  );
}

/** What a comparison reads besides its options: the profiles, today's date, standard input. */
export interface CompareEnv {
  readonly catalog: Catalog;
  /** YYYY-MM-DD: dates --set quotes and flags stale ones. */
  readonly today: string;
  readonly readStdin: () => string;
}

export interface CompareRun {
  readonly doc: ResultDoc;
  readonly outcomes: readonly ExpectationOutcome[];
}

/** The mix in a workload file, or undefined for a single workload (docs/model.md section 8b). */
function mixIn(yaml: LocatedYaml): MixFile | undefined {
  const data = yaml.data;
  if (data === null || typeof data !== 'object' || !Object.hasOwn(data, 'mix')) return undefined;
  return checkAgainst(yaml, mixSchema(), mixRules);
}

/** Checks a mix file and loads each of its classes; the label `validate` prints. */
export function validateMix(env: CompareEnv, yaml: LocatedYaml): string | undefined {
  const mix = mixIn(yaml);
  if (!mix) return undefined;
  mix.mix.forEach((c, i) => {
    const y = readWorkloadNamedIn(yaml, ['mix', i, 'workload'], c.workload, env.readStdin);
    loadWorkload(y, env.catalog, [], env.today);
  });
  return `mix ${mix.name ?? fileStem(yaml.file)} (${mix.mix.map((c) => c.workload).join(', ')})`;
}

/**
 * The workload each result of `runCompare(env, paths, ...)` came from, in the same order: a mix
 * stands for its classes.
 */
export function resultWorkloadPaths(env: CompareEnv, paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    if (path === '-') return [path];
    const yaml = readWorkloadYaml(path, env.readStdin);
    const mix = mixIn(yaml);
    return mix ? mix.mix.map((c) => workloadPathIn(yaml.file, c.workload)) : [path];
  });
}

/** Section 8b's blend of each chip over the classes, by output-token share. */
function blendMix(
  yaml: LocatedYaml,
  name: string,
  classes: readonly { share: number; result: WorkloadResult }[],
  sortMetric: MetricKey,
): MixResult {
  // A blend adds each class's dollars per token: on different plans or price bases that sum means
  // nothing (an owner's cost beside a rental price), so it is refused where the mix is written.
  for (const [what, of] of [
    ['plans', (r: WorkloadResult) => r.workload.plan],
    ['price bases', (r: WorkloadResult) => r.workload.price_basis ?? 'hyperscaler'],
  ] as const) {
    const values = classes.map((c) => `${c.result.workload.name}: ${of(c.result)}`);
    if (new Set(classes.map((c) => of(c.result))).size > 1)
      throw unknownIn(
        yaml,
        ['mix'],
        `the classes are priced on different ${what} (${values.join(', ')}), and a blend adds their dollars; give each the same, or --plan/--basis for all`,
      );
  }
  const shares = classes.map((c) => c.share);
  const ids = [...new Set(classes.flatMap((c) => c.result.accelerators.map((a) => a.id)))];
  return {
    name,
    file: yaml.file,
    classes: classes.map((c) => ({ workload: c.result.workload.name, share: c.share })),
    accelerators: ids
      .map((id) => {
        const rows = classes.map((c) => c.result.accelerators.find((a) => a.id === id));
        const metric = (k: MixMetric) => rows.map((a) => (a && a.status === 'ok' ? a.metrics[k] : null));
        const missing = classes.flatMap((c, i) => {
          const a = rows[i];
          return a && a.status === 'ok' && a.metrics.output_tokens_per_usd !== null
            ? []
            : [c.result.workload.name];
        });
        return {
          id,
          usd_per_mtok_output: blendPerToken(shares, metric('usd_per_mtok_output')),
          output_tokens_per_usd: blendTokensPer(shares, metric('output_tokens_per_usd')),
          tokens_per_joule_output: blendTokensPer(shares, metric('tokens_per_joule_output')),
          missing,
        };
      })
      // By --sort where it is a blended metric, else by tokens per dollar; a chip without a blend last.
      .sort((a, b) => {
        const k = (MIX_METRICS as readonly MetricKey[]).includes(sortMetric)
          ? (sortMetric as MixMetric)
          : 'output_tokens_per_usd';
        const [x, y] = [a[k], b[k]];
        if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
        return LOWER_IS_BETTER.has(k) ? x - y : y - x;
      }),
  };
}

/** Loads, computes and checks; no printing. */
export function runCompare(
  env: CompareEnv,
  workloadPaths: readonly string[],
  opts: CompareOptions,
  saved?: ResultDoc,
): CompareRun {
  const catalog = env.catalog;
  const ids = [...catalog.accelerators.keys()];
  // A sizing flag replaces the workload file's sizing, whichever kind the file gives (a fleet is
  // sized for a demand or a power budget, not both): the file's is cleared first. Both flags at
  // once are still the error they are in a file.
  const unset = (flag: string, text: string, field: string): FieldSet => ({
    text,
    flag,
    path: [field],
    value: undefined,
  });
  // An empty value would reach the schema as null and be named as some other field's type.
  for (const [flag, text, example] of [
    ['--power-budget', opts.powerBudget, '1GW or 300MW'],
    ['--demand', opts.demand, '1e12 (output tokens a day)'],
  ] as const)
    if (text !== undefined && text.trim() === '')
      throw new UsageError(`${flag} ${JSON.stringify(text)}: expected a value, e.g. ${example}`);
  const sets: FieldSet[] = [
    ...parseFieldSets(opts.set, ids),
    ...(opts.powerBudget === undefined
      ? []
      : [
          ...(opts.demand === undefined ? [unset('--power-budget', opts.powerBudget, 'demand')] : []),
          // Shown as typed: `--power-budget 1XW`, not the field set it becomes.
          {
            ...parseFieldSet(`power_budget=${opts.powerBudget}`, ids, '--power-budget'),
            text: opts.powerBudget,
          },
        ]),
    ...(opts.demand === undefined
      ? []
      : [
          ...(opts.powerBudget === undefined ? [unset('--demand', opts.demand, 'power_budget')] : []),
          unset('--demand', opts.demand, 'demand'),
          {
            ...parseFieldSet(`demand.output_tokens_per_day=${opts.demand}`, ids, '--demand'),
            text: opts.demand,
          },
        ]),
  ];
  const plan = parsePlan(opts.plan);
  const sortMetric = parseSortMetric(opts.sort);
  const flagIds = parseIdList(opts.accelerators);
  for (const id of [...(flagIds ?? []), ...(opts.baseline ? [opts.baseline] : [])]) {
    if (!catalog.accelerators.has(id)) throw new UsageError(unknownAccelerator(catalog, id));
  }
  assertStdinOnce(workloadPaths);

  const results: WorkloadResult[] = [];
  const outcomes: ExpectationOutcome[] = [];
  const mixes: MixResult[] = [];
  const compareOne = (yaml: LocatedYaml, classSets: readonly FieldSet[] = []): WorkloadResult => {
    const loaded = loadWorkload(yaml, catalog, [...sets, ...classSets], env.today);
    const basis = parseBasis(opts.basis);
    const planned = plan === undefined ? loaded.workload : { ...loaded.workload, plan };
    const workload = basis === undefined ? planned : { ...planned, basis };
    const baseline = opts.baseline ?? loaded.raw.baseline ?? WORKLOAD_DEFAULTS.baseline;
    if (!catalog.accelerators.has(baseline))
      throw unknownIn(loaded.yaml, ['baseline'], unknownAccelerator(catalog, baseline), loaded.sets);
    const wanted = flagIds ?? [...new Set(loaded.raw.accelerators ?? defaultAcceleratorIds(catalog))];
    checkProvider(loaded, catalog);
    wanted.forEach((id, i) => {
      if (!catalog.accelerators.has(id))
        throw unknownIn(loaded.yaml, ['accelerators', i], unknownAccelerator(catalog, id), loaded.sets);
    });
    const chosen = wanted.includes(baseline) ? wanted : [...wanted, baseline];
    const stack = opts.stack ?? loaded.raw.stack;
    if (stack !== undefined && !knownStacks(catalog).includes(stack)) {
      const message = unknownStack(catalog, stack);
      if (opts.stack !== undefined) throw new UsageError(`--stack ${stack}: ${message}`);
      throw unknownIn(loaded.yaml, ['stack'], message, loaded.sets);
    }
    const accelerators = chosen.map((id) => acceleratorFor(catalog, id, sets, env.today, stack));
    const comparison = compareAccelerators(workload, accelerators, baseline);
    const byId = new Map(accelerators.map((a) => [a.id, a]));
    const result = workloadResult(
      { workload, file: loaded.file, modelId: loaded.modelId, overrides: opts.set },
      comparison,
      (id) => {
        const a = byId.get(id);
        return (opts.pareto || opts.chart) && a ? paretoCurve(a, workload) : [];
      },
    );
    const flagged = flagStackNotServed(flagStalePrices(result, env.today), stack);
    const sorted = sortRows(opts.ranges ? flagNoRange(flagged) : flagged, sortMetric);
    results.push(sorted);
    // Each with the index of its `expect:` entry in the file, where it came from there.
    const expectations: { readonly e: Expectation; readonly entry?: number }[] = [
      ...opts.expect.map((t) => ({ e: parseExpectation(t, ids) })),
      // A workload's own `expect:` entry is wrong at its line in the file, not in a flag.
      ...(loaded.raw.expect ?? []).map((t, i) => {
        try {
          return { e: parseExpectation(t, ids, 'expect'), entry: i };
        } catch (e) {
          if (!(e instanceof UsageError)) throw e;
          throw unknownIn(loaded.yaml, ['expect', i], e.message.replace(/^expect "[^\n]*?": /, ''));
        }
      }),
    ];
    const savedResult = saved?.results.find((x) => x.workload.name === sorted.workload.name);
    for (const { e, entry } of expectations) {
      if (e.relative && !saved) {
        const needs = `a relative threshold (${e.threshold >= 0 ? '+' : ''}${e.threshold}%) needs --against <saved result.json>`;
        if (entry !== undefined) throw unknownIn(loaded.yaml, ['expect', entry], needs);
        throw new UsageError(`--expect "${e.text}": ${needs}`);
      }
      outcomes.push(checkExpectation(e, sorted, savedResult));
    }
    return sorted;
  };
  // A result pairs workloads by name (diff, check --against), a mix's classes included (its
  // blend names them, nothing else): two of the files given, or a file and a class of a mix, or
  // two classes, under one name would make a result that no later command can read.
  const named = new Map<
    string,
    { readonly file: string; readonly mix?: { readonly arg: number; readonly index: number } }
  >();
  const givenAs = (first: { file: string; mix?: { arg: number; index: number } }, file: string) =>
    first.mix !== undefined
      ? `class mix[${first.mix.index}] of ${first.file}`
      : first.file === file
        ? 'the same file given before'
        : `${first.file}'s workload`;
  const mixNamed = new Map<string, string>();
  for (const [arg, path] of workloadPaths.entries()) {
    const yaml = readWorkloadYaml(path, env.readStdin);
    const mix = mixIn(yaml);
    if (!mix) {
      const { name } = compareOne(yaml).workload;
      const first = named.get(name);
      if (first !== undefined)
        throw unknownIn(
          yaml,
          ['name'],
          `workload "${name}" has the name of ${givenAs(first, yaml.file)}; a result pairs workloads by name, so ${first.mix === undefined ? 'give each its own' : 'compare them in separate runs'}`,
          sets,
        );
      named.set(name, { file: yaml.file });
      continue;
    }
    // Mixes are paired by name too (diff).
    const mixName = mix.name ?? fileStem(yaml.file);
    const firstMix = mixNamed.get(mixName);
    if (firstMix !== undefined)
      throw unknownIn(
        yaml,
        mix.name === undefined ? ['mix'] : ['name'],
        `mix "${mixName}" has the name of ${firstMix === yaml.file ? 'the same file given before' : `${firstMix}'s mix`}; a result pairs mixes by name, so give each its own`,
      );
    mixNamed.set(mixName, yaml.file);
    // A traffic mix (docs/model.md section 8b): each class compared alone, then blended per chip.
    // --demand is the mix's output tokens a day, so each class is sized for its share of them; a
    // power budget has no such split (how much power each class needs is the answer), so a mix
    // under one is planned with `infercost fleet`.
    if (opts.powerBudget !== undefined)
      throw new UsageError(
        `--power-budget ${opts.powerBudget}: ${mix.name ?? fileStem(yaml.file)} is a traffic mix, and how a power budget splits between its classes is a plan: use infercost fleet (a workload per class with its demand), or --demand for the mix's tokens a day`,
      );
    const demand = sets.find((f) => f.flag === '--demand' && f.value !== undefined);
    const classes = mix.mix.map((c, i) => {
      const result = compareOne(
        readWorkloadNamedIn(yaml, ['mix', i, 'workload'], c.workload, env.readStdin),
        // A value that is not a number is left as given, for the workload check to name it.
        typeof demand?.value === 'number' ? [{ ...demand, value: demand.value * c.share }] : [],
      );
      const { name } = result.workload;
      const first = named.get(name);
      // A `--set name=` names every class: the clash is the flag's, not the mix file's.
      const nameSet = sets.find((s) => s.acceleratorId === undefined && s.path.join('.') === 'name');
      if (first !== undefined && nameSet !== undefined)
        throw new InputError(
          `${nameSet.flag} ${nameSet.text}`,
          undefined,
          undefined,
          'name',
          `gives every class of ${yaml.file} the name "${name}"; a result pairs workloads by name, so name each in its own file`,
        );
      if (first !== undefined)
        throw unknownIn(
          yaml,
          ['mix', i, 'workload'],
          first.mix?.arg === arg
            ? `class "${name}" is listed twice (mix[${first.mix.index}] too); a result pairs workloads by name, so list each class once, with its shares added`
            : `class "${name}" has the name of ${givenAs(first, yaml.file)}; a result pairs workloads by name, so compare them in separate runs`,
        );
      named.set(name, { file: yaml.file, mix: { arg, index: i } });
      return { share: c.share, result };
    });
    mixes.push(blendMix(yaml, mixName, classes, sortMetric));
  }
  return { doc: resultDoc(results, VERSION, mixes), outcomes };
}
