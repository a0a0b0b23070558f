// Hardening (issue 9): writes that never replace what they should not, exit codes that say what
// happened, gates that check what they claim, bounded sweeps, and untrusted text kept off the
// terminal. Each case failed before the fix it names.
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputFile } from '../../src/io/atomic.js';
import { BIN, REPO, runCli, spawnCli } from '../helpers/cli.js';

const CHAT = join(REPO, 'profiles/workloads/chat.yaml');
const IS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'infercost-hard-'));
  chmodSync(dir, 0o777);
  return dir;
}

/** A shell line with the built binary; stdout, stderr and exit code. */
function sh(line: string, opts: { cwd?: string; uid?: number } = {}) {
  const r = spawnSync('sh', ['-c', line], {
    cwd: opts.cwd ?? REPO,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TZ: 'UTC' },
    ...(opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid }),
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The package copied where an unprivileged user can read it, and a runner that is not root:
 * as root, permission bits do not stop reads, so the unreadable-file cases run as `nobody`.
 */
function unprivileged(): { bin: string; run: (args: string[], cwd: string) => ReturnType<typeof sh> } {
  const dir = tempDir();
  for (const part of ['bin', 'dist', 'profiles', 'data', 'package.json']) {
    cpSync(join(REPO, part), join(dir, part), { recursive: true });
  }
  spawnSync('chmod', ['-R', 'a+rX', dir]);
  const bin = join(dir, 'bin/infercost');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return {
    bin,
    run: (args, cwd) =>
      sh(`node ${bin} ${args.map(quote).join(' ')}`, IS_ROOT ? { cwd, uid: NOBODY } : { cwd }),
  };
}

describe('writes (-o)', () => {
  it('-o /dev/null writes through and leaves the device node a device', () => {
    const r = spawnCli(['compare', CHAT, '-o', '/dev/null']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('-o /dev/stdout writes to stdout and leaves the link a link', () => {
    const r = spawnCli(['compare', CHAT, '--format', 'json', '-o', '/dev/stdout']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).results[0].workload.name).toBe('chat');
    expect(lstatSync('/dev/stdout').isSymbolicLink()).toBe(true);
  });

  it('-o onto a FIFO feeds its reader and leaves the FIFO in place', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo]);
    let read = '';
    reader.stdout.on('data', (d) => {
      read += String(d);
    });
    const done = new Promise((resolve) => reader.on('close', resolve));
    const r = spawnCli(['compare', CHAT, '--format', 'csv', '-o', fifo]);
    await done;
    expect(r.code).toBe(0);
    expect(read.split('\r\n')[0]?.startsWith('workload,accelerator,name,status')).toBe(true);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('as root, a mknod copy of /dev/null stays a device node', () => {
    if (!IS_ROOT) return; // creating a device node needs root; the /dev/null case covers the rest
    const dir = tempDir();
    const node = join(dir, 'null');
    expect(spawnSync('mknod', [node, 'c', '1', '3']).status).toBe(0);
    const r = spawnCli(['compare', CHAT, '-o', node]);
    expect(r.code).toBe(0);
    expect(lstatSync(node).isCharacterDevice()).toBe(true);
  });

  it('temps are created exclusively under random names with the destination mode', () => {
    const dir = tempDir();
    const out = join(dir, 'out.json');
    writeFileSync(out, 'old\n');
    chmodSync(out, 0o640);
    const a = new OutputFile(out);
    const b = new OutputFile(out);
    const temps = readdirSync(dir).filter((n) => n !== 'out.json');
    expect(temps).toHaveLength(2);
    for (const t of temps) {
      expect(t).toMatch(/^\.out\.json\.infercost-\d+-[0-9a-f]{12}\.tmp$/);
      expect(statSync(join(dir, t)).mode & 0o777).toBe(0o640);
    }
    a.write('new\n');
    a.commit();
    b.abort();
    expect(readdirSync(dir)).toEqual(['out.json']);
    expect(readFileSync(out, 'utf8')).toBe('new\n');
    expect(statSync(out).mode & 0o777).toBe(0o640);
  });

  it('a planted link at the old predictable temp name is never followed', () => {
    const dir = tempDir();
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    // The old scheme used `.<out>.infercost-tmp-<pid>`; plant that name for a range of pids.
    const out = join(dir, 'out.json');
    for (let pid = process.pid; pid < process.pid + 200; pid++) {
      symlinkSync(victim, join(dir, `.out.json.infercost-tmp-${pid}`));
    }
    const r = spawnCli(['compare', CHAT, '--format', 'json', '-o', out]);
    expect(r.code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(JSON.parse(readFileSync(out, 'utf8')).schema_version).toBe(1);
  });

  it('a symlink destination is written through: the link stays, its target gets the output', () => {
    const dir = tempDir();
    const target = join(dir, 'target.json');
    writeFileSync(target, '{}\n');
    const link = join(dir, 'link.json');
    symlinkSync(target, link);
    const r = spawnCli(['compare', CHAT, '--format', 'json', '-o', link]);
    expect(r.code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(target, 'utf8')).schema_version).toBe(1);
  });

  it('a read-only destination: refused for a user (exit 2, file kept); root replaces it and keeps 0444', () => {
    const pkg = unprivileged();
    const dir = tempDir();
    const out = join(dir, 'ro.json');
    writeFileSync(out, 'keep\n');
    chmodSync(out, 0o444);
    if (IS_ROOT) spawnSync('chown', [`${NOBODY}:${NOBODY}`, out]);
    const r = pkg.run(['compare', CHAT, '-o', out], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `infercost: ${out} cannot write the output file: permission denied (the file is read-only)\n`,
    );
    expect(readFileSync(out, 'utf8')).toBe('keep\n');
    if (IS_ROOT) {
      const asRoot = spawnCli(['compare', CHAT, '-o', out]);
      expect(asRoot.code).toBe(0);
      expect(statSync(out).mode & 0o777).toBe(0o444);
      expect(statSync(out).uid).toBe(NOBODY);
    }
  });

  it('an output that is one of the inputs is refused (exit 2) and the input kept', () => {
    const dir = tempDir();
    const w = join(dir, 'w.yaml');
    writeFileSync(w, readFileSync(CHAT, 'utf8'));
    const r = spawnCli(['compare', w, '-o', w]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`infercost: --output ${w}: is also an input (${w}); refusing to overwrite it\n`);
    expect(readFileSync(w, 'utf8')).toBe(readFileSync(CHAT, 'utf8'));
  });

  // src/cli/main.ts ends the process with process.exit only when stdout has nothing queued; a
  // reader slower than the writer leaves output queued, and none of it may be lost.
  it('a reader that starts late still gets every byte (the early exit waits for a flushed stdout)', () => {
    const dir = tempDir();
    const file = join(dir, 'backtest.json');
    // One write of ~170 kB, more than a pipe holds while its reader sleeps: the rest is queued
    // when the command ends.
    const args = 'backtest --format json';
    expect(sh(`node ${BIN} ${args} -o ${file}`).code).toBe(0);
    const bytes = statSync(file).size;
    expect(bytes).toBeGreaterThan(100_000);
    const r = sh(`node ${BIN} ${args} | (sleep 1; wc -c)`);
    expect(r.code).toBe(0);
    expect(Number(r.stdout.trim())).toBe(bytes);
  });

  it('stdout onto a full device: one line, exit 74, no stack trace (compare, sweep, check, diff)', () => {
    const dir = tempDir();
    const saved = join(dir, 'r.json');
    expect(spawnCli(['compare', CHAT, '--format', 'json', '-o', saved]).code).toBe(0);
    for (const args of [
      `compare ${CHAT}`,
      `sweep ${CHAT} --vary input_tokens=100,200 --format csv`,
      `check ${CHAT} --expect "h100-sxm throughput >= 1"`,
      `diff ${saved} ${saved} --format json`,
    ]) {
      const r = sh(`node ${BIN} ${args} > /dev/full`);
      expect([args, r.code]).toEqual([args, 74]);
      expect(r.stderr).toBe('infercost: cannot write to stdout: no space left on the device\n');
    }
  });

  it('stderr onto a full device or a closed pipe: the message is lost, not the exit code or the output file', () => {
    // Before, an uncaught ENOSPC/EPIPE from the message ended every such run with 1.
    expect(sh(`node ${BIN} compare nope.yaml 2>/dev/full`).code).toBe(2);
    // the shell's view of the command itself, through a pipe closed before the message
    const piped = spawnSync(
      'bash',
      ['-c', `node ${BIN} compare nope.yaml 2>&1 | true; echo \${PIPESTATUS[0]}`],
      {
        cwd: REPO,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
      },
    );
    expect(piped.stdout.trim()).toBe('2');
    // calibrate's -o file is written although its summary on stderr is not (it wrote nothing, exit 1)
    const out = join(tempDir(), 'c.yaml');
    const cal = sh(`node ${BIN} calibrate --accelerator h100-sxm -o ${out} 2>/dev/full`);
    expect(cal.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('h100-sxm');
  });

  it('stale temps of a killed run are removed by the next write; live ones are not', () => {
    const dir = tempDir();
    const out = join(dir, 'out.csv');
    const dead = spawnSync('true').pid as number; // exited: its pid names no process now
    const stale = join(dir, `.out.csv.infercost-${dead}-0123456789ab.tmp`);
    const live = join(dir, `.out.csv.infercost-${process.pid}-0123456789ab.tmp`);
    writeFileSync(stale, 'partial');
    writeFileSync(live, 'partial');
    const r = spawnCli(['sweep', CHAT, '--vary', 'input_tokens=100,200', '--format', 'csv', '-o', out]);
    expect(r.code).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });
});

describe('gates and exit codes', () => {
  function savedPair(): [string, string] {
    const dir = tempDir();
    const before = join(dir, 'before.json');
    const after = join(dir, 'after.json');
    expect(spawnCli(['compare', CHAT, '--format', 'json', '-o', before]).code).toBe(0);
    // h100 13.78% dearer: its tokens per dollar moves by 1/1.1378 - 1 = -12.11%.
    const price = 6.88 * 1.1378;
    expect(
      spawnCli([
        'compare',
        CHAT,
        '--format',
        'json',
        '-o',
        after,
        '--set',
        `h100-sxm.price.on_demand=${price}`,
      ]).code,
    ).toBe(0);
    return [before, after];
  }

  it('diff --fail-above gates tokens per dollar whatever --metrics shows', () => {
    const [before, after] = savedPair();
    const r = spawnCli(['diff', before, after, '--metrics', 'usd_per_chip_hour', '--fail-above', '5%']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('FAIL chat/h100-sxm: output_tokens_per_usd moved -12.11% (limit 5%)\n');
    expect(r.stdout).toContain('usd_per_chip_hour');
    expect(r.stdout).not.toContain('output_tokens_per_usd');
  });

  it('diff --metrics takes the fleet figures diff prints, and skips an empty entry (both were "unknown metric")', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const [a, b] = [join(dir, 'a.json'), join(dir, 'b.json')];
    for (const [f, demand] of [
      [a, '1e12'],
      [b, '2e12'],
    ] as const)
      expect(
        spawnCli([
          'compare',
          CHAT,
          '--accelerators',
          'h100-sxm',
          '--demand',
          demand,
          '--format',
          'json',
          '-o',
          f,
        ]).code,
      ).toBe(0);
    const r = spawnCli(['diff', a, b, '--metrics', 'fleet_chips,output_tokens_per_usd,', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const changes = JSON.parse(r.stdout).changes;
    // the demand doubles, so the chips do; tokens per dollar does not move, so it has no row
    expect(changes.map((c: { metric: string }) => c.metric)).toEqual(['workload', 'fleet_chips']);
    expect(changes[1].new / changes[1].old).toBeCloseTo(2, 2);
  });

  it('diff: unknown or inherited metric names and a bare number for --fail-above are exit 2', () => {
    const [before, after] = savedPair();
    const keys =
      " (a key of a result's metrics, e.g. output_tokens_per_usd, or a fleet figure: fleet_chips, fleet_replicas, fleet_facility_w, fleet_output_tokens_per_day, fleet_usd_per_year)\n";
    for (const [args, message] of [
      [['--metrics', '__proto__,constructor'], `infercost: --metrics __proto__: unknown metric${keys}`],
      [['--metrics', 'constructor'], `infercost: --metrics constructor: unknown metric${keys}`],
      [['--fail-above', '5'], 'infercost: --fail-above 5: expected a percentage such as 5%\n'],
    ] as const) {
      const r = spawnCli(['diff', before, after, ...args]);
      expect([r.code, r.stderr]).toEqual([2, message]);
    }
  });

  it('inherited property names are unknown metrics in --expect and --sort: exit 2, no NaN', async () => {
    for (const args of [
      ['--expect', 'h100-sxm constructor <= 1'],
      ['--expect', 'h100-sxm __proto__ <= 1'],
      ['--expect', 'b200/h100-sxm constructor >= 1'],
      ['--sort', 'constructor'],
      ['--sort', 'toString'],
    ]) {
      const r = await runCli(['compare', CHAT, ...args]);
      expect([args, r.code]).toEqual([args, 2]);
      expect(r.stderr).toMatch(/^infercost: --(expect|sort) .*unknown metric/);
      expect(r.stdout + r.stderr).not.toMatch(/NaN|native code/);
    }
  });

  it('a --stack a chip is not served with: it runs its own, and a note says the asked-for one was passed over', async () => {
    const r = await runCli([
      'compare',
      CHAT,
      '--stack',
      'nxdi',
      '--accelerators',
      'h100-sxm,trainium2',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const [h100, trn2] = ['h100-sxm', 'trainium2'].map((id) =>
      JSON.parse(r.stdout).results[0].accelerators.find((a: { id: string }) => a.id === id),
    );
    expect(h100.stack.name).toBe('trtllm');
    expect(h100.warnings).toContainEqual({
      code: 'STACK_NOT_SERVED',
      message: 'no nxdi factors for this chip (not among its serving stacks): ran trtllm',
    });
    expect(trn2.stack.name).toBe('nxdi');
    expect(trn2.warnings.map((w: { code: string }) => w.code)).not.toContain('STACK_NOT_SERVED');
  });

  it('a cached share is never rounded to all or none: 0.999999 is >99%, 0.004 is <1%, 0.5 is 50%', async () => {
    for (const [fraction, shown] of [
      ['0.999999', '(>99% cached)'],
      ['0.004', '(<1% cached)'],
      ['0.5', '(50% cached)'],
    ]) {
      const r = await runCli([
        'compare',
        CHAT,
        '--accelerators',
        'b200',
        '--set',
        `cached_input_fraction=${fraction}`,
      ]);
      expect(r.stdout.split('\n')[0]).toContain(`800 in / 300 out ${shown},`);
    }
  });

  it('with power_capped_clock off, a power cap below TDP is flagged: it lowers the power charged, not the throughput', async () => {
    const args = [
      'compare',
      CHAT,
      '--accelerators',
      'h100-sxm',
      '--format',
      'json',
      '--set',
      'mechanisms.power_capped_clock=false',
    ];
    const capped = JSON.parse((await runCli([...args, '--set', 'site.power_cap_w=1'])).stdout).results[0]
      .accelerators[0];
    expect(capped.warnings).toContainEqual({
      code: 'POWER_CAP_BELOW_TDP',
      capW: 1,
      tdpW: 700,
      message:
        "power cap 1 W is below this chip's 700 W TDP: the power charged falls, the throughput does not (docs/model.md 6.1), so tokens per joule is an upper bound",
    });
    const above = JSON.parse((await runCli([...args, '--set', 'site.power_cap_w=700'])).stdout).results[0]
      .accelerators[0];
    expect(above.warnings.map((w: { code: string }) => w.code)).not.toContain('POWER_CAP_BELOW_TDP');
  });

  it('with power_capped_clock (on by default), a cap at half of TDP runs the matrix units at 2^(-1/3) = 79% of their clock', async () => {
    const args = [
      'compare',
      CHAT,
      '--accelerators',
      'h100-sxm',
      '--format',
      'json',
      '--set',
      'site.power_cap_w=350',
    ];
    const on = (await runCli(args)).stdout;
    const slowed = JSON.parse(on).results[0].accelerators[0];
    // (350 / 700)^(1/3) = 0.5^(1/3) = 0.793700526
    expect(slowed.warnings).toContainEqual({
      code: 'POWER_CAP_BELOW_TDP',
      capW: 350,
      tdpW: 700,
      clockFraction: expect.closeTo(0.7937005, 6),
      message:
        "power cap 350 W is below this chip's 700 W TDP: its matrix units run at 79% of their clock, the least slowdown the cap allows, and at 50% at the range's low end (docs/model.md 6.2), so tokens per joule is an upper bound",
    });
    const off = JSON.parse((await runCli([...args, '--set', 'mechanisms.power_capped_clock=false'])).stdout)
      .results[0].accelerators[0];
    // chat's 40 ms TPOT limit binds either way; slower GEMMs leave room for fewer sequences
    expect(slowed.metrics.output_tokens_per_s_per_chip).toBeLessThan(
      off.metrics.output_tokens_per_s_per_chip,
    );
    expect(slowed.deployment.batch).toBeLessThan(off.deployment.batch);
  });

  it('a cap whose low clock meets no deployment says the range leaves it out, in words and JSON (docs/model.md 6.2)', async () => {
    const args = ['compare', CHAT, '--accelerators', 'h100-sxm', '--set', 'site.power_cap_w=250'];
    const tight = JSON.parse((await runCli([...args, '--set', 'slo.tpot_ms=7', '--format', 'json'])).stdout)
      .results[0].accelerators[0];
    expect(tight.status).toBe('ok');
    // (250 / 700)^(1/3) = 0.709; at exponent 1 the clock is 250 / 700 = 36%, where batch 1 on 8
    // chips takes 7.02 ms against the 7 ms TPOT (test/engine/model.test.ts)
    expect(tight.warnings).toContainEqual({
      code: 'POWER_CAP_BELOW_TDP',
      capW: 250,
      tdpW: 700,
      clockFraction: expect.closeTo(0.7094917, 6),
      unmetAtLow: true,
      message:
        "power cap 250 W is below this chip's 700 W TDP: its matrix units run at 71% of their clock, the least slowdown the cap allows, and at 36% at the range's low end, where no deployment meets the limits, which the range leaves out (docs/model.md 6.2), so tokens per joule is an upper bound",
    });
    // chat's own 40 ms runs at 36% too: no such words
    const loose = await runCli(args);
    expect(loose.stdout).toContain("and at 36% at the range's low end (docs/model.md 6.2)");
    expect(loose.stdout).not.toContain('where no deployment meets the limits');
  });

  it('a cap below a watt is stated with its significant digits, not rounded to "0 W" and "0%"', async () => {
    const r = await runCli([
      'compare',
      CHAT,
      '--accelerators',
      'h100-sxm',
      '--set',
      'site.power_cap_w=0.001',
      '--format',
      'json',
    ]);
    const warning = JSON.parse(r.stdout).results[0].accelerators[0].warnings.find(
      (w: { code: string }) => w.code === 'POWER_CAP_BELOW_TDP',
    );
    // 0.001 / 700 = 0.00014%; the clock (0.001 / 700)^(1/3) = 1.1% stays a whole percent.
    expect(warning?.message).toBe(
      "power cap 0.001 W is below this chip's 700 W TDP: its matrix units run at 1% of their clock, the least slowdown the cap allows, and at 0.00014% at the range's low end (docs/model.md 6.2), so tokens per joule is an upper bound",
    );
  });

  it("--demand or --power-budget replaces the file's sizing of either kind; both flags at once are still refused", async () => {
    const w = 'model: llama-3.1-8b\ninput_tokens: 800\noutput_tokens: 300\npower_budget: 1MW\n';
    const args = ['compare', '-', '--accelerators', 'b200', '--format', 'json'];
    const demand = await runCli([...args, '--demand', '1e12'], { stdin: w });
    expect(demand.code).toBe(0);
    const fleet = JSON.parse(demand.stdout).results[0].accelerators[0].fleet;
    expect(fleet.sized_for).toBe('demand');
    expect(fleet.output_tokens_per_day).toBeGreaterThanOrEqual(1e12);
    const both = await runCli([...args, '--demand', '1e12', '--power-budget', '1MW'], { stdin: w });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give a demand or a power budget, not both');
  });

  it('inherited property names are unknown schema kinds: exit 2, not an internal error', async () => {
    for (const kind of ['toString', '__proto__', 'constructor']) {
      const r = await runCli(['schema', kind]);
      expect([r.code, r.stdout, r.stderr]).toEqual([
        2,
        '',
        `infercost: schema ${kind}: expected one of accelerator, model, workload, mix, fleet, result\n`,
      ]);
    }
  });

  it('a claim on a metric a chip does not have is a misconfigured gate: exit 2, not FAIL', async () => {
    // Maia 200 is not rented by the chip: no hyperscaler on-demand price, so no tokens per dollar.
    const r = await runCli(['check', CHAT, '--expect', 'maia-200 tokens_per_dollar >= 1']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /^ERROR chat: maia-200 tokens_per_dollar >= 1: not measurable: maia-200 has no output_tokens_per_usd/,
    );
    expect(r.stdout).toContain('0 passed, 0 failed, 1 not measurable');
  });

  it('a workload beyond the model context length is exit 2 naming the limit', async () => {
    const r = await runCli(['compare', CHAT, '--set', 'input_tokens=2000000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "infercost: --set input_tokens=2000000 input_tokens: input_tokens + output_tokens = 2,000,300 is beyond llama-3.3-70b's context length of 131,072 tokens\n",
    );
    const inFile = await runCli(['compare', '-'], {
      stdin: 'model: llama-2-70b\ninput_tokens: 4000\noutput_tokens: 200\n',
    });
    expect(inFile.code).toBe(2);
    expect(inFile.stderr).toBe(
      "infercost: <stdin>:2:15 input_tokens: input_tokens + output_tokens = 4,200 is beyond llama-2-70b's context length of 4,096 tokens\n",
    );
  });

  it('when no accelerator can run a workload compare says so and exits 1', async () => {
    // DeepSeek-V3 in BF16 is 671e9 x 2 B = 1.34 TB; eight H100s hold 8 x 80 GB = 640 GB (and with
    // pipeline stages switched off, no replica spans more than one server).
    const r = await runCli(['compare', '-', '--accelerators', 'h100-sxm'], {
      stdin:
        'model: deepseek-v3\nprecision: { weights: bf16, activations: bf16, kv_cache: bf16 }\ninput_tokens: 1000\noutput_tokens: 100\nmechanisms: { pipeline_parallel: false }\n',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^infercost: no accelerator can run workload stdin: h100-sxm does not fit: /);
  });

  it('a run whose expectation or claim cannot be measured (exit 2) leaves an existing --output as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const out = join(dir, 'k.txt');
    writeFileSync(out, 'ORIG\n');
    // GB200 has no hourly price, so its tokens per dollar does not exist.
    const claim = await runCli(['claim', 'gb200/h100-sxm tokens_per_dollar >= 1', 'chat', '--output', out]);
    expect(claim.code).toBe(2);
    expect(claim.stderr).toMatch(/^infercost: .*k\.txt not written: the claim cannot be measured\n/);
    const compare = await runCli([
      'compare',
      CHAT,
      '--format',
      'json',
      '--output',
      out,
      '--expect',
      'gb200 usd_per_mtok_output <= 1',
    ]);
    expect(compare.code).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe('ORIG\n');
  });

  it('a bad --set price blames the flag, not the profile file; a chip against itself is refused; 1TW is a power', async () => {
    const price = await runCli(['compare', CHAT, '--set', 'h100-sxm.price.on_demand=0']);
    expect([price.code, price.stderr]).toEqual([
      2,
      'infercost: --set h100-sxm.price.on_demand=0 expected a positive number, got 0\n',
    ]);
    const self = await runCli(['claim', 'b200/b200 tokens_per_dollar >= 1', 'chat']);
    expect([self.code, self.stdout, self.stderr]).toEqual([
      2,
      '',
      'infercost: claim "b200/b200 tokens_per_dollar >= 1": compares b200 with itself (the ratio is 1 by definition)\n',
    ]);
    // 1 TW = 1e12 W, within the stated limit of 10 TW (it was refused: the parser knew no TW).
    const tw = await runCli([
      'compare',
      CHAT,
      '--power-budget',
      '1TW',
      '--accelerators',
      'b200',
      '--format',
      'json',
    ]);
    expect(tw.code).toBe(0);
    expect(JSON.parse(tw.stdout).results[0].workload.power_budget_w).toBe(1e12);
  });

  it('every command documents the exit codes in --help', async () => {
    const r = await runCli(['--help']);
    expect(r.stdout).toContain('Exit codes:');
    expect(r.stdout).toContain('74   output could not be written');
  });
});

describe('unreadable inputs (as a user without permission)', () => {
  it('exit 2 with the real reason for compare, validate, sweep, backtest and --profiles', () => {
    const pkg = unprivileged();
    const dir = tempDir();
    const w = join(dir, 'w.yaml');
    writeFileSync(w, readFileSync(CHAT, 'utf8'));
    const csv = join(dir, 'rows.csv');
    writeFileSync(csv, 'id\n');
    const profiles = join(dir, 'profiles');
    mkdirSync(profiles);
    const profile = join(profiles, 'x.yaml');
    writeFileSync(profile, 'id: x\n');
    const closedDir = join(dir, 'closed');
    mkdirSync(closedDir);
    for (const f of [w, csv, profile]) chmodSync(f, 0o000);
    chmodSync(closedDir, 0o000);
    // Paths are given relative to the working directory and shown as given.
    const cases: [string[], string][] = [
      [['compare', 'w.yaml'], 'infercost: w.yaml cannot read file: permission denied\n'],
      [['validate', 'w.yaml'], 'w.yaml cannot read file: permission denied\n'],
      [
        ['sweep', 'w.yaml', '--vary', 'input_tokens=1,2'],
        'infercost: w.yaml cannot read file: permission denied\n',
      ],
      [['backtest', 'rows.csv'], 'infercost: rows.csv cannot read file: permission denied\n'],
      [
        ['--profiles', 'profiles', 'compare', CHAT],
        'infercost: profiles/x.yaml cannot read file: permission denied\n',
      ],
      [
        ['--profiles', 'closed', 'compare', CHAT],
        'infercost: closed cannot read directory: permission denied\n',
      ],
    ];
    for (const [args, stderr] of cases) {
      const r = pkg.run(args, dir);
      expect([args.join(' '), r.code, r.stderr]).toEqual([args.join(' '), 2, stderr]);
    }
  });
});

describe('sweeps', () => {
  it('a 10-million-value axis with --limit 2 gives two points at once (axes are never expanded)', () => {
    const r = spawnCli([
      'sweep',
      CHAT,
      '--vary',
      'input_tokens=1..10000000:1',
      '--set',
      'model=llama-3.1-8b',
      '--accelerators',
      'h100-sxm',
      '--limit',
      '2',
      '--format',
      'csv',
    ]);
    // The range's end (10,000,300 tokens) is past llama-3.1-8b's context: checked before any row.
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "infercost: --vary input_tokens=10000000 input_tokens: input_tokens + output_tokens = 10,000,300 is beyond llama-3.1-8b's context length of 131,072 tokens\n",
    );
    const ok = spawnCli([
      'sweep',
      CHAT,
      '--vary',
      'output_tokens=1..10000000:1',
      '--set',
      'model=inline-never',
    ]);
    expect(ok.code).toBe(2);
  });

  it('a 10-million-value axis within the model runs lazily: --limit 2 gives exactly two points', () => {
    const dir = tempDir();
    const w = join(dir, 'big-context.yaml');
    writeFileSync(
      w,
      'model: { name: tiny, params: { total_b: 1, active_b: 1 }, layers: 2, hidden_size: 256, heads: 4, kv_heads: 4, head_dim: 64, max_context_tokens: 20000000, precision: { weights: bf16, activations: bf16, kv_cache: bf16 }, source: test }\ninput_tokens: 1\noutput_tokens: 1\n',
    );
    const r = spawnCli([
      'sweep',
      w,
      '--vary',
      'input_tokens=1..10000000:1',
      '--accelerators',
      'h100-sxm',
      '--limit',
      '2',
      '--format',
      'csv',
    ]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const lines = r.stdout.split('\r\n').filter((l) => l !== '');
    expect(lines.map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      'input_tokens,workload,accelerator',
      '1,big-context,h100-sxm',
      '2,big-context,h100-sxm',
    ]);
  });

  it('a field swept twice is exit 2, and a bad --vary value is blamed on --vary', async () => {
    const twice = await runCli(['sweep', CHAT, '--vary', 'input_tokens=1,2', '--vary', 'input_tokens=3,4']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toBe(
      'infercost: --vary input_tokens: the field is already swept (as input_tokens); give one axis per field\n',
    );
    const model = await runCli(['sweep', CHAT, '--vary', 'model=llama-3.3-70b,nope']);
    expect(model.code).toBe(2);
    expect(model.stderr).toMatch(/^infercost: --vary model=nope model: unknown model "nope"/);
  });
});

describe('untrusted text', () => {
  const EVIL = 'evil\u001b]0;owned\u0007\u001b[31mred\u001b]52;c;cGF5bG9hZA==\u0007\u009b31m';

  function evilWorkload(): string {
    const dir = tempDir();
    const w = join(dir, 'evil.yaml');
    writeFileSync(w, `${readFileSync(CHAT, 'utf8').replace('name: chat', `name: ${JSON.stringify(EVIL)}`)}`);
    return w;
  }

  it('escape sequences in a name never reach table, Markdown, CSV or stderr raw; JSON keeps them escaped', async () => {
    const w = evilWorkload();
    for (const format of ['table', 'markdown', 'csv', 'json', 'ndjson']) {
      const r = await runCli(['compare', w, '--format', format, '--expect', 'h100-sxm throughput >= 1']);
      expect([format, r.code]).toEqual([format, 0]);
      expect(r.stdout).not.toMatch(/[\u0007\u001b\u009b]/);
      expect(r.stderr).not.toMatch(/[\u0007\u001b\u009b]/);
      if (format === 'table' || format === 'markdown') expect(r.stdout).toContain('evil\\x1b]0;owned\\x07');
      if (format === 'json') expect(JSON.parse(r.stdout).results[0].workload.name).toBe(EVIL);
    }
  });

  it('a binary file is "not a text file", not echoed bytes or a wrong key', async () => {
    const dir = tempDir();
    const bin = join(dir, 'blob.yaml');
    writeFileSync(
      bin,
      Buffer.from([0, 0, 0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0x78, 0x1b, 0x5b, 0x33, 0x31, 0x6d]),
    );
    const r = await runCli(['compare', bin]);
    expect([r.code, r.stderr]).toEqual([2, `infercost: ${bin} is not a text file (it contains NUL bytes)\n`]);
  });
});

describe('small ones', () => {
  it('validate - reads stdin', async () => {
    const r = await runCli(['validate', '-'], { stdin: readFileSync(CHAT, 'utf8') });
    expect([r.code, r.stdout]).toEqual([0, 'ok <stdin>: workload chat (model llama-3.3-70b)\n']);
  });

  it('--accelerators "" is exit 2; a,a gives one row', async () => {
    const empty = await runCli(['compare', CHAT, '--accelerators', '']);
    expect([empty.code, empty.stderr]).toEqual([
      2,
      'infercost: --accelerators "": give at least one accelerator id\n',
    ]);
    const twice = await runCli(['compare', CHAT, '--accelerators', 'b200,b200', '--format', 'json']);
    const ids = JSON.parse(twice.stdout).results[0].accelerators.map((a: { id: string }) => a.id);
    expect([...ids].sort()).toEqual(['b200', 'h100-sxm']);
  });

  it('--pareto shows the curve in the table and Markdown; CSV refuses it', async () => {
    const table = await runCli(['compare', CHAT, '--pareto', '--accelerators', 'b200']);
    expect(table.stdout).toContain('Pareto curve (tok/s per user -> tok/s per chip, at batch B on N chips):');
    expect(table.stdout).toMatch(/\n {2}b200: [\d.,]+ -> [\d.,]+ \(B1, N\d+\);/);
    const md = await runCli(['compare', CHAT, '--pareto', '--format', 'markdown', '--accelerators', 'b200']);
    expect(md.stdout).toMatch(/\n- b200: /);
    const csv = await runCli(['compare', CHAT, '--pareto', '--format', 'csv']);
    expect(csv.code).toBe(2);
  });

  it('FORCE_COLOR=0 turns colour off even on a TTY; FORCE_COLOR=1 on a pipe turns it on', async () => {
    const { main } = await import('../../src/cli/main.js');
    const run = async (env: Record<string, string>, tty: boolean) => {
      let out = '';
      await main(['compare', CHAT, '--accelerators', 'b200'], {
        stdout: (s) => {
          out += s;
        },
        stderr: () => {},
        env,
        stdoutIsTty: tty,
        stderrIsTty: tty,
        readStdin: () => '',
        today: '2026-11-23',
      });
      return out;
    };
    expect(await run({ FORCE_COLOR: '0' }, true)).not.toContain('\u001b[');
    expect(await run({}, true)).toContain('\u001b[');
    expect(await run({ FORCE_COLOR: '1' }, false)).toContain('\u001b[');
  });

  it("commander's errors carry the same infercost: prefix", async () => {
    const r = await runCli(['compare', CHAT, '--nope']);
    expect(r.code).toBe(2);
    expect(r.stderr.startsWith("infercost: unknown option '--nope'")).toBe(true);
  });

  it('pricing.provider that no profile quotes is exit 2 naming the field; a provider some lack leaves them unpriced', async () => {
    const typo = await runCli(['compare', '-'], {
      stdin: `${readFileSync(CHAT, 'utf8').replace('pricing: { plan: on_demand }', 'pricing: { plan: on_demand, provider: Lamda }')}`,
    });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(
      /^infercost: <stdin>:\d+:\d+ pricing\.provider: no profile has a quote from "Lamda"; did you mean "Lambda"\?/,
    );
    const lambda = await runCli(['compare', '-', '--format', 'json'], {
      stdin: `${readFileSync(CHAT, 'utf8').replace('pricing: { plan: on_demand }', 'pricing: { plan: on_demand, basis: neocloud, provider: Lambda }')}`,
    });
    const rows = JSON.parse(lambda.stdout).results[0].accelerators as {
      id: string;
      status: string;
      price: { provider: string } | null;
      warnings: { code: string; message: string }[];
    }[];
    for (const a of rows) {
      if (a.price) expect([a.id, a.price.provider]).toEqual([a.id, 'Lambda']);
      // A chip that cannot run the workload has no cost to leave empty (Inferentia2 misses chat's
      // TPOT since the twenty-first session's refit); every chip that runs it says why it is unpriced.
      else if (a.status === 'ok')
        expect(a.warnings.map((w) => w.message)).toContain(
          'no neocloud on_demand price from Lambda in the profile: cost columns left empty',
        );
    }
  });
});

describe('serving stacks and price bases', () => {
  it("--stack picks each chip's factors for that stack; an unknown stack is exit 2", async () => {
    const r = await runCli([
      'compare',
      CHAT,
      '--stack',
      'vllm',
      '--format',
      'json',
      '--accelerators',
      'h100-sxm,mi300x',
    ]);
    const stacks = Object.fromEntries(
      JSON.parse(r.stdout).results[0].accelerators.map(
        (a: { id: string; stack: { name: string; level: string } }) => [
          a.id,
          `${a.stack.name}/${a.stack.level}`,
        ],
      ),
    );
    // H100 was never measured on vLLM here: the stack's factors from other chips; MI300X was.
    expect(stacks).toEqual({ 'h100-sxm': 'vllm/stack', mi300x: 'vllm/pair' });
    const bad = await runCli(['compare', CHAT, '--stack', 'vlm']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^infercost: --stack vlm: unknown serving stack "vlm"; did you mean "vllm"\?/);
  });

  it('--basis neocloud prices every chip on neocloud quotes or not at all', async () => {
    const r = await runCli(['compare', CHAT, '--basis', 'neocloud', '--format', 'json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.results[0].workload.price_basis).toBe('neocloud');
    for (const a of doc.results[0].accelerators as { price: { basis: string } | null }[])
      if (a.price) expect(a.price.basis).toBe('neocloud');
    const bad = await runCli(['compare', CHAT, '--basis', 'cheap']);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'infercost: --basis cheap: expected one of hyperscaler, neocloud, marketplace\n',
    ]);
  });
});

describe('a bundled workload named by its name is an input too', () => {
  it('compare chat -o profiles/workloads/chat.yaml and claim ... chat -o the same are refused, the file kept', () => {
    const path = 'profiles/workloads/chat.yaml';
    const before = readFileSync(path, 'utf8');
    for (const args of [
      ['compare', 'chat', '-o', path],
      ['claim', 'maia-200/gb200 tokens_per_dollar >= 1.3', 'chat', '--plan', 'tco', '-o', path],
    ]) {
      const r = spawnCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^infercost: --output profiles\/workloads\/chat\.yaml: is also an input \(.*chat\.yaml\); refusing to overwrite it\n$/,
      );
    }
    expect(readFileSync(path, 'utf8')).toBe(before);
  });
});

// A review of the CLI by hand (thirty-eighth session): each case passed bad input or misled before.
describe('inputs a review found passed or misnamed', () => {
  it('two workloads under one name are refused at the second (a result pairs workloads by name)', async () => {
    const same = await runCli(['compare', CHAT, CHAT, '--format', 'csv']);
    expect([same.code, same.stdout, same.stderr]).toEqual([
      2,
      '',
      'infercost: profiles/workloads/chat.yaml:4:7 name: workload "chat" has the name of the same file given before; a result pairs workloads by name, so give each its own\n',
    ]);
    const dir = tempDir();
    const other = join(dir, 'chat4k.yaml');
    writeFileSync(other, readFileSync(CHAT, 'utf8').replace(/^input_tokens: .*$/m, 'input_tokens: 4000'));
    const twin = await runCli(['compare', CHAT, other, '--format', 'csv']);
    expect([twin.code, twin.stderr]).toEqual([
      2,
      `infercost: ${other}:4:7 name: workload "chat" has the name of profiles/workloads/chat.yaml's workload; a result pairs workloads by name, so give each its own\n`,
    ]);
  });

  it("a mix's class under a name already in the result is refused at compare: diff could not read the result", () => {
    const dir = tempDir();
    const out = join(dir, 'cm.json');
    writeFileSync(out, 'kept\n');
    const both = spawnCli([
      'compare',
      'profiles/workloads/chat.yaml',
      'profiles/workloads/production-mix.yaml',
      '--accelerators',
      'h100-sxm',
      '--format',
      'json',
      '-o',
      out,
    ]);
    expect([both.code, both.stdout, both.stderr]).toEqual([
      2,
      '',
      `infercost: profiles/workloads/production-mix.yaml:6:17 mix[0].workload: class "chat" has the name of profiles/workloads/chat.yaml's workload; a result pairs workloads by name, so compare them in separate runs\n`,
    ]);
    expect(readFileSync(out, 'utf8')).toBe('kept\n');
    // The other order is refused at the workload, naming the class it repeats.
    const after = spawnCli(['compare', 'production-mix', 'chat', '--accelerators', 'h100-sxm']);
    expect([after.code, after.stdout, after.stderr]).toEqual([
      2,
      '',
      'infercost: profiles/workloads/chat.yaml:4:7 name: workload "chat" has the name of class mix[0] of profiles/workloads/production-mix.yaml; a result pairs workloads by name, so compare them in separate runs\n',
    ]);
    // A mix listing one class twice.
    const twice = join(dir, 'twice.yaml');
    writeFileSync(
      twice,
      'name: twice\nmix:\n  - { workload: chat, share: 0.5 }\n  - { workload: rag, share: 0.3 }\n  - { workload: chat, share: 0.2 }\n',
    );
    const listed = spawnCli(['compare', twice, '--accelerators', 'h100-sxm', '--format', 'json', '-o', out]);
    expect([listed.code, listed.stdout, listed.stderr]).toEqual([
      2,
      '',
      `infercost: ${twice}:5:17 mix[2].workload: class "chat" is listed twice (mix[0] too); a result pairs workloads by name, so list each class once, with its shares added\n`,
    ]);
    expect(readFileSync(out, 'utf8')).toBe('kept\n');
    // The mix alone is still compared, and diff reads what compare writes.
    const alone = spawnCli([
      'compare',
      'production-mix',
      '--accelerators',
      'h100-sxm',
      '--format',
      'json',
      '-o',
      out,
    ]);
    expect([alone.code, alone.stderr]).toEqual([0, '']);
    const diff = spawnCli(['diff', out, out]);
    expect([diff.code, diff.stdout, diff.stderr]).toEqual([0, 'no changes\n', '']);
  });

  it('two mixes under one name are refused at compare: diff pairs mixes by name', () => {
    const dir = tempDir();
    const other = join(dir, 'pm.yaml');
    writeFileSync(other, 'name: production-mix\nmix:\n  - { workload: summarization, share: 1 }\n');
    const r = spawnCli(['compare', 'production-mix', other, '--accelerators', 'h100-sxm']);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      `infercost: ${other}:1:7 name: mix "production-mix" has the name of profiles/workloads/production-mix.yaml's mix; a result pairs mixes by name, so give each its own\n`,
    ]);
  });

  it('--set memory.capacity_gb on a profile that states GiB replaces it: 80 GiB = 85.899345920 GB runs the same', async () => {
    const json = async (set: string[]) => {
      const r = await runCli(['compare', CHAT, '--accelerators', 'h100-sxm', '--format', 'json', ...set]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout).results[0].accelerators[0];
    };
    const gib = await json([]);
    const gb = await json(['--set', 'h100-sxm.memory.capacity_gb=85.89934592']); // 80 * 2^30 / 1e9
    expect(gb.output_tokens_per_s_per_chip).toBe(gib.output_tokens_per_s_per_chip);
    expect(gb.batch).toBe(gib.batch);
    // Before: "give capacity_gib or capacity_gb, not both", though the user gave one.
    const tiny = await runCli([
      'compare',
      CHAT,
      '--accelerators',
      'h100-sxm',
      '--set',
      'h100-sxm.memory.capacity_gb=1e-9',
    ]);
    expect(tiny.stderr).toContain('h100-sxm does not fit');
    expect(tiny.code).toBe(1);
  });

  it('a utilization below 1% is exit 2 (1e-300 printed costs 300 digits long)', async () => {
    const r = await runCli(['compare', CHAT, '--set', 'utilization=1e-300']);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      'infercost: --set utilization=1e-300 utilization: expected a number >= 0.01, got 1e-300\n',
    ]);
  });

  it('a range without a step is named as one, not "expected a number"', async () => {
    const r = await runCli(['sweep', CHAT, '--vary', 'input_tokens=100..10']);
    expect([r.code, r.stderr]).toEqual([
      2,
      'infercost: --vary input_tokens=100..10: "100..10": a range needs a step, a..b:step (arithmetic) or a..b*x (geometric)\n',
    ]);
  });

  it('a field both --set and --vary is exit 2 (the swept values won without a word)', async () => {
    const r = await runCli(['sweep', CHAT, '--set', 'input_tokens=500', '--vary', 'input_tokens=100,200']);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      'infercost: --set input_tokens=500 and --vary input_tokens: input_tokens is either fixed or swept, not both\n',
    ]);
    const other = await runCli([
      'sweep',
      CHAT,
      '--set',
      'output_tokens=500',
      '--vary',
      'input_tokens=100,200',
      '--format',
      'csv',
    ]);
    expect(other.code, other.stderr).toBe(0);
  });

  it('help of a command that does not exist names it: exit 2', async () => {
    const r = await runCli(['help', 'nope']);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      "infercost: unknown command 'nope' (infercost --help lists them)\n",
    ]);
  });

  it('a fleet with no plan says why on stderr in CSV and JSON too (before: a bare header, exit 1)', async () => {
    const dir = tempDir();
    const fleet = join(dir, 'tight.yaml');
    writeFileSync(
      fleet,
      'objective: min_cost\nplan: tco\npower_budget: 1MW\nworkloads:\n  - workload: chat\n    demand: { output_tokens_per_day: 5.0e12 }\nchips:\n  - id: b200\n',
    );
    for (const format of ['csv', 'json']) {
      const r = await runCli(['fleet', fleet, '--format', format]);
      expect([r.code, r.stderr]).toEqual([
        1,
        `infercost: ${fleet}: infeasible: no plan meets every demand within the caps and budgets\n`,
      ]);
    }
    const table = await runCli(['fleet', fleet]);
    expect([table.code, table.stderr]).toEqual([1, '']);
    expect(table.stdout).toContain(
      'status: infeasible: no plan meets every demand within the caps and budgets',
    );
  });

  it('-o picks the format by the file name where --format is not given (before: a box table in out.json)', async () => {
    const dir = tempDir();
    const first = async (args: string[], file: string) => {
      const path = join(dir, file);
      const r = await runCli([...args, '-o', path]);
      expect(r.code, r.stderr).toBe(0);
      return readFileSync(path, 'utf8').split('\n')[0];
    };
    expect(await first(['compare', CHAT], 'r.json')).toBe('{');
    expect(await first(['compare', CHAT], 'r.CSV')).toMatch(/^workload,accelerator,/);
    expect(await first(['compare', CHAT], 'r.md')).toMatch(/^#+ chat/);
    expect(await first(['compare', CHAT], 'r.txt')).toMatch(/^chat: Llama 3\.3 70B/);
    expect(await first(['compare', CHAT, '--format', 'table'], 'table.json')).toMatch(
      /^chat: Llama 3\.3 70B/,
    );
    // A name the command has no such format for keeps its default: claim writes no CSV.
    expect(await first(['claim', 'b200/h100-sxm tokens_per_dollar >= 1', CHAT], 'c.csv')).toMatch(/^claim: /);
    expect(await first(['claim', 'b200/h100-sxm tokens_per_dollar >= 1', CHAT], 'c.json')).toBe('{');
  });

  it("claim's --plan tco hint is for a chip without rent, not one that cannot meet the SLO", async () => {
    const slo = await runCli([
      'claim',
      'inferentia2/h100-sxm tokens_per_dollar >= 1.1',
      CHAT,
      '--set',
      'slo.tpot_ms=30',
    ]);
    expect(slo.stdout).toContain(
      'chat: not measurable: inferentia2 has no output_tokens_per_usd (cannot meet SLO:',
    );
    expect(slo.stdout).not.toContain('--plan tco');
    const rentless = await runCli(['claim', 'gb200/h100-sxm tokens_per_dollar >= 1.1', CHAT]);
    expect(rentless.stdout).toContain(
      "chat: not measurable: gb200 has no output_tokens_per_usd (a chip not rented by the hour has a cost under --plan tco, the owner's)",
    );
  });
});

