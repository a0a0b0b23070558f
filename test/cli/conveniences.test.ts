// infercost init and bundled workloads by name (issue 14's conveniences).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';

describe('conveniences', () => {
  it('init writes a starter workload whose schema line resolves; it validates; a second init refuses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-init-'));
    const r = spawnCli(['init'], { cwd: dir });
    expect([r.code, r.stderr]).toEqual([
      0,
      'wrote workload.yaml: edit it, then run infercost compare workload.yaml\n',
    ]);
    const text = readFileSync(join(dir, 'workload.yaml'), 'utf8');
    const schema = /^# yaml-language-server: \$schema=(.+)$/m.exec(text)?.[1] ?? '';
    expect(existsSync(resolve(dirname(join(dir, 'workload.yaml')), schema))).toBe(true);
    expect(spawnCli(['validate', 'workload.yaml'], { cwd: dir }).code).toBe(0);
    const again = spawnCli(['init'], { cwd: dir });
    expect([again.code, again.stderr]).toEqual([
      2,
      'infercost: workload.yaml already exists; give another file name (init never overwrites)\n',
    ]);
    expect(readFileSync(join(dir, 'workload.yaml'), 'utf8')).toBe(text);
    // An empty name was "infercost:  cannot write the output file: it is a directory".
    expect(spawnCli(['init', ''], { cwd: dir }).stderr).toBe(
      'infercost: init "": expected a file name, e.g. my-workload.yaml\n',
    );
    expect(spawnCli(['--config', '', 'compare', 'chat'], { cwd: dir }).stderr).toBe(
      'infercost: "" cannot read file: no such file or directory\n',
    );
  });

  it('a bundled workload by name from any directory; an unknown name suggests the nearest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-name-'));
    const r = spawnCli(['compare', 'chat', '--format', 'json', '--accelerators', 'h100-sxm'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).results[0].workload.name).toBe('chat');
    const bad = spawnCli(['compare', 'chta'], { cwd: dir });
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'infercost: chta no such file, and no bundled workload of that name; did you mean "chat"? (bundled: agentic-coding, chat, production-mix, rag, summarization)\n',
    ]);
  });
});

