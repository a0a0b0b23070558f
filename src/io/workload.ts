import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Accelerator, Workload } from '../engine/types.js';
import type { AcceleratorFile } from '../schema/accelerator.js';
import { toAccelerator, toModel, toWorkload } from '../schema/convert.js';
import { didYouMean } from '../schema/issues.js';
import { setAt } from '../schema/paths.js';
import { workloadRules } from '../schema/rules.js';
import { type WorkloadFile, workloadSchema } from '../schema/workload.js';
import {
  bundledProfilesDir,
  bundledWorkload,
  type Catalog,
  displayPath,
  type Entry,
  fileStem,
  parseAccelerator,
} from './catalog.js';
import { checkAgainst } from './check.js';
import { dottedPath, InputError } from './errors.js';
import { readChunks, readStdinText, readTextFile } from './files.js';
import { type LocatedYaml, MAX_FILE_BYTES, parseYaml } from './yaml.js';

/** One `--set` or `--vary` assignment, resolved against the formats. */
export interface FieldSet {
  /** As the user wrote it, for messages: `maia-200.price.on_demand=9.5`. */
  readonly text: string;
  /** Where it came from, for messages: `--set`, `--vary`, or a sweep file's axes. */
  readonly flag: string;
  /** Undefined for a workload field; else the accelerator it changes. */
  readonly acceleratorId?: string;
  readonly path: readonly string[];
  readonly value: unknown;
}

export interface LoadedWorkload {
  readonly file: string;
  /** The file with positions, for errors found after loading (an unknown accelerator id). */
  readonly yaml: LocatedYaml;
  readonly raw: WorkloadFile;
  readonly workload: Workload;
  readonly modelId: string;
  /** The workload fields set on the command line, which errors found after loading blame. */
  readonly sets: readonly FieldSet[];
}

export function readWorkloadYaml(path: string, stdin: () => string): LocatedYaml {
  if (path !== '-') {
    const file = resolveWorkloadPath(path);
    const shown = displayPath(file);
    const text = readTextFile(file, shown, MAX_FILE_BYTES);
    const hit = bundledWorkload(file, text);
    if (!hit) return parseYaml(text, shown);
    // Positions are needed only for an error message: the YAML is parsed then.
    let parsed: LocatedYaml | undefined;
    return {
      file: shown,
      data: hit.data,
      validated: hit.value,
      locate: (at, atKey) => {
        parsed ??= parseYaml(text, shown);
        return parsed.locate(at, atKey);
      },
    };
  }
  return parseYaml(readStdinText(stdin, MAX_FILE_BYTES), '<stdin>');
}

/**
 * The process's stdin, read once and kept: a command that loads its input more than once
 * (report's charts, claim's inputs) gets the same text each time. Each call reads on only as far
 * as its limit needs, so stdin that never ends (`- < /dev/zero`) stops one byte past the limit
 * and `readStdinText` refuses it. Stdin that cannot be read (closed, EAGAIN) reads as empty.
 */
export function stdinReader(fd = 0): (maxBytes?: number) => string {
  const chunks: Buffer[] = [];
  let total = 0;
  let ended = false;
  let text: string | undefined;
  return (maxBytes = Number.MAX_SAFE_INTEGER) => {
    if (!ended && total <= maxBytes) {
      try {
        ({ total, ended } = readChunks(fd, chunks, total, maxBytes));
      } catch {
        chunks.length = 0;
        total = 0;
        ended = true;
      }
      text = undefined;
    }
    text ??= Buffer.concat(chunks).toString('utf8');
    return text;
  };
}

/**
 * A workload argument: a file, or the name of a bundled workload (`chat`, `rag`, ...) when no
 * file of that name exists here, so `infercost compare chat` works from any directory.
 */
export function resolveWorkloadPath(path: string): string {
  if (path.includes('/') || path.includes('\\') || /\.ya?ml$/.test(path) || existsSync(path)) return path;
  const bundled = join(bundledProfilesDir(), 'workloads', `${path}.yaml`);
  if (existsSync(bundled)) return bundled;
  const names = bundledWorkloadNames();
  throw new InputError(
    path,
    undefined,
    undefined,
    '',
    `no such file, and no bundled workload of that name${didYouMean(path, names)} (bundled: ${names.join(', ')})`,
  );
}

/** A workload named inside another file: a file relative to that file, else a bundled name. */
export function workloadPathIn(containerFile: string, given: string): string {
  if (containerFile === '<stdin>') return given;
  const relative = resolve(dirname(containerFile), given);
  return existsSync(relative) ? relative : given;
}

