// The project config file (src/schema/config.ts): read once, before any command runs.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type ConfigFile, configSchema } from '../schema/config.js';
import { displayPath } from './catalog.js';
import { checkAgainst } from './check.js';
import { InputError } from './errors.js';
import { readYamlFile } from './yaml.js';

export const CONFIG_FILE = 'infercost.yaml';

/** The config a run uses: `--config FILE`, else `infercost.yaml` here, else none. */
export function readConfig(
  explicit: string | undefined,
  cwd: string,
):
  | (ConfigFile & { file: string; locate: (path: (string | number)[]) => { line: number; col: number } })
  | undefined {
  const path = explicit ?? resolve(cwd, CONFIG_FILE);
  if (explicit === undefined && !existsSync(path)) return undefined;
  const y = readYamlFile(path, displayPath(path));
  const config = checkAgainst(y, configSchema(), () => []);
  const base = dirname(resolve(path));
  // A profile folder (or file) that is not there is located in this file: read later by the
  // catalog, it would be named by its path alone, as if typed on the command line.
  for (const [i, p] of (config.profiles ?? []).entries()) {
    const dir = resolve(base, p);
    if (!existsSync(dir)) {
      const { line, col } = y.locate(['profiles', i]);
      throw new InputError(
        y.file,
        line,
        col,
        `profiles[${i}]`,
        `no such folder or file: ${displayPath(dir)}`,
      );
    }
  }
  return {
    ...config,
    ...(config.profiles ? { profiles: config.profiles.map((p) => resolve(base, p)) } : {}),
    file: displayPath(path),
    // Names checked later against the catalog (a stack, accelerator ids) are located here too.
    locate: (at) => y.locate(at),
  };
}
