// Start-up plumbing for bin/infercost. The CLI ships as one CommonJS bundle (dist/cli/main.cjs,
// made by build.mjs) compiled through a V8 code cache written at build time: on Node 20, which
// has no module compile cache, this halves the time from process start to the first output.
// A cache that does not match this Node is ignored and the bundle compiles as usual. V8 checks a
// cache against the source's length only, and a stale cache for a bundle of the same length
// crashed the process (seen here after a rebuild), so the cache starts with the SHA-1 of the
// bundle it was made from and is used only when that matches.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import type { CliIo } from './io.js';

interface CliModule {
  run(): void;
  main(argv: readonly string[], io: CliIo): Promise<number>;
}

const BUNDLE = fileURLToPath(new URL('./main.cjs', import.meta.url));
const CACHE = `${BUNDLE}.cache`;

function digest(source: string): Buffer {
  return createHash('sha1').update(source).digest();
}

function compile(): { script: Script; cli: CliModule } {
  const source = readFileSync(BUNDLE, 'utf8');
  let cachedData: Buffer | undefined;
  try {
    const file = readFileSync(CACHE);
    cachedData = file.subarray(0, 20).equals(digest(source)) ? file.subarray(20) : undefined;
  } catch {
    cachedData = undefined;
  }
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, cachedData ? { filename: BUNDLE, cachedData } : { filename: BUNDLE });
  const module = { exports: {} as CliModule };
  const factory = script.runInThisContext() as (...args: unknown[]) => void;
  factory(module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  return { script, cli: module.exports };
}

/** Runs the CLI on the process's arguments and streams. */
export function launch(): void {
  compile().cli.run();
}

/** Build step: run the common commands once so their functions are compiled, then save the cache. */
export async function writeCodeCache(): Promise<void> {
  const { script, cli } = compile();
  const chat = fileURLToPath(new URL('../../profiles/workloads/chat.yaml', import.meta.url));
  const io: CliIo = {
    stdout: () => {},
    stderr: () => {},
    env: {},
    stdoutIsTty: false,
    stderrIsTty: false,
    readStdin: () => '',
    today: '2026-01-01',
  };
  for (const format of ['json', 'table', 'csv']) await cli.main(['compare', chat, '--format', format], io);
  writeFileSync(CACHE, Buffer.concat([digest(readFileSync(BUNDLE, 'utf8')), script.createCachedData()]));
}
