// Sweeps, CI gates and diffs: the non-interactive uses (issue 5).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffResults } from '../../src/api/diff.js';
import { axisValues, parseAxisValues, shardRange } from '../../src/schema/sweep.js';
import { BIN, REPO, runCli, spawnCli } from '../helpers/cli.js';

const CHAT = 'profiles/workloads/chat.yaml';
const GRID = [
  'sweep',
  CHAT,
  '--vary',
  'input_tokens=1000,4000,16000',
  '--vary',
  'model=llama-3.3-70b,deepseek-v3',
  '--vary',
  'maia-200.price.on_demand=6..14:4',
  '--accelerators',
  'maia-200,h200-sxm,tpu-v7-ironwood',
];

describe('axis values', () => {
  it('lists, arithmetic and geometric ranges', () => {
    const scalar = (s: string) => (Number.isNaN(Number(s)) ? s : Number(s));
    const values = (text: string) => {
      const a = parseAxisValues(text, scalar);
      return a.ok ? axisValues(a) : a.message;
    };
    expect(values('1000,4000,16000')).toEqual([1000, 4000, 16000]);
    expect(values('6..14:1')).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(values('0.1..0.5:0.1')).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(values('1000..16000*2')).toEqual([1000, 2000, 4000, 8000, 16000]);
    // 1.5^k from 1: 1, 1.5, 2.25, 3.375, 5.0625; 7.59375 is past 6.
    expect(values('1..6*1.5')).toEqual([1, 1.5, 2.25, 3.375, 5.0625]);
    expect(values('10..1:1')).toBe('"10..1:1": a..b:step needs a <= b and step > 0');
  });

  it('a 10-million-value range is counted, not expanded: its last value is computed directly', () => {
    const a = parseAxisValues('1..10000000:1', Number);
    expect(a.ok && a.count).toBe(10_000_000);
    expect(a.ok && a.valueAt(9_999_999)).toBe(10_000_000);
    expect(parseAxisValues('1..10000001:1', Number)).toEqual({
      ok: false,
      message: '"1..10000001:1" has 10000001 values; at most 10000000',
    });
  });

  it('shards are contiguous and cover the grid exactly once', () => {
    for (const [total, n] of [
      [10, 3],
      [7, 7],
      [5, 8],
      [1_000_003, 16],
    ] as const) {
      let next = 0;
      for (let k = 1; k <= n; k++) {
        const [a, b] = shardRange(total, k, n);
        expect(a).toBe(next);
        next = b;
      }
      expect(next).toBe(total);
    }
  });

  it('a shard of a grid near 2^53 points is the exact k/n split, not a rounded one', () => {
    const total = Number.MAX_SAFE_INTEGER;
    // floor(2 * (2^53 - 1) / 3) = 6004799503160660; in doubles the product rounded up a point.
    expect(shardRange(total, 2, 3)).toEqual([3002399751580330, 6004799503160660]);
    expect(shardRange(total, 3, 7)).toEqual([2573485501354568, 3860228252031853]);
  });
});