describe('numbers at the edges of a double (fifth QA round, forty-first session)', () => {
  const saved = async (value: number): Promise<string> => {
    const dir = tempDir();
    const base = join(dir, 'a.json');
    const r = await runCli(['compare', CHAT, '--accelerators', 'h200-sxm', '--format', 'json', '-o', base]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(base, 'utf8'));
    for (const a of doc.results[0].accelerators)
      for (const k of Object.keys(a.metrics)) if (a.metrics[k] !== null) a.metrics[k] = value;
    const out = join(dir, `${value}.json`);
    writeFileSync(out, JSON.stringify(doc));
    return out;
  };

  it('a threshold of 1e-309 states no multiple (the quotient overflows) instead of "Infinityx"', async () => {
    const r = await runCli([
      'check',
      CHAT,
      '--expect',
      'b200/h100-sxm tokens_per_dollar >= 1e-309',
      '--accelerators',
      'b200,h100-sxm',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^PASS chat: b200\/h100-sxm tokens_per_dollar >= 1e-309: output_tokens_per_usd ratio \d\.\d+ >= 1e-309\n1 passed, 0 failed\n$/,
    );
  });

  it('claim at a threshold of 1e-320 has no break-even capex rather than $Infinity', async () => {
    const r = await runCli(['claim', 'maia-200/gb200 tokens_per_dollar >= 1e-320', CHAT, '--plan', 'tco']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/Infinity|NaN/);
    // The summary's break-even column says "-": no capex makes the ratio 1e-320.
    expect(r.stdout).toMatch(/^chat +[\d.]+ +[\d.]+\.\.[\d.]+ +PASS +- +none$/m);
    // The tornado's caption states the threshold as given, not rounded to 3 decimals ("0").
    expect(r.stdout).toMatch(/^chat: ratio [\d.]+ against >= 1e-320; scale 1e-320\.\.[\d.]+,/m);
  });

  it('diff of values near 1e308: an overflowing percent is "-", a huge one in exponent form', async () => {
    const huge = await saved(1e308);
    const dir = tempDir();
    const base = join(dir, 'a.json');
    await runCli(['compare', CHAT, '--accelerators', 'h200-sxm', '--format', 'json', '-o', base]);
    const r = await runCli(['diff', base, huge]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/Infinity|NaN/);
    // ttft_s 0.0x s -> 1e308: (1e308 / 0.0x - 1) * 100 > 1.8e308 overflows: no percent, "-".
    // A throughput of a few thousand tok/s -> 1e308: 1e308 / 4,000 * 100 = 2.5e306%: "+2.50e+306%".
    expect(r.stdout).toMatch(/│ ttft_s +│ +[\d.]+ │ 1\.00e\+308 │ \+1\.00e\+308 │ +- │/);
    expect(r.stdout).toMatch(
      /│ output_tokens_per_s_per_chip +│ +[\d,]+ │ 1\.00e\+308 │ \+1\.00e\+308 │ +\+\d\.\d\de\+30\d% │/,
    );
  });

  it('a saved result with a negative metric is refused (exit 2), one near 0 is not measurable', async () => {
    const neg = await saved(-1e308);
    const r = await runCli(['diff', neg, neg]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      `infercost: ${neg} results[0].accelerators[0].metrics.ttft_s: expected a number >= 0, got -1e+308\n`,
    );
    const tiny = await saved(5e-324);
    const c = await runCli([
      'check',
      CHAT,
      '--against',
      tiny,
      '--expect',
      'h200-sxm usd_per_mtok_output <= +5%',
      '--accelerators',
      'h200-sxm',
    ]);
    expect([c.code, c.stdout]).toEqual([
      2,
      'ERROR chat: h200-sxm usd_per_mtok_output <= +5%: not measurable: saved value is too near 0\n0 passed, 0 failed, 1 not measurable\n',
    ]);
  });
});

describe('a flag given twice (fifth QA round)', () => {
  it('a value flag twice is exit 2 rather than the last one silently', async () => {
    const r = await runCli(['compare', CHAT, '--accelerators', 'b200', '--accelerators', 'h100-sxm']);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      "infercost: option '--accelerators <ids>' argument 'h100-sxm' is invalid. given twice: give --accelerators once\n",
    ]);
  });

  it('--set twice for one field is exit 2; for two fields, and repeatable flags, as before', async () => {
    const twice = await runCli(['compare', CHAT, '--set', 'input_tokens=500', '--set', 'input_tokens=6000']);
    expect([twice.code, twice.stdout, twice.stderr]).toEqual([
      2,
      '',
      'infercost: --set input_tokens=6000: the field is already set (input_tokens=500); give one value per field\n',
    ]);
    const two = await runCli([
      'compare',
      CHAT,
      '--set',
      'input_tokens=500',
      '--set',
      'output_tokens=600',
      '--accelerators',
      'b200',
      '--format',
      'json',
    ]);
    expect(two.code).toBe(0);
    expect(JSON.parse(two.stdout).results[0].workload).toMatchObject({
      input_tokens: 500,
      output_tokens: 600,
    });
    const expects = await runCli([
      'check',
      CHAT,
      '--accelerators',
      'b200',
      '--expect',
      'b200 ttft_s <= 100',
      '--expect',
      'b200 tpot_s <= 100',
    ]);
    expect([expects.code, expects.stdout.trim().split('\n').pop()]).toEqual([0, '2 passed, 0 failed']);
  });
});

