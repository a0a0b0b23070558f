// The package as a user installs it (issue 14): `npm pack`, then `npm install <tarball>` in a
// fresh project. Run by `npm run test:package` (and .ci/run); it needs the npm registry for the
// package's own dependencies.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

const project = mkdtempSync(join(tmpdir(), 'infercost-pack-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

beforeAll(() => {
  execFileSync(npm, ['pack', '--pack-destination', project], { cwd: REPO, stdio: 'ignore' });
  const tarball = readdirSync(project).find((f) => f.endsWith('.tgz')) as string;
  writeFileSync(
    join(project, 'package.json'),
    '{ "name": "user-project", "private": true, "type": "module" }\n',
  );
  execFileSync(npm, ['install', `./${tarball}`, '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: project,
    stdio: 'ignore',
  });
}, 300_000);

const run = (file: string, args: string[]) =>
  spawnSync(file, args, { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

describe('the packed package, installed in a fresh project', () => {
  it("import('infercost').compare() returns the CLI's numbers", () => {
    const lib = run(process.execPath, [
      '-e',
      "import('infercost').then((m) => console.log(JSON.stringify(m.compare({ workloads: ['chat'], accelerators: ['h100-sxm', 'b200'] }).result)))",
    ]);
    expect(lib.stderr).toBe('');
    const cli = run(join(project, 'node_modules', '.bin', 'infercost'), [
      'compare',
      'chat',
      '--accelerators',
      'h100-sxm,b200',
      '--format',
      'json',
    ]);
    expect(cli.status).toBe(0);
    const a = JSON.parse(lib.stdout).results[0].accelerators;
    const b = JSON.parse(cli.stdout).results[0].accelerators;
    // Both chips, in the CLI's order (best tokens per dollar first), with the same numbers.
    expect(a.map((x: { id: string }) => x.id).sort()).toEqual(['b200', 'h100-sxm']);
    expect(a).toEqual(b);
  });

  it('a TypeScript file using the API type-checks against the installed types', () => {
    writeFileSync(
      join(project, 'use.ts'),
      [
        "import { compare, claim, type ResultDoc, type ClaimReport } from 'infercost';",
        "const doc: ResultDoc = compare({ workloads: ['chat'], plan: 'tco' }).result;",
        'const tpd: number | null = doc.results[0]?.accelerators[0]?.metrics.output_tokens_per_usd ?? null;',
        "const report: ClaimReport = claim({ claim: 'maia-200/gb200 tokens_per_dollar >= 1.30', plan: 'tco' });",
        'export const out = [tpd, report.workloads.length];',
        '',
      ].join('\n'),
    );
    const tsc = run(process.execPath, [
      join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'),
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      // No @types/node: a user's project need not have it (the types named Buffer until the
      // fifty-first session, and this check lent them Node's types).
      'use.ts',
    ]);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('ships of dist/cli only what the bin loads: the launcher, the two bundles and their code caches', () => {
    const cli = readdirSync(join(project, 'node_modules', 'infercost', 'dist', 'cli'), { recursive: true });
    expect(cli.map(String).sort()).toEqual([
      'deps.cjs',
      'deps.cjs.cache',
      'launch.cjs',
      'main.cjs',
      'main.cjs.cache',
    ]);
  });

  it('the installed bin runs: --version, and a fleet plan with the solver it ships', () => {
    const v = run(join(project, 'node_modules', '.bin', 'infercost'), ['--version']);
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const f = run(join(project, 'node_modules', '.bin', 'infercost'), [
      'fleet',
      join(project, 'node_modules', 'infercost', 'profiles', 'fleets', 'mixed.yaml'),
      '--format',
      'json',
    ]);
    expect(f.stderr).toBe('');
    expect(JSON.parse(f.stdout).status).toBe('optimal');
  });
});