describe('infercost sweep', () => {
  it('a 3-axis sweep streams CSV with one header row and numbers as numbers', () => {
    const r = spawnCli([...GRID, '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\r\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1 + 3 * 2 * 3 * 3); // header + points x accelerators
    expect(
      lines[0]?.startsWith('input_tokens,model,maia-200.price.on_demand,workload,accelerator,name,status,'),
    ).toBe(true);
    expect(lines.filter((l) => l.startsWith('input_tokens,'))).toHaveLength(1);
    expect(lines[1]).toMatch(
      /^1000,llama-3.3-70b,6,chat,maia-200,Microsoft Maia 200,ok,\d+,\d+,fp8,fp8,[0-9.e-]+,/,
    );
    // the swept price reaches the row: usd_per_chip_hour column
    const header = (lines[0] as string).split(',');
    const priceCol = header.indexOf('usd_per_chip_hour');
    const maiaRows = lines.slice(1).filter((l) => l.includes(',maia-200,'));
    expect(maiaRows.map((l) => l.split(',')[priceCol])).toEqual(Array(6).fill(['6', '10', '14']).flat());
  });

  it('shards 1/3, 2/3 and 3/3 concatenated equal the unsharded output byte for byte', () => {
    for (const format of ['csv', 'ndjson']) {
      const whole = spawnCli([...GRID, '--format', format]).stdout;
      const parts = [1, 2, 3].map((k) => spawnCli([...GRID, '--format', format, '--shard', `${k}/3`]).stdout);
      expect(parts.every((p) => p.length > 0)).toBe(true);
      expect(parts.join('')).toBe(whole);
    }
  });

  it('NDJSON by default when stdout is not a TTY, one object per (point, accelerator)', () => {
    const r = spawnCli(GRID);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(54);
    expect(rows[0]).toMatchObject({
      input_tokens: 1000,
      model: 'llama-3.3-70b',
      'maia-200.price.on_demand': 6,
      accelerator: 'maia-200',
    });
  });

  it('piped into head, prints three lines and exits 0 with nothing on stderr', () => {
    const r = spawnSync(
      'sh',
      [
        '-c',
        `{ node ${BIN} sweep ${CHAT} --vary input_tokens=100..130000:1; echo "exit $?" >&2; } | head -3`,
      ],
      {
        cwd: REPO,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
      },
    );
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
    expect(r.stderr).toBe('exit 0\n');
  });

  it('--limit caps the grid; over 10 million points needs --yes and says how many', async () => {
    const limited = spawnCli([...GRID, '--limit', '2', '--format', 'csv']);
    expect(limited.stdout.split('\r\n').filter((l) => l !== '')).toHaveLength(1 + 2 * 3);
    const big = await runCli([
      'sweep',
      CHAT,
      '--vary',
      'input_tokens=1..5000:1',
      '--vary',
      'output_tokens=1..2001:1',
    ]);
    expect(big.code).toBe(2);
    expect(big.stderr).toBe(
      'infercost: the grid has 10,005,000 points (140,070,000 rows); pass --yes to run more than 10,000,000\n',
    );
  });

  it('a grid of more rows than doubles number exactly is refused with its exact size; --limit runs its first points', async () => {
    const axes = [
      '--vary',
      'input_tokens=1..1000:1',
      '--vary',
      'utilization=0.01..1:0.000001',
      '--vary',
      'cached_input_fraction=0..0.9:0.0000001',
    ];
    // 1000 x 990,001 x 9,000,001 points, each a row for 14 chips: past 2^53 - 1, where the
    // numbering of points stops being exact (a shard of such a grid repeated one point).
    const big = await runCli(['sweep', CHAT, ...axes, '--format', 'csv']);
    expect([big.code, big.stdout, big.stderr]).toEqual([
      2,
      '',
      'infercost: the grid has 8,910,009,990,001,000 points (124,740,139,860,014,000 rows); a sweep runs at most 9,007,199,254,740,991 rows: use fewer values or --limit\n',
    ]);
    const limited = await runCli(['sweep', CHAT, ...axes, '--limit', '2', '--format', 'csv']);
    expect(limited.code).toBe(0);
    expect(limited.stdout.split('\r\n').filter((l) => l !== '')).toHaveLength(1 + 2 * 14);
    // A shard count past 2^53 reads as another number: 2^53 + 1 is 2^53 as a double.
    const shard = await runCli([...GRID, '--shard', '9007199254740993/9007199254740993']);
    expect([shard.code, shard.stdout, shard.stderr]).toEqual([
      2,
      '',
      'infercost: --shard 9007199254740993/9007199254740993: expected k/n with 1 <= k <= n, e.g. 2/8\n',
    ]);
  });

  it('a sweep file gives the base workload and the axes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const file = join(dir, 'sweep.yaml');
    writeFileSync(
      file,
      `workload: ${join(REPO, CHAT)}\naxes:\n  tpot_ms: [20, 50]\n  input_tokens: 1000..3000:1000\naccelerators: [h100-sxm]\n`,
    );
    const r = await runCli(['sweep', '--file', file, '--format', 'csv']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\r\n').filter((l) => l !== '');
    expect(lines.map((l) => l.split(',').slice(0, 4).join(','))).toEqual([
      'tpot_ms,input_tokens,workload,accelerator',
      '20,1000,chat,h100-sxm',
      '20,2000,chat,h100-sxm',
      '20,3000,chat,h100-sxm',
      '50,1000,chat,h100-sxm',
      '50,2000,chat,h100-sxm',
      '50,3000,chat,h100-sxm',
    ]);
  });

  it('multi-byte text survives the chunked encoding: stdout, --output and in-process agree', async () => {
    // 60 points x 14 accelerators = 840 rows of ~600 bytes: about 8 chunks of 64 KiB, so lines
    // are encoded across several chunk boundaries. "Café ☕" is 6 UTF-16 units and 9 bytes.
    const args = [
      'sweep',
      CHAT,
      '--set',
      'name=Café ☕',
      '--vary',
      'input_tokens=100..159:1',
      '--format',
      'csv',
    ];
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const out = join(dir, 'sweep.csv');
    const piped = spawnCli(args);
    const filed = spawnCli([...args, '--output', out]);
    const inProcess = await runCli(args);
    expect([piped.code, filed.code, inProcess.code]).toEqual([0, 0, 0]);
    const lines = piped.stdout.split('\r\n');
    expect(lines).toHaveLength(2 + 60 * 14); // header, rows, and the empty string after the last CRLF
    expect(lines.slice(1, -1).every((l) => l.split(',')[1] === 'Café ☕')).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe(piped.stdout);
    const inProcessLines = inProcess.stdout.split('\r\n');
    expect(inProcessLines).toHaveLength(lines.length);
    expect(inProcessLines.slice(1, -1).every((l) => l.split(',')[1] === 'Café ☕')).toBe(true);
  });

  // A hang-up (a closed terminal, a dropped SSH session) as much as Ctrl-C or a kill.
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s leaves no partial --output file (exit %d)', async (signal, exitCode) => {
    const { spawn } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const out = join(dir, 'sweep.ndjson');
    const child = spawn(
      process.execPath,
      [BIN, 'sweep', CHAT, '--vary', 'input_tokens=100..130000:1', '--output', out],
      {
        cwd: REPO,
        stdio: 'ignore',
      },
    );
    // wait until the temp file exists, then interrupt
    for (let i = 0; i < 200 && readdirSync(dir).length === 0; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(readdirSync(dir)).toHaveLength(1);
    child.kill(signal);
    const code = await new Promise((r) => child.on('exit', (c, signal) => r(c ?? signal)));
    expect(code).toBe(exitCode);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('interrupted during a long synchronous run, the old --output file stays as it was', async () => {
    // The signal is only delivered when the event loop runs again, after the report is made: the
    // rename waits a turn for it (src/io/atomic.ts, holdCommits).
    const { spawn } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const out = join(dir, 'r.html');
    writeFileSync(out, 'original\n');
    const child = spawn(process.execPath, [BIN, 'report', 'chat', 'rag', 'summarization', '-o', out], {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    await new Promise((r) => setTimeout(r, 400));
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.on('exit', (c, signal) => r(c ?? signal)));
    expect(code).toBe(143);
    expect(readFileSync(out, 'utf8')).toBe('original\n');
    // "wrote r.html" is said once the file is in place, so not here.
    expect(stderr).toBe('');
    expect(readdirSync(dir)).toEqual(['r.html']);
  });

  it('Ctrl-C during a cross-validation ends it at once, by the signal, and the old --output stays', async () => {
    // A handler would wait for the event loop, minutes away at the end of the folds; during the
    // computation the signal keeps its default action (src/cli/main.ts, killable), so the process
    // dies of SIGINT itself, not by the handler's exit(130) after the run. The data load before
    // it takes about 0.6 s; the signal is sent well after.
    const { spawn } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const out = join(dir, 'cv.json');
    writeFileSync(out, 'original\n');
    const child = spawn(process.execPath, [BIN, 'backtest', '--cv', '--format', 'json', '-o', out], {
      cwd: REPO,
      stdio: 'ignore',
    });
    await new Promise((r) => setTimeout(r, 4000));
    child.kill('SIGINT');
    const ended = await new Promise((r) => child.on('exit', (c, signal) => r({ c, signal })));
    expect(ended).toEqual({ c: null, signal: 'SIGINT' });
    expect(readFileSync(out, 'utf8')).toBe('original\n');
    expect(readdirSync(dir)).toEqual(['cv.json']);
  });

  it("a swept value never shares a result column's name: a reader would keep one of the two", async () => {
    const batch = await runCli(['sweep', CHAT, '--vary', 'batch=8,16', '--accelerators', 'h100-sxm']);
    expect(batch).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'infercost: --vary batch: the rows have a batch column of their own; name the field by its path (deployment.batch)\n',
    });
    const byPath = await runCli([
      'sweep',
      CHAT,
      '--vary',
      'deployment.batch=8,16',
      '--accelerators',
      'h100-sxm',
      '--format',
      'csv',
    ]);
    expect(byPath.code).toBe(0);
    expect(byPath.stdout.split('\n').map((l) => l.split(',').slice(0, 1)[0])).toEqual([
      'deployment.batch',
      '8',
      '16',
      '',
    ]);
    const name = await runCli(['sweep', CHAT, '--vary', 'name=a,b']);
    expect(name.stderr).toBe(
      'infercost: --vary name: the rows have a name column of their own; sweep another field\n',
    );
  });

  it('a range whose values stop being whole is refused before any row, not at the first such value', async () => {
    // 100..1000:0.5 checked at its ends and middle only (100, 1000, 550) passed, and the run
    // then failed at 100.5 after the header.
    const r = await runCli(['sweep', CHAT, '--vary', 'input_tokens=100..1000:0.5', '--format', 'csv']);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: 'infercost: --vary input_tokens=100.5 input_tokens: expected a whole number, got 100.5\n',
    });
  });

  it('an axis on a chip the sweep does not run is refused: its rows would be labelled with values never used', async () => {
    const r = await runCli([
      'sweep',
      CHAT,
      '--vary',
      'maia-200.price.on_demand=6,7',
      '--accelerators',
      'h100-sxm',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'infercost: --vary maia-200.price.on_demand: maia-200 is not among the accelerators of this sweep (h100-sxm); add it or drop the axis\n',
    );
  });

  it('-o FILE without --format: CSV for a .csv name, NDJSON otherwise, on a terminal or not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const args = (o: string) => [
      'sweep',
      CHAT,
      '--vary',
      'input_tokens=100',
      '--accelerators',
      'h100-sxm',
      '-o',
      join(dir, o),
    ];
    expect((await runCli(args('s.csv'))).code).toBe(0);
    expect(readFileSync(join(dir, 's.csv'), 'utf8').startsWith('input_tokens,workload,accelerator,')).toBe(
      true,
    );
    expect((await runCli(args('s.ndjson'))).code).toBe(0);
    expect(
      readFileSync(join(dir, 's.ndjson'), 'utf8').startsWith('{"input_tokens":100,"workload":"chat",'),
    ).toBe(true);
  });

  it('a stack axis runs each point on its stack: the vllm point is compare --stack vllm', () => {
    const rows = (r: { stdout: string }) =>
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const sweep = spawnCli([
      'sweep',
      CHAT,
      '--vary',
      'stack=vllm,trtllm',
      '--accelerators',
      'h100-sxm,tpu-v7-ironwood',
      '--format',
      'ndjson',
    ]);
    expect(sweep.stderr).toBe('');
    expect(sweep.code).toBe(0);
    for (const stack of ['vllm', 'trtllm']) {
      const compare = spawnCli([
        'compare',
        CHAT,
        '--stack',
        stack,
        '--accelerators',
        'h100-sxm,tpu-v7-ironwood',
        '--format',
        'json',
      ]);
      expect(compare.code).toBe(0);
      const expected = JSON.parse(compare.stdout).results[0].accelerators as {
        id: string;
        deployment: { batch: number };
        metrics: { output_tokens_per_s_per_chip: number };
        warnings: { message: string }[];
      }[];
      for (const a of expected) {
        const row = rows(sweep).find((r) => r.stack === stack && r.accelerator === a.id);
        expect(row?.batch).toBe(a.deployment.batch);
        expect(row?.output_tokens_per_s_per_chip).toBe(a.metrics.output_tokens_per_s_per_chip);
        expect(row?.warnings).toBe(a.warnings.map((w) => w.message).join('; '));
      }
    }
    // The two stacks' answers differ on the H100 (batch 42 on vLLM, 110 on TensorRT-LLM), and the
    // TPU, which has no TensorRT-LLM factors, says which stack it ran instead.
    const h100 = rows(sweep).filter((r) => r.accelerator === 'h100-sxm');
    expect(h100.map((r) => [r.stack, r.batch])).toEqual([
      ['vllm', 42],
      ['trtllm', 110],
    ]);
    const tpu = rows(sweep).find((r) => r.stack === 'trtllm' && r.accelerator === 'tpu-v7-ironwood');
    expect(tpu?.warnings).toContain(
      'no trtllm factors for this chip (not among its serving stacks): ran vllm-tpu',
    );
  });

  it('a baseline axis gives each point its own vs_baseline and ratios, as compare --baseline does', () => {
    const sweep = spawnCli([
      'sweep',
      CHAT,
      '--vary',
      'baseline=h100-sxm,b200',
      '--accelerators',
      'h100-sxm,b200',
      '--format',
      'ndjson',
    ]);
    expect(sweep.stderr).toBe('');
    expect(sweep.code).toBe(0);
    const rows = sweep.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => [r.baseline, r.accelerator, r.vs_baseline])).toEqual([
      ['h100-sxm', 'h100-sxm', 'h100-sxm'],
      ['h100-sxm', 'b200', 'h100-sxm'],
      ['b200', 'h100-sxm', 'b200'],
      ['b200', 'b200', 'b200'],
    ]);
    const b200 = rows.find((r) => r.baseline === 'b200' && r.accelerator === 'b200');
    expect(b200?.ratio_output_tokens_per_usd).toBe(1);
    expect(b200?.ratio_tokens_per_joule_output).toBe(1);
    const compare = spawnCli([
      'compare',
      CHAT,
      '--baseline',
      'b200',
      '--accelerators',
      'h100-sxm,b200',
      '--format',
      'json',
    ]);
    const h100 = JSON.parse(compare.stdout).results[0].accelerators.find(
      (a: { id: string }) => a.id === 'h100-sxm',
    );
    const row = rows.find((r) => r.baseline === 'b200' && r.accelerator === 'h100-sxm');
    expect(row?.ratio_output_tokens_per_usd).toBe(h100.vs_baseline.metrics.output_tokens_per_usd.ratio);
    expect(row?.ratio_output_tokens_per_usd).not.toBe(1);
  });

  it('a stack or baseline axis is checked before any row; a baseline is fixed or swept, not both', () => {
    const stack = spawnCli(['sweep', CHAT, '--vary', 'stack=trtllm,vlm', '--accelerators', 'h100-sxm']);
    expect(stack.code).toBe(2);
    expect(stack.stdout).toBe('');
    expect(stack.stderr).toMatch(
      /^infercost: --vary stack=vlm: unknown serving stack "vlm"; did you mean "vllm"\?[^\n]*\n$/,
    );
    const baseline = spawnCli(['sweep', CHAT, '--vary', 'baseline=b200,nope', '--accelerators', 'h100-sxm']);
    expect(baseline.code).toBe(2);
    expect(baseline.stdout).toBe('');
    expect(baseline.stderr).toBe(
      `infercost: --vary baseline=nope: unknown accelerator "nope" (see 'infercost profiles')\n`,
    );
    const both = spawnCli([
      'sweep',
      CHAT,
      '--vary',
      'baseline=b200',
      '--baseline',
      'h100-sxm',
      '--accelerators',
      'h100-sxm',
    ]);
    expect(both.code).toBe(2);
    expect(both.stdout).toBe('');
    expect(both.stderr).toBe(
      'infercost: --baseline h100-sxm and --vary baseline: the baseline is either fixed or swept, not both\n',
    );
  });

  it("a sweep row carries compare's stale-price warning, word for word", async () => {
    const sweep = await runCli(['sweep', CHAT, '--vary', 'input_tokens=800', '--format', 'csv']);
    const compare = await runCli(['compare', CHAT, '--format', 'csv']);
    const warnings = (csv: string) => {
      const [head, ...rows] = csv
        .trim()
        .split('\n')
        .map((l) => l.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/));
      const at = (head as string[]).indexOf('warnings');
      const acc = (head as string[]).indexOf('accelerator');
      return Object.fromEntries(rows.map((r) => [r[acc], r[at] ?? ''])) as Record<string, string>;
    };
    const w = warnings(sweep.stdout);
    // compare notes the collective latency estimate its ranges span (docs/model.md 11); a sweep
    // states no range and leaves that note out: every other warning word for word.
    const latencyNote =
      /(; )?collective latency is an estimate: 132 us, from 58 to 300 us(; at 300 us no deployment meets the limits, which the range leaves out)? \(docs\/model\.md 11\)/;
    const fromCompare = warnings(compare.stdout);
    for (const id of ['inferentia2', 'trainium2', 'trainium3']) expect(fromCompare[id]).toMatch(latencyNote);
    expect(w).toEqual(
      Object.fromEntries(Object.entries(fromCompare).map(([k, v]) => [k, v.replace(latencyNote, '')])),
    );
    expect(w['tpu-v5e']).toContain(
      'price quote dated 2025 is over 12 months old (refresh it in the profile)',
    );
  });

  it("a bad value in a sweep file's axes is located at its line and column, as a schema error there is", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const file = join(dir, 's.yaml');
    writeFileSync(
      file,
      'workload: chat\naccelerators: [h100-sxm]\naxes:\n  input_tokens: [100, "abc", 300]\n',
    );
    const r = await runCli(['sweep', '--file', file]);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      `infercost: ${file}:4:23 axes.input_tokens[1]: input_tokens=abc: expected a number, got "abc"\n`,
    ]);
  });

  it('an unknown accelerator or baseline in a sweep file or its workload is located where it was written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const unknown = `unknown accelerator "nope" (see 'infercost profiles')`;
    const cases: [string, string][] = [
      ['workload: chat\naxes: {input_tokens: [1, 2]}\naccelerators: [b200, nope]\n', '3:22 accelerators[1]'],
      ['workload: chat\naxes: {input_tokens: [1, 2]}\nbaseline: nope\n', '3:11 baseline'],
      [
        'workload: {name: w, model: llama-3.3-70b, input_tokens: 100, output_tokens: 100, accelerators: [nope]}\naxes: {tpot_ms: [20, 50]}\n',
        '1:97 accelerators[0]',
      ],
    ];
    for (const [i, [text, where]] of cases.entries()) {
      const file = join(dir, `s${i}.yaml`);
      writeFileSync(file, text);
      const r = await runCli(['sweep', '--file', file]);
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `infercost: ${file}:${where}: ${unknown}\n`]);
    }
    // A workload file's own list, as compare locates it.
    const workload = join(dir, 'w.yaml');
    writeFileSync(
      workload,
      'name: w\nmodel: llama-3.3-70b\ninput_tokens: 100\noutput_tokens: 100\naccelerators: [nope]\n',
    );
    const w = await runCli(['sweep', workload, '--vary', 'tpot_ms=20,50']);
    expect([w.code, w.stdout, w.stderr]).toEqual([
      2,
      '',
      `infercost: ${workload}:5:16 accelerators[0]: ${unknown}\n`,
    ]);
    // A flag's id has no line to point at: the message alone, as compare gives it.
    const flag = await runCli(['sweep', CHAT, '--vary', 'tpot_ms=20,50', '--accelerators', 'nope']);
    expect([flag.code, flag.stdout, flag.stderr]).toEqual([2, '', `infercost: ${unknown}\n`]);
  });

  it('an --output path in a missing directory is one line, exit 2', async () => {
    const r = await runCli([
      'sweep',
      CHAT,
      '--vary',
      'input_tokens=100,200',
      '--output',
      '/nonexistent-dir/x.csv',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'infercost: /nonexistent-dir/x.csv cannot write the output file: its directory does not exist\n',
    );
  });

  it('--output leaves no partial file when a point is invalid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const out = join(dir, 'sweep.csv');
    const r = await runCli([
      'sweep',
      CHAT,
      '--vary',
      'input_tokens=1000,-5',
      '--format',
      'csv',
      '--output',
      out,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('input_tokens: expected a positive number, got -5');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('every value of a long list is checked before the first row, not only its ends and middle', () => {
    // 151 values, the bad one at index 100: neither an end nor the middle (75).
    const values = [
      ...Array.from({ length: 100 }, (_, i) => 100 + i),
      -5,
      ...Array.from({ length: 50 }, (_, i) => 300 + i),
    ];
    const r = spawnCli([
      'sweep',
      CHAT,
      '--accelerators',
      'h100-sxm',
      '--format',
      'csv',
      '--vary',
      `input_tokens=${values.join(',')}`,
    ]);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      'infercost: --vary input_tokens=-5 input_tokens: expected a positive number, got -5\n',
    ]);
  });

  it('a value is judged at its point, beside the other axes, not against the base workload alone', () => {
    // 130,900 in + 100 out = 131,000 fits Llama 3.3 70B's 131,072; with chat's own 300 out it
    // would not, and the axis used to be checked that way and refused.
    const r = spawnCli([
      'sweep',
      CHAT,
      '--vary',
      'input_tokens=130900',
      '--vary',
      'output_tokens=100',
      '--accelerators',
      'h100-sxm',
      '--format',
      'csv',
    ]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\r\n')[1]).toMatch(/^130900,100,chat,h100-sxm,/);
  });

  it('an axis may give a field the workload needs (which draft model); a draft larger than the target is refused', () => {
    const SPEC = ['--set', 'speculative.tokens=4', '--set', 'speculative.acceptance=0.7'];
    const args = ['sweep', CHAT, '--accelerators', 'h100-sxm', '--format', 'csv', ...SPEC, '--vary'];
    // chat has no `speculative:`; the base workload alone lacks a draft, each point has one.
    const r = spawnCli([...args, 'speculative.draft=llama-3.2-1b,llama-3.1-8b']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\r\n').map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      'speculative.draft,workload,accelerator',
      'llama-3.2-1b,chat,h100-sxm',
      'llama-3.1-8b,chat,h100-sxm',
      '',
    ]);
    const big = spawnCli([...args, 'speculative.draft=llama-3.2-1b,llama-3.1-405b']);
    expect([big.code, big.stdout]).toEqual([2, '']);
    expect(big.stderr).toBe(
      'infercost: --vary speculative.draft=llama-3.1-405b speculative.draft: llama-3.1-405b (405.9B parameters, 405.9B active) is not smaller than the target llama-3.3-70b (70.6B, 70.6B active): a draft must be the smaller model (docs/model.md 3c)\n',
    );
  });

  it("a sweep file's workload may be a bundled name; a wrong one is located in the sweep file", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const ok = join(dir, 'ok.yaml');
    writeFileSync(ok, 'workload: chat\naxes: { input_tokens: [500] }\n');
    const r = spawnCli(['sweep', '--file', ok, '--accelerators', 'b200', '--format', 'csv']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\r\n')[1]).toMatch(/^500,chat,b200,/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'workload: chatt\naxes: { input_tokens: [500] }\n');
    const e = spawnCli(['sweep', '--file', bad]);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(
      new RegExp(
        `^infercost: ${bad.replace(/[.]/g, '\\.')}:1:11 workload: no such file, and no bundled workload of that name; did you mean "chat"\\?`,
      ),
    );
    // An axis is a list or a range; a mapping or a lone number was told it should be a precision.
    for (const [axis, got] of [
      ['{ from: 1, to: 3 }', 'a mapping'],
      ['500', '500'],
    ]) {
      const file = join(dir, 'axis.yaml');
      writeFileSync(file, `workload: chat\naxes:\n  input_tokens: ${axis}\n`);
      const a = spawnCli(['sweep', '--file', file]);
      expect([a.code, a.stdout, a.stderr]).toEqual([
        2,
        '',
        `infercost: ${file}:3:17 axes.input_tokens: expected a list of values ([500, 1000]) or a range ("100..8000*2", "0..1:0.1"), got ${got}\n`,
      ]);
    }
    // A value in the list that is neither a number nor a string was told the same.
    for (const [value, got] of [
      ['true', 'true'],
      ['null', 'null (an empty value)'],
    ]) {
      const file = join(dir, 'value.yaml');
      writeFileSync(file, `workload: chat\naxes:\n  input_tokens: [1000, ${value}]\n`);
      const a = spawnCli(['sweep', '--file', file]);
      expect([a.code, a.stdout, a.stderr]).toEqual([
        2,
        '',
        `infercost: ${file}:3:24 axes.input_tokens[1]: expected a number or a string (an axis value), got ${got}\n`,
      ]);
    }
  });

  it('in a grid too large to check every combination, each value is still checked before any row', () => {
    // 64 x 64 x 31 = 126,976 combinations: beyond the 4,096 checked in full, so the corners are
    // checked together and each axis's values with the others at their first (before, the
    // corners alone, and a bad value inside a list surfaced after rows had been printed).
    const list = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i)).join(',');
    const r = spawnCli([
      'sweep',
      CHAT,
      '--vary',
      `input_tokens=${list(64, (i) => 100 * (i + 1))}`,
      '--vary',
      `output_tokens=${list(64, (i) => 10 * (i + 1))}`,
      '--vary',
      // -1 is the eleventh of 31 values: no corner holds it.
      `utilization=${list(31, (i) => (i === 10 ? -1 : Math.round((0.1 + 0.01 * i) * 100) / 100))}`,
      '--limit',
      '1',
    ]);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toBe(
      'infercost: --vary input_tokens=100 with --vary output_tokens=10 with --vary utilization=-1: utilization: expected a number >= 0.01, got -1\n',
    );
  });

  it('values valid alone but not together are one line before any row, naming both', () => {
    // 120,000 in + 20,000 out = 140,000 > Llama 3.3 70B's 131,072: each value alone is fine, so
    // before, 221 rows reached stdout and then the sweep exited 2.
    const r = spawnCli([
      'sweep',
      CHAT,
      '--vary',
      'output_tokens=100,20000',
      '--vary',
      'input_tokens=1000..120000:1000',
      '--accelerators',
      'h100-sxm',
      '--format',
      'ndjson',
    ]);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      "infercost: --vary output_tokens=20000 with --vary input_tokens=120000: output_tokens: input_tokens + output_tokens = 140,000 is beyond llama-3.3-70b's context length of 131,072 tokens\n",
    ]);
  });
});

