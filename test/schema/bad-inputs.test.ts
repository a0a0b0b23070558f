import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { REQUIRED_ACCELERATORS } from '../helpers/data.js';

const expected = JSON.parse(
  readFileSync(new URL('../fixtures/bad/expected.json', import.meta.url), 'utf8'),
) as Record<string, string>;

describe('bad input corpus (test/fixtures/bad): one exact line on stderr, exit 2', () => {
  it('has at least 30 cases', () => {
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(30);
  });
  for (const [file, line] of Object.entries(expected)) {
    it(file, async () => {
      const r = await runCli(['validate', `test/fixtures/bad/${file}`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`${line}\n`);
      expect(r.stdout).toBe('');
    });
  }
});

describe('inputs the corpus cannot hold as files', () => {
  it('refuses a file over 1 MB before parsing it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `# ${'x'.repeat(1_100_000)}\nid: x\n`);
    const r = await runCli(['validate', big]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${big}:1:1 file is 1.1 MB; input files are limited to 1 MB\n`);
  });

  it('reports a duplicate id across two user files, naming both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const chip = readFileSync('test/fixtures/good/accelerators/test-chip.yaml', 'utf8');
    writeFileSync(join(dir, 'a.yaml'), chip);
    writeFileSync(join(dir, 'b.yaml'), chip);
    const r = await runCli(['--profiles', dir, 'profiles']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `infercost: ${join(dir, 'b.yaml')}:2:5 id: duplicate id "test-chip" (also in ${join(dir, 'a.yaml')})\n`,
    );
  });

  it('profiles in nested and symlinked folders of --profiles are found, in name order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const outside = mkdtempSync(join(tmpdir(), 'infercost-'));
    const chip = readFileSync('test/fixtures/good/accelerators/test-chip.yaml', 'utf8');
    mkdirSync(join(dir, 'nested'));
    writeFileSync(join(dir, 'nested', 'one.yaml'), chip);
    writeFileSync(join(outside, 'two.yaml'), chip.replace('id: test-chip', 'id: test-chip-two'));
    symlinkSync(outside, join(dir, 'linked'));
    const r = await runCli(['--profiles', dir, 'profiles', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ids = (JSON.parse(r.stdout) as { id: string }[]).map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(['test-chip', 'test-chip-two']));
    // A link that points nowhere is one line naming it, as before.
    symlinkSync(join(outside, 'gone'), join(dir, 'broken'));
    const broken = await runCli(['--profiles', dir, 'profiles']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toBe(
      `infercost: ${join(dir, 'broken')} cannot read file: no such file or directory\n`,
    );
  });

  it('a user profile with a bundled id replaces it, and the listing says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const chip = readFileSync('test/fixtures/good/accelerators/test-chip.yaml', 'utf8').replace(
      'id: test-chip',
      'id: h100-sxm',
    );
    writeFileSync(join(dir, 'h100.yaml'), chip);
    const r = await runCli(['--profiles', dir, 'profiles']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/h100-sxm\s+│ Test Chip .*h100\.yaml \(user, replaces bundled\)/);
  });

  it('reads INFERCOST_PROFILES like --profiles', async () => {
    const r = await runCli(['profiles'], { env: { INFERCOST_PROFILES: 'test/fixtures/good/accelerators' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('test-chip');
  });

  it('a missing INFERCOST_PROFILES folder is named with the variable, a --profiles one by its path', async () => {
    const env = await runCli(['profiles'], { env: { INFERCOST_PROFILES: 'no/such/dir' } });
    expect(env.code).toBe(2);
    expect(env.stdout).toBe('');
    expect(env.stderr).toBe(
      'infercost: no/such/dir (from INFERCOST_PROFILES) cannot read the profile directory: no such file or directory\n',
    );
    const flag = await runCli(['--profiles', 'no/such/dir', 'profiles']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe(
      'infercost: no/such/dir cannot read the profile directory: no such file or directory\n',
    );
  });

  it('a missing file is one line, exit 2', async () => {
    const r = await runCli(['validate', 'no/such/file.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('no/such/file.yaml cannot read file: no such file or directory\n');
  });

  it('names the --set flag when a set value is invalid', async () => {
    const r = await runCli(['compare', 'profiles/workloads/chat.yaml', '--set', 'input_tokens=-5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'infercost: --set input_tokens=-5 input_tokens: expected a positive number, got -5\n',
    );
  });

  it('suggests the nearest field for an unknown --set path', async () => {
    const r = await runCli(['compare', 'profiles/workloads/chat.yaml', '--set', 'input_tokenz=5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown field "input_tokenz"; did you mean "input_tokens"?');
  });
});

describe('bundled data', () => {
  it('every bundled profile, model and workload validates', async () => {
    const { readdirSync } = await import('node:fs');
    const files = ['accelerators', 'models', 'workloads'].flatMap((d) =>
      readdirSync(`profiles/${d}`).map((f) => `profiles/${d}/${f}`),
    );
    expect(files.length).toBeGreaterThanOrEqual(12 + 8 + 4);
    const r = await runCli(['validate', ...files]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const f of files) {
      expect(readFileSync(f, 'utf8').startsWith('# yaml-language-server: $schema=')).toBe(true);
    }
  });

  it('lists the twelve required accelerators', async () => {
    const r = await runCli(['profiles', '--format', 'json']);
    const ids = (JSON.parse(r.stdout) as { id: string }[]).map((p) => p.id);
    for (const id of REQUIRED_ACCELERATORS) {
      expect(ids).toContain(id);
    }
  });

  it('profiles show prints each number with its source and kind', async () => {
    const r = await runCli(['profiles', 'show', 'maia-200']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('memory.bandwidth_tbps = 7  [vendor-spec]');
    expect(r.stdout).toContain('compute_tflops.fp8 = 5000  [vendor-claim]');
    // Maia 200 is not sold: no price (one derived from Microsoft's own claim was removed)
    expect(r.stdout).not.toMatch(/on_demand \$/);
    const ironwood = await runCli(['profiles', 'show', 'tpu-v7-ironwood']);
    expect(ironwood.stdout).toMatch(/on_demand \$9\.48\/chip-h \(\$6\.79 to \$12\.16\), GCP .*\[estimate\]/);
    expect(ironwood.stdout).toContain('power.tdp_w = 1025 (1025 to 1633)  [estimate]');
  });
});

describe('start-up snapshot of the bundled profiles', () => {
  it('dist/bundled.json (written by npm run build) holds what the YAML files validate to', async () => {
    const { buildSnapshot } = await import('../../src/io/catalog.js');
    const stored = JSON.parse(readFileSync('dist/bundled.json', 'utf8'));
    const fresh = buildSnapshot().snapshot;
    expect(stored.accelerators.map((e: { value: unknown }) => e.value)).toEqual(
      fresh.accelerators.map((e) => e.value),
    );
    expect(stored.models.map((e: { value: unknown }) => e.value)).toEqual(fresh.models.map((e) => e.value));
  });
});