/**
 * Reads a workload named inside another file (a mix's class, a fleet's workload); a name that is
 * neither a file nor a bundled workload is an error located at `at` in that file.
 */
export function readWorkloadNamedIn(
  container: LocatedYaml,
  at: (string | number)[],
  given: string,
  stdin: () => string,
): LocatedYaml {
  try {
    return readWorkloadYaml(workloadPathIn(container.file, given), stdin);
  } catch (e) {
    if (!(e instanceof InputError) || e.file !== given) throw e;
    const { line, col } = container.locate(at);
    throw new InputError(container.file, line, col, dottedPath(at), e.detail);
  }
}

/**
 * The files a list of workload arguments reads (bundled names resolved), for refusing an
 * `--output` that would overwrite one of them; an argument that names nothing is kept as given.
 */
export function workloadInputFiles(paths: readonly string[]): string[] {
  return paths.map((p) => {
    if (p === '-') return p;
    try {
      return resolveWorkloadPath(p);
    } catch {
      return p;
    }
  });
}

/** The bundled workloads' names. */
export function bundledWorkloadNames(): string[] {
  try {
    return readdirSync(join(bundledProfilesDir(), 'workloads'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.replace(/\.yaml$/, ''))
      .sort();
  } catch {
    return [];
  }
}

/**
 * A sourced profile field set on the command line takes the command line as its source, exact:
 * the profile's note and estimate range described another number.
 */
function withSetSource(data: unknown, s: FieldSet): unknown {
  const sources = (data as { sources?: Record<string, unknown> } | null)?.sources;
  const field = s.path.join('.');
  if (s.acceleratorId === undefined || !sources || !Object.hasOwn(sources, field)) return data;
  return { ...(data as object), sources: { ...sources, [field]: commandLineSource(s) } };
}

/** The `sources` entry of a field set on the command line: an exact estimate, its own range. */
function commandLineSource(s: FieldSet): Record<string, unknown> {
  const value = typeof s.value === 'number' ? s.value : undefined;
  return {
    kind: 'estimate',
    source: `${s.flag} ${s.text}`,
    note: 'given on the command line',
    ...(value === undefined ? {} : { low: value, high: value }),
  };
}

/** A located YAML whose data had `--set` values applied; errors in set fields name the flag. */
function withSets(y: LocatedYaml, sets: readonly FieldSet[], today: string): LocatedYaml {
  if (sets.length === 0) return y;
  let data = y.data;
  for (const s of sets) {
    data = setAt(data, s.path, s.value, () => ({
      usd_per_chip_hour: s.value,
      // The user's figure is exact for this run: its range is itself.
      low_usd_per_chip_hour: s.value,
      high_usd_per_chip_hour: s.value,
      as_of: today,
      provider: 'command line',
      basis: 'user',
      region: 'any',
      kind: 'estimate',
      source: `${s.flag} ${s.text}`,
      note: 'price given on the command line',
    }));
    data = withSetSource(data, s);
    data = withFactorSet(data, s);
    data = withCapacitySet(data, s);
  }
  return { file: y.file, data, locate: (path, atKey) => y.locate(path, atKey) };
}

/**
 * `<chip>.memory.capacity_gb=v` (or `capacity_gib`) replaces the capacity the profile states in the
 * other unit: a profile gives exactly one of the two, and the user gave one capacity.
 */
function withCapacitySet(data: unknown, s: FieldSet): unknown {
  const [block, field] = s.path;
  if (s.acceleratorId === undefined || block !== 'memory' || s.path.length !== 2) return data;
  const other =
    field === 'capacity_gb' ? 'capacity_gib' : field === 'capacity_gib' ? 'capacity_gb' : undefined;
  const profile = data as { memory?: Record<string, unknown>; sources?: Record<string, unknown> };
  if (other === undefined || profile.memory === undefined || !Object.hasOwn(profile.memory, other))
    return data;
  const { [other]: _replaced, ...memory } = profile.memory;
  const { [`memory.${other}`]: _source, ...sources } = profile.sources ?? {};
  return { ...profile, memory, sources: { ...sources, [`memory.${field}`]: commandLineSource(s) } };
}

/**
 * `<chip>.efficiency.<factor>=v` is the factor the chip runs with, whatever its serving stack: a
 * profile with `stacks:` takes its factors from the stack's entry, never from `efficiency`, so the
 * set goes into every stack's entry too, and no longer counts as fitted there. The user's figure is
 * exact: the profile's low-high for the factor described another number.
 */
function withFactorSet(data: unknown, s: FieldSet): unknown {
  const [block, factor, leaf] = s.path;
  if (s.acceleratorId === undefined || block !== 'efficiency' || leaf !== 'value' || factor === undefined)
    return data;
  const profile = data as { efficiency?: Record<string, unknown>; stacks?: Record<string, unknown> };
  const stacks = Object.fromEntries(
    Object.entries(profile.stacks ?? {}).map(([name, raw]) => {
      const entry = raw as { efficiency?: Record<string, unknown>; fitted?: unknown };
      return [
        name,
        {
          ...entry,
          efficiency: { ...entry.efficiency, [factor]: s.value },
          ...(Array.isArray(entry.fitted) ? { fitted: entry.fitted.filter((f) => f !== factor) } : {}),
        },
      ];
    }),
  );
  return {
    ...profile,
    efficiency: { ...profile.efficiency, [factor]: { value: s.value, status: 'assumed' } },
    ...(profile.stacks === undefined ? {} : { stacks }),
  };
}

function checkWithSets<T>(y: LocatedYaml, sets: readonly FieldSet[], check: (y: LocatedYaml) => T): T {
  try {
    return check(y);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const errorPath = e.fieldPath.replace(/\[\d+\]/g, '');
    // A price set makes a quote of its own, put first: the last such set is prices[0], the one
    // before it prices[1], and an error anywhere in that quote (its low, its high) is the set's.
    const quoteSets = sets.filter((s) => s.path.some((p) => p.startsWith('@')));
    const culprit = sets.find((s) => {
      const quote = quoteSets.indexOf(s);
      if (quote >= 0) return e.fieldPath.startsWith(`prices[${quoteSets.length - 1 - quote}].`);
      const setPath = s.path.join('.');
      return errorPath === setPath || errorPath.startsWith(`${setPath}.`);
    });
    if (!culprit) throw e;
    // The quote's own field names (its low and high copy the value) would name fields the user
    // never wrote: the flag alone says which price.
    const field = quoteSets.includes(culprit) ? '' : e.fieldPath;
    throw new InputError(`${culprit.flag} ${culprit.text}`, undefined, undefined, field, e.detail);
  }
}

/**
 * What `--set` edits: the profile's file, or for a form factor (which has no file of its own) the
 * form's values, located in its base profile's file.
 */
function editable(entry: Entry<AcceleratorFile>): LocatedYaml {
  if (entry.formOf === undefined) return entry.yaml();
  const base = entry.yaml();
  return { file: base.file, data: entry.value, locate: (path, atKey) => base.locate(path, atKey) };
}

/** Builds the engine's accelerator for one profile, with any `--set` changes applied. */
export function acceleratorFor(
  catalog: Catalog,
  id: string,
  sets: readonly FieldSet[],
  today: string,
  stack?: string,
): Accelerator {
  const entry = catalog.accelerators.get(id);
  if (!entry)
    throw new InputError('--accelerators', undefined, undefined, '', unknownAccelerator(catalog, id));
  const mine = sets.filter((s) => s.acceleratorId === id);
  const profile: AcceleratorFile =
    mine.length === 0
      ? entry.value
      : checkWithSets(withSets(editable(entry), mine, today), mine, (y) => parseAccelerator(y, today));
  return toAccelerator(
    profile,
    stack !== undefined && Object.hasOwn(profile.stacks ?? {}, stack) ? stack : undefined,
  );
}

/** Every serving stack some profile has factors for. */
export function knownStacks(catalog: Catalog): string[] {
  const all = new Set<string>();
  for (const e of catalog.accelerators.values())
    for (const s of Object.keys(e.value.stacks ?? {})) all.add(s);
  return [...all].sort();
}

export function unknownAccelerator(catalog: Catalog, id: string): string {
  return `unknown accelerator "${id}"${didYouMean(id, [...catalog.accelerators.keys()])} (see 'infercost profiles')`;
}

/**
 * An error at a workload field: blamed on the `--set` (or `--demand`, ...) that gave the field, or
 * a block holding it, else located in the file, which then said the value.
 */
export function workloadErrorAt(
  y: LocatedYaml,
  sets: readonly FieldSet[],
  path: readonly (string | number)[],
  message: string,
): InputError {
  const at = path.map(String);
  const culprit = sets.find(
    (s) => s.acceleratorId === undefined && s.path.length <= at.length && s.path.every((p, i) => p === at[i]),
  );
  if (culprit)
    return new InputError(`${culprit.flag} ${culprit.text}`, undefined, undefined, dottedPath(path), message);
  const { line, col } = y.locate([...path]);
  return new InputError(y.file, line, col, dottedPath(path), message);
}

/** Reads, validates and resolves a workload (its model from the catalog or inline). */
export function loadWorkload(
  y: LocatedYaml,
  catalog: Catalog,
  sets: readonly FieldSet[],
  today: string,
): LoadedWorkload {
  const mine = sets.filter((s) => s.acceleratorId === undefined);
  const data = y.data;
  if (data !== null && typeof data === 'object' && Object.hasOwn(data, 'mix')) {
    const { line, col } = y.locate(['mix'], true);
    throw new InputError(
      y.file,
      line,
      col,
      'mix',
      'is a traffic mix: compare and report take mixes; here, name its classes one by one',
    );
  }
  const ys = withSets(y, mine, today);
  const raw =
    mine.length === 0 && y.validated !== undefined
      ? (y.validated as WorkloadFile)
      : checkWithSets(ys, mine, (v) => checkAgainst(v, workloadSchema(), workloadRules));
  const name = y.file === '<stdin>' ? 'stdin' : fileStem(y.file);
  let modelId: string;
  let model: ReturnType<typeof toModel>;
  let maxContext: number | undefined;
  if (typeof raw.model === 'string') {
    const entry = catalog.models.get(raw.model);
    if (!entry) {
      throw workloadErrorAt(
        y,
        mine,
        ['model'],
        `unknown model "${raw.model}"${didYouMean(raw.model, [...catalog.models.keys()])} (see 'infercost models')`,
      );
    }
    modelId = raw.model;
    model = toModel(entry.value, raw.model);
    maxContext = entry.value.max_context_tokens;
  } else {
    modelId = raw.model.id ?? `${name}-model`;
    model = toModel(raw.model, modelId);
    maxContext = raw.model.max_context_tokens;
  }
  // Section 3d: expert parallelism spreads the routed experts over the chips; a dense model has
  // none, and the layout would fall back to tensor parallel without a word.
  if (raw.deployment?.parallelism === 'ep' && model.moe === undefined) {
    throw workloadErrorAt(
      y,
      mine,
      ['deployment', 'parallelism'],
      `ep (expert parallelism) needs an MoE model, and ${modelId} is dense: give tp or leave it out (docs/model.md 3d)`,
    );
  }
  const context = raw.input_tokens + raw.output_tokens;
  if (maxContext !== undefined && context > maxContext) {
    const blamed = mine.find((s) => s.path[0] === 'output_tokens') ? 'output_tokens' : 'input_tokens';
    throw workloadErrorAt(
      y,
      mine,
      [blamed],
      `input_tokens + output_tokens = ${context.toLocaleString('en-US')} is beyond ${modelId}'s context length of ${maxContext.toLocaleString('en-US')} tokens`,
    );
  }
  // Section 3c: the draft is a bundled model, run at the target's precisions.
  let draft: ReturnType<typeof toModel> | undefined;
  if (raw.speculative) {
    const entry = catalog.models.get(raw.speculative.draft);
    if (!entry) {
      throw workloadErrorAt(
        y,
        mine,
        ['speculative', 'draft'],
        `unknown model "${raw.speculative.draft}"${didYouMean(raw.speculative.draft, [...catalog.models.keys()])} (see 'infercost models')`,
      );
    }
    draft = toModel(entry.value, raw.speculative.draft);
    // Section 3c: a draft as large as its target in every sense (a swapped pair, the model
    // itself) is a mistake, never a configuration: each of its steps reads what a target step does.
    if (draft.paramsTotal >= model.paramsTotal && draft.paramsActive >= model.paramsActive) {
      const b = (n: number) => `${Number((n / 1e9).toPrecision(4))}B`;
      throw workloadErrorAt(
        y,
        mine,
        ['speculative', 'draft'],
        `${raw.speculative.draft} (${b(draft.paramsTotal)} parameters, ${b(draft.paramsActive)} active) is not smaller than the target ${modelId} (${b(model.paramsTotal)}, ${b(model.paramsActive)} active): a draft must be the smaller model (docs/model.md 3c)`,
      );
    }
  }
  return { file: y.file, yaml: y, raw, workload: toWorkload(raw, model, name, draft), modelId, sets: mine };
}