describe('infercost check', () => {
  it('a failing expectation exits 1 and says which and by how much', () => {
    const r = spawnCli([
      'check',
      CHAT,
      '--expect',
      'h100-sxm usd_per_mtok_output <= 10',
      '--expect',
      'h200-sxm/h100-sxm tokens_per_dollar >= 10',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^PASS chat: h100-sxm usd_per_mtok_output <= 10: usd_per_mtok_output \d+(\.\d+)? <= 10/m,
    );
    expect(r.stdout).toMatch(
      /^FAIL chat: h200-sxm\/h100-sxm tokens_per_dollar >= 10: output_tokens_per_usd ratio \d\.\d+ not >= 10 \(-\d+\.\d% vs threshold\)$/m,
    );
    expect(r.stdout.trim().split('\n').pop()).toBe('1 passed, 1 failed');
  });

  it('a margin past 1,000% is said as a multiple of the threshold', () => {
    const r = spawnCli([
      'check',
      CHAT,
      '--expect',
      'h100-sxm output_tokens_per_usd >= 1',
      '--format',
      'json',
      '--accelerators',
      'h100-sxm',
    ]);
    expect(r.code).toBe(0);
    const [o] = JSON.parse(r.stdout).outcomes;
    // measured / 1 = measured: e.g. 509,390 tokens per dollar is 509390x a threshold of 1.
    expect(o.detail).toBe(
      `output_tokens_per_usd ${Math.round(o.measured)} >= 1 (${Math.round(o.measured)}x the threshold)`,
    );
  });

  it('reads expect: lists from the workload, and --format json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const w = join(dir, 'gated.yaml');
    writeFileSync(w, `${readFileSync(CHAT, 'utf8')}expect:\n  - "h100-sxm usd_per_mtok_output <= 10"\n`);
    const r = await runCli(['check', w, '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.summary).toEqual({ passed: 1, failed: 0, uncertain: 0, errors: 0 });
    expect(doc.outcomes[0]).toMatchObject({
      workload: 'chat',
      status: 'PASS',
      threshold: 10,
      relative: false,
    });
  });

  it('relative thresholds against a saved result: a price rise beyond 5% fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const saved = join(dir, 'saved.json');
    await runCli(['compare', CHAT, '--format', 'json', '--output', saved]);
    const ok = await runCli([
      'check',
      CHAT,
      '--against',
      saved,
      '--expect',
      'tpu-v7-ironwood usd_per_mtok_output <= +5%',
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('+0.00% <= +5%');
    const dearer = await runCli([
      'check',
      CHAT,
      '--against',
      saved,
      '--expect',
      'tpu-v7-ironwood usd_per_mtok_output <= +5%',
      '--set',
      'tpu-v7-ironwood.price.on_demand=10.55',
    ]);
    expect(dearer.code).toBe(1);
    expect(dearer.stdout).toMatch(
      /FAIL chat: tpu-v7-ironwood usd_per_mtok_output <= \+5%: usd_per_mtok_output [0-9.]+ -> [0-9.]+, \+11\.29% not <= \+5%/,
    );
    const noSaved = await runCli(['check', CHAT, '--expect', 'tpu-v7-ironwood usd_per_mtok_output <= +5%']);
    expect(noSaved.code).toBe(2);
  });

  it('a bad expect: entry in a workload is located in the file, not blamed on a flag', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const w = join(dir, 'we.yaml');
    writeFileSync(
      w,
      'model: llama-3.1-8b\ninput_tokens: 800\noutput_tokens: 300\nexpect:\n  - "b200 usd_per_mtok_output <= 1"\n  - "b200 nosuch_metric <= 1"\n',
    );
    const r = await runCli(['check', w]);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      `infercost: ${w}:6:5 expect[1]: unknown metric "nosuch_metric"\n`,
    ]);
  });

  it('a relative expect: entry without --against is located in the file too (it was blamed on --expect)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const w = join(dir, 'wr.yaml');
    writeFileSync(
      w,
      'model: llama-3.1-8b\ninput_tokens: 800\noutput_tokens: 300\nexpect:\n  - "b200 usd_per_mtok_output <= +5%"\n',
    );
    const r = await runCli(['check', w]);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      `infercost: ${w}:5:5 expect[0]: a relative threshold (+5%) needs --against <saved result.json>\n`,
    ]);
  });

  it('a comparator with no threshold is the form error, not \'threshold "=" is not a number\'', async () => {
    for (const text of ['b200 tokens_per_dollar >= ', 'b200 tokens_per_dollar >== 5']) {
      const r = await runCli(['check', CHAT, '--expect', text]);
      expect([r.code, r.stdout, r.stderr]).toEqual([
        2,
        '',
        `infercost: --expect "${text}": expected "A/B metric >= x" or "A metric <= x", e.g. "maia-200/h200-sxm tokens_per_dollar >= 1.30"\n`,
      ]);
    }
  });

  it('a percent without a sign is refused, not read as a number: 2% is not 2', async () => {
    const r = await runCli(['check', CHAT, '--expect', 'h100-sxm usd_per_mtok_output <= 2%']);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      'infercost: --expect "h100-sxm usd_per_mtok_output <= 2%": "2%" has no sign: a change in percent is written +2% or -2% and needs --against a saved result\n',
    ]);
  });

  it('one line per claim and one Markdown row, whatever the workload name holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const w = join(dir, 'w.yaml');
    writeFileSync(w, 'name: "a|b\\nc"\nmodel: llama-3.3-70b\ninput_tokens: 800\noutput_tokens: 300\n');
    const args = ['check', w, '--accelerators', 'h100-sxm', '--expect', 'h100-sxm usd_per_mtok_output <= 1'];
    const text = await runCli(args);
    expect(text.stdout.split('\n')[0]).toMatch(/^FAIL a\|b\\x0ac: h100-sxm usd_per_mtok_output <= 1: /);
    const md = await runCli([...args, '--format', 'markdown']);
    expect(md.stdout).toContain('| a\\|b\\x0ac |');
  });

  it('nothing to check is a usage error', async () => {
    const r = await runCli(['check', CHAT]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'infercost: nothing to check: give --expect "<claim>" or an expect: list in the workload\n',
    );
  });
});

