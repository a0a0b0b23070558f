import { readdirSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AcceleratorFile, acceleratorSchema } from '../schema/accelerator.js';
import { type ModelFile, modelSchema } from '../schema/model.js';
import { acceleratorRules, modelRules } from '../schema/rules.js';
import { checkAgainst } from './check.js';
import { InputError } from './errors.js';
import { type LocatedYaml, readYamlFile } from './yaml.js';

export interface Entry<T> {
  readonly value: T;
  /** The file as shown to the user (relative to the working directory when inside it). */
  readonly file: string;
  readonly origin: 'bundled' | 'user';
  readonly yaml: LocatedYaml;
  /** The bundled file this user file replaces, if any. */
  readonly overrides?: string;
}

export interface Catalog {
  readonly accelerators: ReadonlyMap<string, Entry<AcceleratorFile>>;
  readonly models: ReadonlyMap<string, Entry<ModelFile>>;
}

/** The profiles shipped in the package, found from the code, never from the working directory. */
export function bundledProfilesDir(): string {
  return fileURLToPath(new URL('../../profiles/', import.meta.url));
}

export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    const st = statSync(full);
    if (st.isDirectory()) out.push(...yamlFilesUnder(full));
    else if (/\.ya?ml$/.test(name)) out.push(full);
  }
  return out;
}

export type FileKind = 'accelerator' | 'model' | 'workload';

/** What a file is: by its folder (accelerators/, models/, workloads/), else by its keys. */
export function kindOf(path: string, data: unknown): FileKind | undefined {
  const parts = resolve(path).split(sep);
  const folder = parts[parts.length - 2];
  if (folder === 'accelerators') return 'accelerator';
  if (folder === 'models') return 'model';
  if (folder === 'workloads') return 'workload';
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  if ('input_tokens' in data || 'output_tokens' in data) return 'workload';
  if ('memory' in data || 'compute_tflops' in data) return 'accelerator';
  if ('layers' in data || 'params' in data) return 'model';
  return undefined;
}

export function parseAccelerator(y: LocatedYaml): AcceleratorFile {
  return checkAgainst(y, acceleratorSchema, acceleratorRules);
}

export function parseModel(y: LocatedYaml): ModelFile {
  return checkAgainst(y, modelSchema, modelRules);
}

function add<T extends { id: string }>(
  map: Map<string, Entry<T>>,
  value: T,
  yaml: LocatedYaml,
  origin: 'bundled' | 'user',
): void {
  const existing = map.get(value.id);
  if (existing && existing.origin === origin) {
    const { line, col } = yaml.locate(['id']);
    throw new InputError(yaml.file, line, col, 'id', `duplicate id "${value.id}" (also in ${existing.file})`);
  }
  const entry: Entry<T> = existing
    ? { value, file: yaml.file, origin, yaml, overrides: existing.file }
    : { value, file: yaml.file, origin, yaml };
  map.set(value.id, entry);
}

/**
 * Bundled accelerators and models, then the user's directories (`--profiles`,
 * `INFERCOST_PROFILES`): a user file with a bundled id replaces the bundled one.
 */
export function loadCatalog(userDirs: readonly string[]): Catalog {
  const accelerators = new Map<string, Entry<AcceleratorFile>>();
  const models = new Map<string, Entry<ModelFile>>();
  const root = bundledProfilesDir();
  for (const file of yamlFilesUnder(join(root, 'accelerators'))) {
    const y = readYamlFile(file, displayPath(file));
    add(accelerators, parseAccelerator(y), y, 'bundled');
  }
  for (const file of yamlFilesUnder(join(root, 'models'))) {
    const y = readYamlFile(file, displayPath(file));
    add(models, parseModel(y), y, 'bundled');
  }
  for (const dir of userDirs) {
    let files: string[];
    try {
      files = statSync(dir).isDirectory() ? yamlFilesUnder(dir) : [dir];
    } catch {
      throw new InputError(dir, undefined, undefined, '', 'profile directory does not exist');
    }
    for (const file of files) {
      const y = readYamlFile(file, displayPath(file));
      const kind = kindOf(file, y.data);
      if (kind === 'accelerator') add(accelerators, parseAccelerator(y), y, 'user');
      else if (kind === 'model') add(models, parseModel(y), y, 'user');
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
  return { accelerators, models };
}

/** Profile directories from `--profiles` (in order) and `INFERCOST_PROFILES` (path-list). */
export function userProfileDirs(
  flagDirs: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const fromEnv = (env.INFERCOST_PROFILES ?? '')
    .split(process.platform === 'win32' ? ';' : ':')
    .filter((d) => d !== '');
  return [...fromEnv, ...flagDirs];
}

export function fileStem(path: string): string {
  return basename(path).replace(/\.ya?ml$/, '');
}
