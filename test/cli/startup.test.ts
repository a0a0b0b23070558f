import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, spawnCli } from '../helpers/cli.js';

// The built CLI takes a bundled workload from dist/bundled.json, validated at build time, and
// parses and validates any other file (src/io/catalog.ts bundledWorkload): both must give the
// same answer.
describe('a bundled workload from the build snapshot', () => {
  const snapshot = JSON.parse(readFileSync(join(REPO, 'dist/bundled.json'), 'utf8')) as {
    version: number;
    workloads: { path: string }[];
  };

  it('the build stores every bundled workload that is not a mix', () => {
    expect(snapshot.version).toBe(4);
    expect(snapshot.workloads.map((w) => w.path).sort()).toEqual([
      join('workloads', 'agentic-coding.yaml'),
      join('workloads', 'chat.yaml'),
      join('workloads', 'rag.yaml'),
      join('workloads', 'summarization.yaml'),
    ]);
  });

  for (const name of ['chat', 'rag']) {
    it(`${name}: the same result as a copy of the file, which is parsed and validated`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'infercost-snapshot-'));
      const copy = join(dir, `${name}.yaml`);
      copyFileSync(join(REPO, 'profiles/workloads', `${name}.yaml`), copy);
      const bundled = spawnCli(['compare', name, '--format', 'json']);
      const parsed = spawnCli(['compare', copy, '--format', 'json']);
      expect(bundled.code).toBe(0);
      expect(parsed.code).toBe(0);
      const results = (s: string) =>
        (JSON.parse(s) as { results: { workload: { file: string } }[] }).results.map((r) => ({
          ...r,
          workload: { ...r.workload, file: 'x' },
        }));
      expect(results(bundled.stdout)).toEqual(results(parsed.stdout));
      // `--set` edits the stored YAML and validates it again: errors still name the flag.
      const bad = spawnCli(['compare', name, '--set', 'input_tokens=-5']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^infercost: --set input_tokens=-5/);
    });
  }
});

// build.mjs bundles zod and yaml apart (dist/cli/deps.cjs) and the CLI loads them on first use:
// a command over the bundled profiles and workloads must not need them at all.
describe('the bundled path without zod and yaml', () => {
  it("compare chat runs with dist/cli/deps.cjs absent, and gives the full tree's answer; a user file needs it", () => {
    const root = mkdtempSync(join(tmpdir(), 'infercost-nodeps-'));
    mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
    for (const f of ['launch.cjs', 'main.cjs', 'main.cjs.cache'])
      copyFileSync(join(REPO, 'dist', 'cli', f), join(root, 'dist', 'cli', f));
    for (const f of ['bundled.json', 'bundled.bin'])
      copyFileSync(join(REPO, 'dist', f), join(root, 'dist', f));
    copyFileSync(join(REPO, 'package.json'), join(root, 'package.json'));
    for (const d of ['bin', 'profiles']) cpSync(join(REPO, d), join(root, d), { recursive: true });
    const run = (args: string[]) =>
      spawnSync(process.execPath, [join(root, 'bin', 'infercost'), ...args], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });
    const bundled = run(['compare', 'chat', '--format', 'json']);
    expect(bundled.stderr).toBe('');
    expect(bundled.status).toBe(0);
    const full = spawnCli(['compare', 'chat', '--format', 'json']);
    const results = (s: string) =>
      (JSON.parse(s) as { results: { workload: { file: string } }[] }).results.map((r) => ({
        ...r,
        workload: { ...r.workload, file: 'x' },
      }));
    expect(results(bundled.stdout)).toEqual(results(full.stdout));
    // A copy of the same file is parsed (yaml) and validated (zod): without deps.cjs it cannot be.
    const copy = join(root, 'chat-copy.yaml');
    copyFileSync(join(REPO, 'profiles', 'workloads', 'chat.yaml'), copy);
    expect(run(['compare', copy, '--format', 'json']).status).not.toBe(0);
  });
});