describe('infercost diff', () => {
  it('lists what moved, and --fail-above exits 1 when tokens per dollar moves more', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const [a, b] = [join(dir, 'a.json'), join(dir, 'b.json')];
    await runCli(['compare', CHAT, '--format', 'json', '--output', a]);
    await runCli([
      'compare',
      CHAT,
      '--format',
      'json',
      '--output',
      b,
      '--set',
      'tpu-v7-ironwood.price.on_demand=18.96',
    ]);
    const same = await runCli(['diff', a, a]);
    expect(same.stdout).toBe('no changes\n');
    const r = await runCli(['diff', a, b, '--format', 'json', '--fail-above', '5%']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    const tpd = doc.changes.find(
      (c: { accelerator: string; metric: string }) =>
        c.accelerator === 'tpu-v7-ironwood' && c.metric === 'output_tokens_per_usd',
    );
    expect(tpd.percent).toBeCloseTo(-50, 9); // price doubled: 18.96 = 2 x 9.48
    expect(r.stderr).toBe('FAIL chat/tpu-v7-ironwood: output_tokens_per_usd moved -50.00% (limit 5%)\n');
    expect((await runCli(['diff', a, b, '--fail-above', '60%'])).code).toBe(0);
  });

  it('lists the fleet each result was sized to: twice the power budget, twice the chips', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const [a, b] = [join(dir, 'a.json'), join(dir, 'b.json')];
    const args = ['compare', CHAT, '--accelerators', 'h100-sxm', '--format', 'json', '--output'];
    await runCli([...args, a, '--power-budget', '1MW']);
    await runCli([...args, b, '--power-budget', '2MW']);
    const r = await runCli(['diff', a, b, '--format', 'json']);
    expect(r.code).toBe(0);
    const changes: { metric: string; old: number; new: number; percent: number }[] = JSON.parse(
      r.stdout,
    ).changes;
    // The budget is a row of its own (the question changed); per-chip metrics do not depend on
    // it; every fleet figure doubles (whole replicas of 2 chips: 1 MW holds 419 of them at
    // 1,192.8 W per chip, 2 MW 838).
    expect(changes[0]).toMatchObject({
      metric: 'workload',
      old: 'power_budget_w=1000000',
      new: 'power_budget_w=2000000',
    });
    changes.shift();
    expect(changes.map((c) => c.metric)).toEqual([
      'fleet_chips',
      'fleet_replicas',
      'fleet_facility_w',
      'fleet_output_tokens_per_day',
      'fleet_usd_per_year',
    ]);
    expect(changes.slice(0, 2).map((c) => [c.old, c.new])).toEqual([
      [838, 1676],
      [419, 838],
    ]);
    for (const c of changes) expect(c.percent).toBeCloseTo(100, 9);
  });

  it('--fail-above fails when a chip disappears: its tokens per dollar moved to no value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const [two, one] = [join(dir, 'two.json'), join(dir, 'one.json')];
    await runCli(['compare', CHAT, '--accelerators', 'h100-sxm,b200', '--format', 'json', '--output', two]);
    await runCli(['compare', CHAT, '--accelerators', 'h100-sxm', '--format', 'json', '--output', one]);
    const r = await runCli(['diff', two, one, '--fail-above', '5%']);
    expect([r.code, r.stderr]).toEqual([
      1,
      'FAIL chat/b200: present -> absent, so output_tokens_per_usd moved to or from no value (limit 5%)\n',
    ]);
  });

  it('a file that is not a saved result is one line, exit 2', async () => {
    const r = await runCli(['diff', 'package.json', 'package.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'infercost: package.json schema_version: expected 1 (a result saved with compare --format json), got nothing\n',
    );
  });

  it('diffResults reports accelerators that appear or disappear', () => {
    const doc = (ids: string[]) =>
      ({
        schema_version: 1,
        tool: { name: 'infercost', version: '0' },
        results: [
          {
            workload: { name: 'w' },
            baseline: 'a',
            accelerators: ids.map((id) => ({ id, status: 'ok', metrics: {} })),
          },
        ],
      }) as never;
    expect(diffResults(doc(['a', 'b']), doc(['a', 'c']), [])).toEqual([
      {
        workload: 'w',
        accelerator: 'b',
        metric: 'presence',
        old: 'present',
        new: 'absent',
        delta: null,
        percent: null,
      },
      {
        workload: 'w',
        accelerator: 'c',
        metric: 'presence',
        old: 'absent',
        new: 'present',
        delta: null,
        percent: null,
      },
    ]);
  });
});