describe("the build's snapshot of the bundled profiles is an input too (fifth QA round)", () => {
  it('-o dist/bundled.json is refused and the snapshot kept', () => {
    const snapshot = join(REPO, 'dist/bundled.json');
    const before = readFileSync(snapshot);
    const r = spawnCli(['compare', CHAT, '--accelerators', 'b200', '-o', snapshot]);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      `infercost: --output ${snapshot}: is also an input (${snapshot}); refusing to overwrite it\n`,
    ]);
    expect(readFileSync(snapshot).equals(before)).toBe(true);
  });
});

describe('inputs that never end (sixth QA round)', () => {
  // Memory is capped at 3 GB so that a reader that reads to the end dies at once (exit 134, as
  // it did at 16 GB) rather than taking the machine's memory; the fixed reader stops past 1 MB.
  const capped = (line: string) => sh(`ulimit -v 3000000; ${line}`);

  it('compare /dev/zero is refused once 1 MB has been read: one line, exit 2', () => {
    for (const device of ['/dev/zero', '/dev/urandom']) {
      const r = capped(`node ${BIN} compare ${device}`);
      expect([r.code, r.stdout, r.stderr]).toEqual([
        2,
        '',
        `infercost: ${device}:1:1 input is over 1 MB; input files are limited to 1 MB\n`,
      ]);
    }
  });

  it('compare - with /dev/zero or an endless pipe on stdin is refused the same way', () => {
    for (const line of [`node ${BIN} compare - < /dev/zero`, `yes | node ${BIN} compare -`]) {
      const r = capped(line);
      expect([r.code, r.stdout, r.stderr]).toEqual([
        2,
        '',
        'infercost: <stdin>:1:1 input is over 1 MB; input files are limited to 1 MB\n',
      ]);
    }
  });
});

