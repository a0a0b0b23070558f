import { readFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AcceleratorFile, acceleratorSchema } from '../schema/accelerator.js';
import { isAfterToday } from '../schema/common.js';
import { formFactorProfiles } from '../schema/forms.js';
import { type ModelFile, modelSchema } from '../schema/model.js';
import { acceleratorRules, modelRules, workloadRules } from '../schema/rules.js';
import { workloadSchema } from '../schema/workload.js';
import { checkAgainst } from './check.js';
import { InputError } from './errors.js';
import { isDirectory, listDirectory } from './files.js';
import { noteRead } from './read-log.js';
import { type LocatedYaml, parseYaml, readYamlFile } from './yaml.js';

export interface Entry<T> {
  readonly value: T;
  /** The file as shown to the user (relative to the working directory when inside it). */
  readonly file: string;
  readonly origin: 'bundled' | 'user';
  /** The parsed file with positions; read on demand for snapshot entries (see bundledSnapshot). */
  yaml(): LocatedYaml;
  /** The bundled file this user file replaces, if any. */
  readonly overrides?: string;
  /** A form factor's base profile id (docs/model.md section 1): not in the default comparison. */
  readonly formOf?: string;
}

export interface Catalog {
  readonly accelerators: ReadonlyMap<string, Entry<AcceleratorFile>>;
  readonly models: ReadonlyMap<string, Entry<ModelFile>>;
}

/** The profiles shipped in the package, found from the code, never from the working directory. */
export function bundledProfilesDir(): string {
  return fileURLToPath(new URL('../../profiles/', import.meta.url));
}

/** A shipped JSON Schema file (schemas/ beside profiles/ in the package). */
export function bundledSchemaFile(kind: 'accelerator' | 'model' | 'workload' | 'result'): string {
  return fileURLToPath(new URL(`../../schemas/${kind}.schema.json`, import.meta.url));
}

export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of listDirectory(dir, displayPath(dir))) {
    const full = join(dir, name);
    if (isDirectory(full, () => displayPath(full))) out.push(...yamlFilesUnder(full));
    else if (/\.ya?ml$/.test(name)) out.push(full);
  }
  return out;
}

export type FileKind = 'accelerator' | 'model' | 'workload' | 'fleet';

/** What a file is: by its folder (accelerators/, models/, workloads/), else by its keys. */
export function kindOf(path: string, data: unknown): FileKind | undefined {
  const parts = resolve(path).split(sep);
  const folder = parts[parts.length - 2];
  if (folder === 'accelerators') return 'accelerator';
  if (folder === 'models') return 'model';
  if (folder === 'workloads') return 'workload';
  if (folder === 'fleets') return 'fleet';
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  if ('input_tokens' in data || 'output_tokens' in data || 'mix' in data) return 'workload';
  if ('chips' in data && 'workloads' in data) return 'fleet';
  if ('memory' in data || 'compute_tflops' in data) return 'accelerator';
  if ('layers' in data || 'params' in data) return 'model';
  return undefined;
}

/**
 * A profile, checked; with `today`, a price quote dated later than it is refused where it is
 * written: it would never be flagged as stale.
 */
export function parseAccelerator(y: LocatedYaml, today?: string): AcceleratorFile {
  const profile = checkAgainst(y, acceleratorSchema(), acceleratorRules);
  if (today === undefined) return profile;
  (profile.prices ?? []).forEach((q, i) => {
    if (!isAfterToday(q.as_of, today)) return;
    const { line, col } = y.locate(['prices', i, 'as_of']);
    throw new InputError(
      y.file,
      line,
      col,
      `prices[${i}].as_of`,
      `${q.as_of} is after today (${today}): a quote is dated when it was quoted`,
    );
  });
  return profile;
}

export function parseModel(y: LocatedYaml): ModelFile {
  return checkAgainst(y, modelSchema(), modelRules);
}

function add<T extends { id: string }>(map: Map<string, Entry<T>>, entry: Entry<T>): void {
  const existing = map.get(entry.value.id);
  if (existing && existing.origin === entry.origin) {
    const y = entry.yaml();
    const { line, col } = y.locate(['id']);
    throw new InputError(
      y.file,
      line,
      col,
      'id',
      `duplicate id "${entry.value.id}" (also in ${existing.file})`,
    );
  }
  map.set(entry.value.id, existing ? { ...entry, overrides: existing.file } : entry);
}

function parsedEntry<T>(value: T, y: LocatedYaml, origin: 'bundled' | 'user'): Entry<T> {
  return { value, file: y.file, origin, yaml: () => y };
}

/** One validated bundled profile as the build stored it, with where its bytes then are. */
interface SnapshotEntry {
  readonly path: string;
  /**
   * Where the file's bytes, when it was validated, are in dist/bundled.bin: `[offset, length]`.
   * The file is compared with them whole, not by modification time (packing and copying reset
   * those) nor by a hash (node:crypto costs every start ~5 ms; a hash in JavaScript, ~6 ms cold);
   * comparing bytes is a memcmp, and the bytes are never decoded into strings.
   */
  readonly at: readonly [number, number];
  readonly value: unknown;
}

