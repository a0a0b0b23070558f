// Flags and inputs that were accepted wrongly or blamed on the wrong place: each case failed before
// the fix it names (a fresh-eyes review, forty-sixth session).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, spawnCli } from '../helpers/cli.js';

const CHAT = 'profiles/workloads/chat.yaml';

describe('an error in a --set value names the flag, not the workload file', () => {
  it('compare --set pricing.provider=foo blames the flag, exit 2, one line', () => {
    const r = spawnCli(['compare', CHAT, '--set', 'pricing.provider=foo']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `infercost: --set pricing.provider=foo pricing.provider: no profile has a quote from "foo" (see 'infercost profiles show <id>')\n`,
    );
  });

  it('compare chat rag --set name=x blames the flag for the clash of names; a clash in the files is still located', () => {
    const r = spawnCli(['compare', 'chat', 'rag', '--set', 'name=x']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `infercost: --set name=x name: workload "x" has the name of ${CHAT}'s workload; a result pairs workloads by name, so give each its own\n`,
    );
    // The same clash from the files themselves is still located in the file.
    const file = spawnCli(['compare', CHAT, join(REPO, CHAT)]);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(
      /^infercost: profiles\/workloads\/chat\.yaml:4:7 name: workload "chat" has the name/,
    );
  });

  it('a --set baseline, stack or accelerators naming nothing blames the flag', () => {
    const baseline = spawnCli(['compare', CHAT, '--set', 'baseline=zz']);
    expect(baseline.code).toBe(2);
    expect(baseline.stderr).toBe(
      `infercost: --set baseline=zz baseline: unknown accelerator "zz" (see 'infercost profiles')\n`,
    );
    const stack = spawnCli(['compare', CHAT, '--set', 'stack=zz']);
    expect(stack.code).toBe(2);
    expect(stack.stderr).toMatch(
      /^infercost: --set stack=zz stack: unknown serving stack "zz" \(known: [^\n]*\)\n$/,
    );
    const ids = spawnCli(['compare', CHAT, '--set', 'accelerators=[zz]']);
    expect(ids.code).toBe(2);
    expect(ids.stderr).toBe(
      `infercost: --set accelerators=[zz] accelerators[0]: unknown accelerator "zz" (see 'infercost profiles')\n`,
    );
  });

  it("a --set of one field is not blamed for another field's error in the file", () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-draft-'));
    const file = join(dir, 'draft.yaml');
    writeFileSync(
      file,
      'name: d\nmodel: llama-3.3-70b\ninput_tokens: 800\noutput_tokens: 300\nspeculative: { draft: llama-3.1-405b, tokens: 4, acceptance: 0.7 }\n',
    );
    const r = spawnCli(['compare', file, '--set', 'speculative.tokens=3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `infercost: ${file}:5:23 speculative.draft: llama-3.1-405b (405.9B parameters, 405.9B active) is not smaller than the target llama-3.3-70b (70.6B, 70.6B active): a draft must be the smaller model (docs/model.md 3c)\n`,
    );
  });

  it('a --set name on a mix names every class: the flag is blamed, not the mix file', () => {
    const r = spawnCli(['compare', 'production-mix', '--set', 'name=x']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'infercost: --set name=x name: gives every class of profiles/workloads/production-mix.yaml the name "x"; a result pairs workloads by name, so name each in its own file\n',
    );
  });
});