describe("a profile's identity is not a parameter (sixth QA round)", () => {
  const refused = (flag: string, text: string, field: string) =>
    `infercost: ${flag} ${text}: the profile's ${field} is its identity, not a parameter, and cannot be set (to model another chip, copy its profile into a --profiles folder under a new id)\n`;

  it('--set <chip>.id is refused: it dropped the baseline or made two chips one', () => {
    const base = ['compare', CHAT, '--accelerators', 'h100-sxm,b200'];
    for (const set of ['h100-sxm.id=zzz', 'h100-sxm.id=b200']) {
      const r = spawnCli([...base, '--set', set, '--format', 'json']);
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', refused('--set', set, 'id')]);
    }
    const vendor = spawnCli([...base, '--set', 'b200.vendor=AMD']);
    expect([vendor.code, vendor.stdout, vendor.stderr]).toEqual([
      2,
      '',
      refused('--set', 'b200.vendor=AMD', 'vendor'),
    ]);
    // The name is only the label beside the id: it may still be set.
    const named = spawnCli([...base, '--set', 'h100-sxm.name=My H100', '--format', 'json']);
    expect(named.code, named.stderr).toBe(0);
    const chips = JSON.parse(named.stdout).results[0].accelerators;
    expect(chips.map((a: { id: string; name: string }) => [a.id, a.name]).sort()).toEqual([
      ['b200', 'NVIDIA B200 (HGX)'],
      ['h100-sxm', 'My H100'],
    ]);
  });

  it('--vary <chip>.id is refused: the sweep printed nothing and exited 0', () => {
    const r = spawnCli(['sweep', CHAT, '--vary', 'h100-sxm.id=a,b', '--accelerators', 'h100-sxm']);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', refused('--vary', 'h100-sxm.id=a', 'id')]);
  });
});