/** A bundled workload as the build validated it: its text, and its parsed YAML, which `--set` edits. */
export interface WorkloadSnapshotEntry {
  readonly path: string;
  readonly text: string;
  readonly data: unknown;
  readonly value: unknown;
}

export interface Snapshot {
  readonly version: 4;
  readonly accelerators: readonly SnapshotEntry[];
  readonly models: readonly SnapshotEntry[];
  /** Bundled workloads (not mixes): `compare chat` need neither parse YAML nor run a schema. */
  readonly workloads: readonly WorkloadSnapshotEntry[];
}

const SNAPSHOT_URL = new URL('../bundled.json', import.meta.url);
const SNAPSHOT_BYTES_URL = new URL('../bundled.bin', import.meta.url);

/** Read once per process: the catalog and a bundled workload both look in it. */
let snapshotRead: { value: Snapshot | undefined; bytes: Buffer | undefined } | undefined;

/**
 * The bundled profiles and workloads, validated at build time (`npm run build` writes
 * dist/bundled.json and dist/bundled.bin): a cold start need not parse and validate twenty YAML
 * files. A file whose bytes no longer match, or one added since, is read from its YAML as usual;
 * without both files (or with another version) nothing is taken from the snapshot.
 */
function readSnapshot(): { value: Snapshot | undefined; bytes: Buffer | undefined } {
  if (snapshotRead) return snapshotRead;
  let value: Snapshot | undefined;
  let bytes: Buffer | undefined;
  try {
    const s = JSON.parse(readFileSync(SNAPSHOT_URL, 'utf8')) as Snapshot;
    // Inputs of this run like the profiles they stand for: `-o dist/bundled.json` is refused.
    noteRead(fileURLToPath(SNAPSHOT_URL));
    value = s.version === 4 ? s : undefined;
    bytes = value ? readFileSync(SNAPSHOT_BYTES_URL) : undefined;
    if (bytes) noteRead(fileURLToPath(SNAPSHOT_BYTES_URL));
  } catch {
    value = undefined;
  }
  snapshotRead = { value: bytes ? value : undefined, bytes };
  return snapshotRead;
}

/**
 * The build's validated copy of a bundled workload file, if `file` is one and `text` is still
 * what the build validated; undefined otherwise (then the file is parsed and checked as usual).
 */
export function bundledWorkload(file: string, text: string): WorkloadSnapshotEntry | undefined {
  const key = relative(bundledProfilesDir(), resolve(file));
  if (!key.startsWith(`workloads${sep}`)) return undefined;
  const hit = readSnapshot().value?.workloads.find((e) => e.path === key);
  return hit && hit.text === text ? hit : undefined;
}

function loadBundled<T extends { id: string }>(
  kind: 'accelerators' | 'models',
  parse: (y: LocatedYaml) => T,
  snapshot: { value: Snapshot | undefined; bytes: Buffer | undefined },
): Map<string, Entry<T>> {
  const map = new Map<string, Entry<T>>();
  const stored = new Map((snapshot.value?.[kind] ?? []).map((e) => [e.path, e]));
  const unchanged = (file: string, at: readonly [number, number]) =>
    snapshot.bytes !== undefined && readFileSync(file).equals(snapshot.bytes.subarray(at[0], at[0] + at[1]));
  const base = bundledProfilesDir();
  const dir = join(base, kind);
  for (const file of yamlFilesUnder(dir)) {
    noteRead(file);
    // The snapshot's key, relative to the profiles folder: the file is under it, as joined.
    const key = file.startsWith(base + sep) ? file.slice(base.length + 1) : relative(base, file);
    const hit = stored.get(key);
    if (hit && unchanged(file, hit.at)) {
      // Where the file is shown (relative to the working directory) is worked out when asked.
      let shown: string | undefined;
      const shownPath = () => {
        shown ??= displayPath(file);
        return shown;
      };
      add(map, {
        value: hit.value as T,
        get file() {
          return shownPath();
        },
        origin: 'bundled',
        yaml: () => readYamlFile(file, shownPath()),
      });
    } else {
      const shown = displayPath(file);
      const y = readYamlFile(file, shown);
      add(map, parsedEntry(parse(y), y, 'bundled'));
    }
  }
  return map;
}

/**
 * What `npm run build` stores: every bundled file validated, with the bytes (profiles, into
 * `bytes`, dist/bundled.bin) or the text (workloads) it was validated from.
 */