describe('a price quote dated after today is refused: it would never be flagged as stale', () => {
  const CATALOG = 'test/fixtures/good/catalogs/aws-vms.csv';
  /** The H100 profile with its first quote dated `asOf`, in a folder of its own. */
  const profileDatedAt = (asOf: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-future-'));
    const text = readFileSync(join(REPO, 'profiles/accelerators/h100-sxm.yaml'), 'utf8');
    const dated = text.replace(/^(\s*)as_of: .*$/m, `$1as_of: ${asOf}`);
    expect(dated).not.toBe(text);
    const file = join(dir, 'h100-sxm.yaml');
    writeFileSync(file, dated);
    const line = dated.split('\n').findIndex((l) => l.includes(`as_of: ${asOf}`)) + 1;
    return { dir, file, line };
  };

  it("prices import --as-of 2099-01-01 is exit 2, one line, nothing written; today's month imports", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-future-out-'));
    const r = spawnCli([
      'prices',
      'import',
      CATALOG,
      '--provider',
      'AWS',
      '--as-of',
      '2099-01-01',
      '--output-dir',
      dir,
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^infercost: --as-of 2099-01-01: a date after today \(\d{4}-\d{2}-\d{2}\); give the date the catalog's prices were published\n$/,
    );
    expect(readdirSync(dir)).toEqual([]);
    // Today's month is not the future (runCli's today is 2026-11-23).
    const now = await runCli(['prices', 'import', CATALOG, '--provider', 'AWS', '--as-of', '2026-11']);
    expect(now.stdout).toContain('h100-sxm');
    expect(now.code).toBe(0);
  });

  it('a profile with as_of: 2099-01 fails validate and compare, located at the date; this month validates', async () => {
    const { dir, file, line } = profileDatedAt('2099-01');
    const v = spawnCli(['validate', file]);
    expect(v.code).toBe(2);
    expect(v.stdout).toBe('');
    expect(v.stderr).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:\\d+ prices\\[0\\]\\.as_of: 2099-01 is after today \\(\\d{4}-\\d{2}-\\d{2}\\): a quote is dated when it was quoted\\n$`,
      ),
    );
    const c = spawnCli(['--profiles', dir, 'compare', CHAT]);
    expect(c.code).toBe(2);
    expect(c.stdout).toBe('');
    expect(c.stderr).toMatch(
      /^infercost: [^\n]*h100-sxm\.yaml:\d+:\d+ prices\[0\]\.as_of: 2099-01 is after today/,
    );
    expect(c.stderr.split('\n')).toHaveLength(2);
    // A quote from this month is not (runCli's today is 2026-11-23).
    const { file: now } = profileDatedAt('2026-11');
    const ok = await runCli(['validate', now]);
    expect([ok.code, ok.stderr]).toEqual([0, '']);
  });
});

describe('--no-ranges with --columns range is refused: neither can win silently', () => {
  it('exit 2, one line, nothing on stdout, no output file', () => {
    const r = spawnCli(['compare', CHAT, '--no-ranges', '--columns', 'range']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'infercost: --no-ranges hides the Range column that --columns range asks for: give one or the other, not both\n',
    );
    const dir = mkdtempSync(join(tmpdir(), 'infercost-ranges-'));
    const out = join(dir, 'out.txt');
    const o = spawnCli(['compare', CHAT, '--no-ranges', '--columns', 'tok_s_chip,range', '-o', out]);
    expect(o.code).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
    // Either flag alone still works.
    const cols = spawnCli(['compare', CHAT, '--columns', 'range']);
    expect(cols.code).toBe(0);
    expect(cols.stdout).toContain('Range');
    const hidden = spawnCli(['compare', CHAT, '--no-ranges', '--columns', 'tok_s_chip']);
    expect(hidden.code).toBe(0);
    expect(hidden.stdout).not.toContain('Range');
  });
});

describe('deployment.parallelism: ep on a dense model is refused, not ignored', () => {
  const workload = (model: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-ep-'));
    const file = join(dir, 'ep.yaml');
    writeFileSync(
      file,
      `name: ep\nmodel: ${model}\ninput_tokens: 800\noutput_tokens: 300\ndeployment: { parallelism: ep }\n`,
    );
    return file;
  };

  it('a file giving ep for llama-3.3-70b is exit 2, located at the field; --set is blamed on the flag', () => {
    const file = workload('llama-3.3-70b');
    const message =
      'deployment.parallelism: ep (expert parallelism) needs an MoE model, and llama-3.3-70b is dense: give tp or leave it out (docs/model.md 3d)\n';
    const r = spawnCli(['compare', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`infercost: ${file}:5:28 ${message}`);
    const v = spawnCli(['validate', file]);
    expect([v.code, v.stdout, v.stderr]).toEqual([2, '', `${file}:5:28 ${message}`]);
    const set = spawnCli(['compare', CHAT, '--set', 'deployment.parallelism=ep']);
    expect(set.code).toBe(2);
    expect(set.stderr).toBe(`infercost: --set deployment.parallelism=ep ${message}`);
    // An MoE model takes it.
    const moe = spawnCli(['compare', workload('gpt-oss-120b'), '--accelerators', 'h100-sxm']);
    expect(moe.code).toBe(0);
    expect(moe.stderr).not.toContain('parallelism');
  });
});

describe('a --config named on the command line is read by every command', () => {
  it('init and schema with a missing --config: exit 2, one line, nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-cfg-'));
    const missing = join(dir, 'nope.yaml');
    for (const args of [['init'], ['schema', 'workload']]) {
      const r = spawnCli(['--config', missing, ...args], { cwd: dir });
      expect([r.code, r.stdout], args[0]).toEqual([2, '']);
      // named as the user would read it from where they ran it
      expect(r.stderr).toBe('infercost: nope.yaml cannot read file: no such file or directory\n');
    }
    expect(readdirSync(dir)).toEqual([]);
    // Without --config both still run: init writes its workload file.
    expect(spawnCli(['init'], { cwd: dir }).code).toBe(0);
    expect(readdirSync(dir)).toEqual(['workload.yaml']);
  });
});

describe('a second user test (fiftieth session): each case failed before its fix', () => {
  it("commander's own errors are one line: its suggestion joins the first line", () => {
    const cmd = spawnCli(['comapre', 'chat']);
    expect([cmd.code, cmd.stdout, cmd.stderr]).toEqual([
      2,
      '',
      "infercost: unknown command 'comapre'; did you mean compare?\n",
    ]);
    const opt = spawnCli(['compare', 'chat', '--acclerators', 'b200']);
    expect([opt.code, opt.stderr]).toEqual([
      2,
      "infercost: unknown option '--acclerators'; did you mean --accelerators?\n",
    ]);
  });

  it('claim refuses a workload given twice, as compare does, rather than show its row twice', () => {
    const r = spawnCli(['claim', 'b200/h100-sxm tokens_per_joule >= 1.2', 'chat', 'chat']);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      'infercost: profiles/workloads/chat.yaml:4:7 name: workload "chat" has the name of the same file given before; a claim has one row per workload, so give each its own\n',
    ]);
  });

  it('claim prints a sub-cent price by its significant digits, as compare does (it was $0.00), and a large one grouped', () => {
    const r = spawnCli([
      'claim',
      'b200/h100-sxm tokens_per_dollar >= 1.1',
      'chat',
      '--set',
      'b200.price.on_demand=0.0001',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\$14\.\d\d\/chip-h \(now \$0\.00010\)/);
    const big = spawnCli([
      'claim',
      'b200/h100-sxm tokens_per_dollar >= 0.001',
      'chat',
      '--format',
      'markdown',
    ]);
    // the break-even of a tiny threshold is a price in the thousands: with its separator
    expect(big.stdout).toMatch(/\$\d{1,3}(,\d{3})+\.\d\d\/chip-h/);
  });
});

describe('a power budget that fits no replica (fiftieth session)', () => {
  it('each chip says so beside its zero fleet; a budget that fits one says nothing', () => {
    const b200At = (budget: string) => {
      const r = spawnCli(
        ['compare', CHAT, '--accelerators', 'b200', '--baseline', 'b200'].concat([
          '--power-budget',
          budget,
          '--format',
          'json',
        ]),
      );
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout).results[0].accelerators[0];
    };
    const a = b200At('300');
    expect(a.fleet.chips).toBe(0);
    const w = a.warnings.find((x: { code: string }) => x.code === 'BUDGET_FITS_NO_REPLICA');
    // one B200 replica (1 chip) draws its facility power per chip, more than 300 W
    expect(w.budgetW).toBe(300);
    expect(w.replicaW).toBeCloseTo(a.metrics.facility_w_per_chip * a.deployment.chips, 9);
    expect(w.replicaW).toBeGreaterThan(300);
    expect(w.message).toMatch(
      /^the power budget, 300 W, fits no replica: one draws [\d,]+ W at the facility \(docs\/model\.md 8\)$/,
    );
    const b = b200At('1MW');
    expect(b.fleet.chips).toBeGreaterThan(0);
    expect(b.warnings.map((x: { code: string }) => x.code)).not.toContain('BUDGET_FITS_NO_REPLICA');
  });
});