describe('diff checks the global options as every command does (sixth QA round)', () => {
  it('diff with a missing --config or --profiles is exit 2 with one line, not a diff and exit 0', () => {
    const saved = join(tempDir(), 'a.json');
    const compare = spawnCli(['compare', CHAT, '--accelerators', 'h100-sxm', '-o', saved]);
    expect(compare.code, compare.stderr).toBe(0);
    const missing = join(tempDir(), 'nonexistent');
    const config = spawnCli(['--config', missing, 'diff', saved, saved]);
    expect([config.code, config.stdout, config.stderr]).toEqual([
      2,
      '',
      `infercost: ${missing} cannot read file: no such file or directory\n`,
    ]);
    const profiles = spawnCli(['--profiles', missing, 'diff', saved, saved]);
    expect([profiles.code, profiles.stdout, profiles.stderr]).toEqual([
      2,
      '',
      `infercost: ${missing} cannot read the profile directory: no such file or directory\n`,
    ]);
    // The same as compare's, which always checked them.
    expect(spawnCli(['--config', missing, 'compare', CHAT]).stderr).toBe(config.stderr);
    const plain = spawnCli(['diff', saved, saved]);
    expect([plain.code, plain.stdout, plain.stderr]).toEqual([0, 'no changes\n', '']);
  });

  it('init, schema and validate refuse a missing --profiles folder too: init wrote its file and schema printed, exit 0', () => {
    const dir = tempDir();
    const missing = join(dir, 'nonexistent');
    const line = `infercost: ${missing} cannot read the profile directory: no such file or directory\n`;
    const init = spawnCli(['--profiles', missing, 'init', join(dir, 'w.yaml')]);
    expect([init.code, init.stdout, init.stderr]).toEqual([2, '', line]);
    expect(existsSync(join(dir, 'w.yaml'))).toBe(false);
    const schema = spawnCli(['--profiles', missing, 'schema', 'workload']);
    expect([schema.code, schema.stdout, schema.stderr]).toEqual([2, '', line]);
    // validate printed the folder's error as a line of its first file, without the prefix
    const validate = spawnCli(['--profiles', missing, 'validate', CHAT]);
    expect([validate.code, validate.stdout, validate.stderr]).toEqual([2, '', line]);
    // a single profile file is a --profiles entry too, and passes
    const file = spawnCli(['--profiles', 'profiles/accelerators/h100-sxm.yaml', 'schema', 'workload']);
    expect(file.code).toBe(0);
  });
});
