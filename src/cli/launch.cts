// Start-up plumbing for bin/infercost, written as CommonJS (this file is .cts; bin/ is a
// CommonJS scope through bin/package.json) because Node's ES module loader costs a start-up
// about 10-15 ms here: its own set-up, and an ES module facade for each builtin it imports (the
// one for node:fs reads every export, which loads the whole stream machinery for fs.ReadStream).
// The CLI ships as a CommonJS bundle (dist/cli/main.cjs, made by build.mjs) compiled through a
// V8 code cache written at build time: on Node 20, which has no module compile cache, this halves
// the time from process start to the first output. zod and yaml are a second bundle
// (dist/cli/deps.cjs, with its own cache), compiled only when a command first uses them.
// A cache that does not match this Node is ignored and the bundle compiles as usual. V8 checks a
// cache against the source's length only, and a stale cache for a bundle of the same length
// crashed the process (seen here after a rebuild), so the cache starts with the SHA-1 of the
// bundle it was made from and is used only when that matches. build.mjs computes that SHA-1 and
// appends it to each bundle as its last line, so starting up compares two strings instead of
// loading node:crypto and hashing 800 KB (about 10 ms of every start).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import type { CliIo } from './io.js';

interface CliModule {
  run(): void;
  main(argv: readonly string[], io: CliIo): Promise<number>;
}

const BUNDLE = join(__dirname, 'main.cjs');
/** zod and yaml, bundled apart: the bundle requires them on first use (see loadDeps). */
const DEPS = join(__dirname, 'deps.cjs');

const TRAILER = /\/\/# infercost-build ([0-9a-f]{40})\n$/;

/** The SHA-1 build.mjs appended to the bundle, or undefined for a bundle without it. */
function buildId(source: string): string | undefined {
  return TRAILER.exec(source.slice(-80))?.[1];
}

interface Compiled<T> {
  readonly script: Script;
  readonly exports: T;
}

/** Compiles one CommonJS bundle of dist/cli through its code cache, when the cache is its own. */
function compile<T>(bundle: string): Compiled<T> {
  const source = readFileSync(bundle, 'utf8');
  let cachedData: Buffer | undefined;
  try {
    const id = buildId(source);
    const file = readFileSync(`${bundle}.cache`);
    cachedData =
      id !== undefined && file.subarray(0, 40).toString('latin1') === id ? file.subarray(40) : undefined;
  } catch {
    cachedData = undefined;
  }
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, cachedData ? { filename: bundle, cachedData } : { filename: bundle });
  const module = { exports: {} as T };
  const factory = script.runInThisContext() as (...args: unknown[]) => void;
  factory(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return { script, exports: module.exports };
}

let deps: Compiled<unknown> | undefined;

/**
 * zod and yaml (dist/cli/deps.cjs), compiled on first use: a command that reads only bundled
 * profiles and workloads, validated at build time, never loads them (build.mjs makes the main
 * bundle's imports of them lazy stubs that call this).
 */
export function loadDeps(): unknown {
  deps ??= compile<unknown>(DEPS);
  return deps.exports;
}

/** Writes a bundle's code cache, prefixed with the build id it belongs to. */
function saveCache(bundle: string, script: Script): void {
  const id = buildId(readFileSync(bundle, 'utf8'));
  if (id === undefined) return;
  writeFileSync(`${bundle}.cache`, Buffer.concat([Buffer.from(id, 'latin1'), script.createCachedData()]));
}

/** Runs the CLI on the process's arguments and streams. */
export function launch(): void {
  compile<CliModule>(BUNDLE).exports.run();
}

/** Build step: run the common commands once so their functions are compiled, then save the caches. */
export async function writeCodeCache(): Promise<void> {
  const { script, exports: cli } = compile<CliModule>(BUNDLE);
  const chat = join(__dirname, '..', '..', 'profiles', 'workloads', 'chat.yaml');
  const io: CliIo = {
    stdout: () => {},
    stderr: () => {},
    env: {},
    stdoutIsTty: false,
    stderrIsTty: false,
    readStdin: () => readFileSync(chat, 'utf8'),
    today: '2026-01-01',
  };
  for (const format of ['json', 'table', 'csv']) await cli.main(['compare', chat, '--format', format], io);
  // A bundled workload comes validated from dist/bundled.json; a user's is parsed and validated
  // (YAML, the schemas, both in deps.cjs): read one from stdin so that path is compiled into the
  // caches too.
  await cli.main(['compare', '-', '--format', 'json'], io);
  saveCache(BUNDLE, script);
  if (deps) saveCache(DEPS, deps.script);
}