describe('results and measured rows from stdin ("-")', () => {
  it('diff reads one side from stdin, as a pipe from compare gives it; both sides from stdin is exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const a = join(dir, 'a.json');
    await runCli(['compare', CHAT, '--format', 'json', '--output', a]);
    const piped = await runCli([
      'compare',
      CHAT,
      '--format',
      'json',
      '--set',
      'tpu-v7-ironwood.price.on_demand=18.96',
    ]);
    const r = await runCli(['diff', a, '-', '--format', 'json'], { stdin: piped.stdout });
    expect(r.code).toBe(0);
    const tpd = JSON.parse(r.stdout).changes.find(
      (c: { accelerator: string; metric: string }) =>
        c.accelerator === 'tpu-v7-ironwood' && c.metric === 'output_tokens_per_usd',
    );
    expect(tpd.percent).toBeCloseTo(-50, 9); // price doubled: 18.96 = 2 x 9.48
    const twice = await runCli(['diff', '-', '-'], { stdin: piped.stdout });
    expect([twice.code, twice.stdout, twice.stderr]).toEqual([
      2,
      '',
      'infercost: stdin (-) can be read only once\n',
    ]);
    const bad = await runCli(['diff', a, '-'], { stdin: 'not json' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^infercost: <stdin>:1:1 not valid JSON \(expected a result saved with --format json\)\n$/,
    );
  });

  it('backtest - reads a measured-result CSV from stdin and predicts the same rows as the file', async () => {
    const csv = join(REPO, 'data/measured/published.csv');
    const fromFile = await runCli(['backtest', csv, '--format', 'json']);
    const fromStdin = await runCli(['backtest', '-', '--format', 'json'], {
      stdin: readFileSync(csv, 'utf8'),
    });
    expect(fromStdin.code).toBe(0);
    const ids = (r: { stdout: string }) =>
      JSON.parse(r.stdout).rows.map((x: { id: string; predicted_output_tokens_per_s_per_chip: number }) => [
        x.id,
        x.predicted_output_tokens_per_s_per_chip,
      ]);
    expect(ids(fromStdin)).toEqual(ids(fromFile));
    expect(ids(fromStdin)).toHaveLength(20); // published.csv: 21 lines, a header and 20 rows
    const twice = await runCli(['backtest', '-', '-'], { stdin: '' });
    expect([twice.code, twice.stderr]).toEqual([2, 'infercost: stdin (-) can be read only once\n']);
    const empty = await runCli(['backtest', '-'], { stdin: '' });
    expect([empty.code, empty.stderr]).toEqual([2, 'infercost: <stdin>:1:1 file is empty\n']);
  });

  it('fleet - plans from stdin as from the file; validate - names the fleet; a workload from stdin too is exit 2', async () => {
    const file = join(REPO, 'profiles/fleets/mixed.yaml');
    const fromFile = await runCli(['fleet', file, '--format', 'csv']);
    const fromStdin = await runCli(['fleet', '-', '--format', 'csv'], { stdin: readFileSync(file, 'utf8') });
    expect([fromStdin.code, fromStdin.stderr]).toEqual([0, '']);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
    // validate reads stdin once, to tell a fleet from a workload, and plans from what it read.
    const valid = await runCli(['validate', '-'], { stdin: readFileSync(file, 'utf8') });
    expect([valid.code, valid.stdout]).toEqual([0, 'ok <stdin>: fleet (3 workloads, 4 chips)\n']);
    const plan =
      'objective: min_cost\nworkloads:\n  - workload: "-"\n    demand: { output_tokens_per_day: 1e9 }\nchips:\n  - id: h100-sxm\n';
    const twice = await runCli(['fleet', '-'], { stdin: plan });
    expect([twice.code, twice.stdout, twice.stderr]).toEqual([
      2,
      '',
      'infercost: stdin (-) can be read only once: the fleet came from it, so a workload cannot\n',
    ]);
  });

  it('check --against - takes the saved result from stdin; a workload from stdin too is exit 2', async () => {
    const saved = await runCli(['compare', CHAT, '--format', 'json']);
    const expectation = 'b200 usd_per_mtok_output <= +5%';
    const r = await runCli(['check', CHAT, '--expect', expectation, '--against', '-'], {
      stdin: saved.stdout,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^PASS chat: b200 usd_per_mtok_output <= \+5%: .* \+0\.00% <= \+5%\n1 passed, 0 failed\n$/,
    );
    const twice = await runCli(['check', '-', '--expect', expectation, '--against', '-'], {
      stdin: saved.stdout,
    });
    expect([twice.code, twice.stderr]).toEqual([2, 'infercost: stdin (-) can be read only once\n']);
  });

  it('calibrate - fits on rows from stdin and names <stdin> in the profile it writes', async () => {
    const csv = readFileSync(join(REPO, 'data/measured/vendor-docs.csv'), 'utf8').split('\n');
    const one = [csv[0], ...csv.filter((l) => l.startsWith('neuron-trn2-llama31-8b-tp8-c2-512-128,'))];
    expect(one).toHaveLength(2);
    const r = await runCli(['calibrate', '--accelerator', 'trainium2', '-'], {
      stdin: `${one.join('\n')}\n`,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^calibrated trainium2 on 1 row\(s\): neuron-trn2-llama31-8b-tp8-c2-512-128\n/);
    expect(r.stdout).toContain(
      'infercost calibrate on measured rows neuron-trn2-llama31-8b-tp8-c2-512-128 (<stdin>)',
    );
    const twice = await runCli(['calibrate', '--accelerator', 'trainium2', '-', '-'], { stdin: '' });
    expect([twice.code, twice.stderr]).toEqual([2, 'infercost: stdin (-) can be read only once\n']);
  });
});