describe('shell completion', () => {
  it("bash: commands, a command's options, accelerator ids after --accelerators", () => {
    const script = spawnCli(['completion', 'bash']);
    expect(script.code).toBe(0);
    const complete = (words: string[]) => {
      const r = spawnSync(
        'bash',
        [
          '-c',
          `${script.stdout}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _infercost; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { encoding: 'utf8' },
      );
      expect(r.stderr).toBe('');
      return r.stdout.trim().split('\n').sort();
    };
    expect(complete(['infercost', 'com'])).toEqual(['compare', 'completion']);
    expect(complete(['infercost', 'compare', '--acc'])).toEqual(['--accelerators']);
    expect(complete(['infercost', 'compare', '--accelerators', 'h'])).toEqual(['h100-sxm', 'h200-sxm']);
    expect(complete(['infercost', 'claim', '--plan', 't'])).toEqual(['tco']);
    expect(complete(['infercost', 'compare', 'ra'])).toEqual(['rag']);
    // profiles ID and profiles show ID complete the ids (it offered only show and --format).
    expect(complete(['infercost', 'profiles', 'mi3'])).toEqual(['mi300x', 'mi325x', 'mi355x']);
    expect(complete(['infercost', 'profiles', 's'])).toEqual(['show']);
    expect(complete(['infercost', 'profiles', 'show', 'tpu-v'])).toEqual([
      'tpu-v5e',
      'tpu-v6e-trillium',
      'tpu-v7-ironwood',
    ]);
  });

  it('zsh and fish scripts; an unknown shell is exit 2', () => {
    expect(spawnCli(['completion', 'zsh']).stdout).toContain('bashcompinit');
    const fish = spawnCli(['completion', 'fish']).stdout;
    expect(fish).toContain("complete -c infercost -n '__fish_seen_subcommand_from fleet' -l format");
    const bad = spawnCli(['completion', 'powershell']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('infercost: completion powershell: expected bash, zsh or fish\n');
  });
});

describe('project config file', () => {
  it('infercost.yaml in the working directory sets defaults; flags win', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    writeFileSync(
      join(dir, 'infercost.yaml'),
      'basis: neocloud\nbaseline: b200\naccelerators: [h100-sxm, b200, mi300x]\n',
    );
    const r = spawnCli(['compare', 'chat', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout).results[0];
    expect(doc.workload.price_basis).toBe('neocloud');
    expect(doc.baseline).toBe('b200');
    expect(doc.accelerators.map((a: { id: string }) => a.id).sort()).toEqual(['b200', 'h100-sxm', 'mi300x']);
    const flags = spawnCli(
      ['compare', 'chat', '--format', 'json', '--basis', 'hyperscaler', '--baseline', 'h100-sxm'],
      {
        cwd: dir,
      },
    );
    const over = JSON.parse(flags.stdout).results[0];
    expect([over.workload.price_basis, over.baseline]).toEqual(['hyperscaler', 'h100-sxm']);
  });

  it('--config names one; a bad value is one located line, exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const file = join(dir, 'ci.yaml');
    writeFileSync(file, 'basis: nope\n');
    const r = spawnCli(['--config', file, 'compare', 'chat']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /ci\.yaml:1:8 basis: expected one of hyperscaler, neocloud, marketplace, got "nope"\n$/,
    );
    expect(r.stdout).toBe('');
    // A profile folder that is not there is located in the config, not named as if typed.
    writeFileSync(file, 'profiles:\n  - my-chips\n');
    const missing = spawnCli(['--config', file, 'compare', 'chat']);
    expect([missing.code, missing.stdout]).toEqual([2, '']);
    expect(missing.stderr).toMatch(/ci\.yaml:2:5 profiles\[0\]: no such folder or file: \S*my-chips\n$/);
  });
});

describe('help', () => {
  it("every command's --help shows an example", async () => {
    const commands = [
      'compare',
      'report',
      'check',
      'claim',
      'fleet',
      'diff',
      'sweep',
      'backtest',
      'calibrate',
    ];
    const more = ['profiles', 'models', 'schema', 'init', 'validate', 'completion'];
    for (const c of [...commands, ...more]) {
      const r = await runCli([c, '--help']);
      expect(r.stdout, c).toMatch(/\nExamples?:\n {2}infercost /);
    }
    expect((await runCli(['prices', 'import', '--help'])).stdout).toMatch(
      /\nExample:\n {2}infercost prices import /,
    );
  });
});

describe('--set on a factor of a profile with serving stacks', () => {
  const perChip = async (...set: string[]) => {
    const r = await runCli([
      'compare',
      'profiles/workloads/chat.yaml',
      '--accelerators',
      'h100-sxm',
      '--format',
      'json',
      ...set.flatMap((s) => ['--set', s]),
    ]);
    expect(r.code).toBe(0);
    const a = JSON.parse(r.stdout).results[0].accelerators[0];
    return { tokens: a.metrics.output_tokens_per_s_per_chip as number, etaMem: a.efficiency.eta_mem };
  };

  it('reaches the factors the chip runs with: its own value changes nothing, a lower one lowers throughput', async () => {
    // H100's trtllm stack entry holds eta_mem 0.8709 (0.8708 before the forty-sixth session's power
    // cap, docs/model.md 6.2; 0.8669 before the thirty-eighth session's
    // refit, docs/accuracy.md "The collective latency on Neuron"; 0.8602 before the twenty-ninth's,
    // "TensorRT-LLM release 1.2 joins"; 0.8919 before the twenty-seventh's, "The Qwen3 rows' KV
    // cache read as FP8"); before, --set wrote only the profile's `efficiency` block, which a
    // profile with stacks never reads, and the answer did not move.
    const base = await perChip();
    expect(base.etaMem).toEqual({ value: 0.8709, calibrated: true });
    const same = await perChip('h100-sxm.efficiency.eta_mem=0.8709');
    expect(same.tokens).toBe(base.tokens);
    expect(same.etaMem).toEqual({ value: 0.8709, calibrated: false });
    const low = await perChip('h100-sxm.efficiency.eta_mem=0.3');
    expect(low.etaMem).toEqual({ value: 0.3, calibrated: false });
    expect(low.tokens).toBeLessThan(base.tokens * 0.8);
  });

  it("a value below the profile's stated low is the user's figure, not an error; above 1 blames the flag", async () => {
    const r = await runCli([
      'compare',
      'profiles/workloads/chat.yaml',
      '--set',
      'maia-200.efficiency.eta_mem=0.3',
    ]);
    expect(r.code).toBe(0); // maia-200 states eta_mem low 0.4796
    const bad = await runCli([
      'compare',
      'profiles/workloads/chat.yaml',
      '--set',
      'h100-sxm.efficiency.eta_mem=1.5',
    ]);
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([
      2,
      '',
      'infercost: --set h100-sxm.efficiency.eta_mem=1.5 efficiency.eta_mem.value: expected a number <= 1, got 1.5\n',
    ]);
  });
});

describe('small contracts', () => {
  it('-o - is stdout; an empty --output is one line, exit 2', async () => {
    const r = await runCli(['compare', 'chat', '--accelerators', 'b200', '--format', 'csv', '-o', '-']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^workload,accelerator,/);
    const empty = await runCli(['compare', 'chat', '-o', '']);
    expect([empty.code, empty.stdout, empty.stderr]).toEqual([
      2,
      '',
      'infercost: --output: expected a file name (or - for stdout)\n',
    ]);
  });

  it('init - prints the starter workload instead of writing a file named -', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-init-'));
    const r = spawnCli(['init', '-'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# yaml-language-server: \$schema=.*schemas\/workload\.schema\.json\n/);
    expect(existsSync(join(dir, '-'))).toBe(false);
  });

  it('profiles show ID --format json is JSON, after the id too; another format is exit 2', async () => {
    const r = await runCli(['profiles', 'show', 'maia-200', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 'maia-200', origin: 'bundled', form_of: null });
    const bad = await runCli(['profiles', 'show', 'maia-200', '--format', 'xml']);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'infercost: --format xml: expected text (or table) or json\n',
    ]);
  });

  it('profiles ID is profiles show ID; table and text name the human form of either', async () => {
    // `profiles maia-200` was "too many arguments for 'profiles'", exit 2.
    const short = await runCli(['profiles', 'maia-200']);
    const show = await runCli(['profiles', 'show', 'maia-200']);
    expect([short.code, short.stdout]).toEqual([0, show.stdout]);
    expect(JSON.parse((await runCli(['profiles', 'maia-200', '--format', 'json'])).stdout).id).toBe(
      'maia-200',
    );
    // Each refused the other's word for its human form.
    expect((await runCli(['profiles', 'show', 'maia-200', '--format', 'table'])).stdout).toBe(show.stdout);
    const list = await runCli(['profiles', '--format', 'text']);
    expect([list.code, list.stdout]).toEqual([0, (await runCli(['profiles'])).stdout]);
    // A mistyped subcommand is named as one.
    const typo = await runCli(['profiles', 'shwo']);
    expect([typo.code, typo.stderr]).toEqual([
      2,
      'infercost: unknown accelerator or subcommand "shwo"; did you mean "show"?\n',
    ]);
    const unknown = await runCli(['profiles', 'maia-2000']);
    expect([unknown.code, unknown.stdout]).toEqual([2, '']);
    expect(unknown.stderr).toMatch(/^infercost: unknown accelerator "maia-2000"/);
  });

  it('a broken ./infercost.yaml does not stop a command that reads no profile (schema)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-cfg-'));
    writeFileSync(join(dir, 'infercost.yaml'), 'bogus: 1\n');
    const schema = spawnCli(['schema', 'result'], { cwd: dir });
    expect(schema.code).toBe(0);
    const compare = spawnCli(['compare', 'chat'], { cwd: dir });
    expect([compare.code, compare.stderr]).toEqual([
      2,
      'infercost: infercost.yaml:1:1 bogus: unknown key "bogus" (known keys: profiles, basis, plan, baseline, accelerators, stack)\n',
    ]);
  });

  it('a wrong name in infercost.yaml is reported at its line in the file, not as a flag the user never typed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-cfg-'));
    writeFileSync(join(dir, 'infercost.yaml'), 'stack: nonesuch\n');
    const stack = spawnCli(['compare', 'chat'], { cwd: dir });
    expect([stack.code, stack.stdout]).toEqual([2, '']);
    expect(stack.stderr).toMatch(
      /^infercost: infercost\.yaml:1:8 stack: unknown serving stack "nonesuch" \(known: /,
    );
    writeFileSync(join(dir, 'infercost.yaml'), 'accelerators: [b200, mi300]\n');
    const ids = spawnCli(['compare', 'chat'], { cwd: dir });
    expect([ids.code, ids.stderr]).toEqual([
      2,
      // It named no line:col, as every other config error does.
      'infercost: infercost.yaml:1:22 accelerators[1]: unknown accelerator "mi300"; did you mean "mi300x"? (see \'infercost profiles\')\n',
    ]);
  });

  it('a profile folder named twice (flag and variable, dir and dir/) is read once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-prof-'));
    const mine = join(dir, 'mine');
    mkdirSync(mine);
    const h100 = readFileSync('profiles/accelerators/h100-sxm.yaml', 'utf8').replace(
      /^id: h100-sxm$/m,
      'id: my-chip',
    );
    writeFileSync(join(mine, 'my-chip.yaml'), h100);
    const r = spawnCli(['--profiles', mine, '--profiles', `${mine}/`, 'profiles', '--format', 'json'], {
      env: { INFERCOST_PROFILES: mine },
    });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout).filter((p: { id: string }) => p.id === 'my-chip')).toHaveLength(1);
  });
});