export function buildSnapshot(): { snapshot: Snapshot; bytes: Uint8Array } {
  const chunks: Buffer[] = [];
  let offset = 0;
  // Each file read once: its bytes or text are stored, and parsed from that same read.
  const read = (kind: 'accelerators' | 'models' | 'workloads') =>
    yamlFilesUnder(join(bundledProfilesDir(), kind)).map((file) => {
      const raw = readFileSync(file);
      const text = raw.toString('utf8');
      return { path: relative(bundledProfilesDir(), file), raw, text, y: parseYaml(text, displayPath(file)) };
    });
  const entries = (kind: 'accelerators' | 'models', parse: (y: LocatedYaml) => unknown) =>
    read(kind).map(({ path, raw, y }): SnapshotEntry => {
      const at: [number, number] = [offset, raw.length];
      chunks.push(raw);
      offset += raw.length;
      return { path, at, value: parse(y) };
    });
  const workloads = read('workloads').flatMap(({ path, text, y }) => {
    const data = y.data;
    if (data !== null && typeof data === 'object' && Object.hasOwn(data, 'mix')) return [];
    return [{ path, text, data, value: checkAgainst(y, workloadSchema(), workloadRules) }];
  });
  const accelerators = entries('accelerators', parseAccelerator);
  const models = entries('models', parseModel);
  return { snapshot: { version: 4, accelerators, models, workloads }, bytes: Buffer.concat(chunks) };
}

/**
 * Bundled accelerators and models, then the user's directories (`--profiles`,
 * `INFERCOST_PROFILES`): a user file with a bundled id replaces the bundled one.
 */
export function loadCatalog(userDirs: readonly ProfileDir[], today?: string): Catalog {
  const snapshot = readSnapshot();
  const accelerators = loadBundled('accelerators', parseAccelerator, snapshot);
  const models = loadBundled('models', parseModel, snapshot);
  for (const { path: dir, display } of userDirs) {
    const files = isDirectory(dir, display, 'the profile directory') ? yamlFilesUnder(dir) : [dir];
    for (const file of files) {
      const y = readYamlFile(file, displayPath(file));
      const kind = kindOf(file, y.data);
      if (kind === 'accelerator') add(accelerators, parsedEntry(parseAccelerator(y, today), y, 'user'));
      else if (kind === 'model') add(models, parsedEntry(parseModel(y), y, 'user'));
      else if (kind === undefined) {
        throw new InputError(
          y.file,
          1,
          1,
          '',
          'cannot tell what kind of file this is (an accelerator profile has memory:, a model has layers:, a workload has input_tokens:)',
        );
      }
    }
  }
  addFormFactors(accelerators);
  return { accelerators, models };
}

/** Each profile's `form_factors` become profiles of their own, named after their base. */
function addFormFactors(accelerators: Map<string, Entry<AcceleratorFile>>): void {
  for (const entry of [...accelerators.values()]) {
    (entry.value.form_factors ?? []).forEach((f, i) => {
      if (accelerators.has(f.id)) {
        const y = entry.yaml();
        const { line, col } = y.locate(['form_factors', i, 'id']);
        throw new InputError(
          y.file,
          line,
          col,
          `form_factors[${i}].id`,
          `duplicate id "${f.id}" (also in ${accelerators.get(f.id)?.file})`,
        );
      }
    });
    for (const value of formFactorProfiles(entry.value)) {
      accelerators.set(value.id, {
        value,
        file: entry.file,
        origin: entry.origin,
        yaml: entry.yaml,
        formOf: entry.value.id,
      });
    }
  }
}

/** Accelerators compared when a workload or the command names none: every profile, not its forms. */
export function defaultAcceleratorIds(catalog: Catalog): string[] {
  return [...catalog.accelerators.entries()]
    .filter(([, e]) => e.formOf === undefined)
    .map(([k]) => k)
    .sort();
}

/** A user profile folder (or file) and how an error names it. */
export interface ProfileDir {
  readonly path: string;
  readonly display: string;
}

/**
 * Each folder (or file) exists, as `loadCatalog` would find it: a command that loads no catalog
 * (init, schema, diff) still refuses a --profiles that names nothing, with the same line.
 */
export function checkProfileDirs(dirs: readonly ProfileDir[]): void {
  for (const { path: dir, display } of dirs) isDirectory(dir, display, 'the profile directory');
}

/**
 * Profile directories from `INFERCOST_PROFILES` (path-list), then `--profiles` (in order). One
 * from the variable is named with it in errors: the user may not remember setting it.
 */
export function userProfileDirs(
  flagDirs: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ProfileDir[] {
  const fromEnv = (env.INFERCOST_PROFILES ?? '')
    .split(process.platform === 'win32' ? ';' : ':')
    .filter((d) => d !== '')
    .map((d) => ({ path: d, display: `${d} (from INFERCOST_PROFILES)` }));
  const fromFlags = flagDirs.map((d) => ({ path: d, display: d }));
  // A folder named twice (in the variable and a flag, or as dir and dir/) is read once: read twice,
  // each of its profiles would be a duplicate of itself.
  const seen = new Set<string>();
  return [...fromEnv, ...fromFlags].filter((d) => {
    const key = resolve(d.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function fileStem(path: string): string {
  return basename(path).replace(/\.ya?ml$/, '');
}
