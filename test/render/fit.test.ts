// A table that fits the terminal (issue 15): columns dropped by priority, marks moved under the
// table, headers shortened, every other line wrapped; pipes and files keep the full table.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { wrap } from '../../src/render/table.js';
import { displayWidth, fitStart } from '../../src/render/width.js';
import { BIN, REPO, runCli } from '../helpers/cli.js';

const CHAT = 'profiles/workloads/chat.yaml';

async function onTerminal(args: string[], columns: number): Promise<string> {
  let out = '';
  await main(args, {
    stdout: (s) => {
      out += s;
    },
    stderr: () => {},
    env: { NO_COLOR: '1' },
    stdoutIsTty: true,
    stderrIsTty: true,
    stdoutColumns: columns,
    readStdin: () => '',
    today: '2026-11-23',
  });
  return out;
}

const widest = (text: string) => Math.max(...text.split('\n').map(displayWidth));

describe('a table that fits', () => {
  it('wraps words to the width, indenting continuations, cutting a word longer than a line', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', '    ccc']);
    expect(wrap('abcdefghij', 6, '')).toEqual(['abcdef', 'ghij']);
    expect(wrap('short', undefined)).toEqual(['short']);
  });

  it('counts a CJK character as two columns, in widths, wraps and cuts', () => {
    // 名 is East Asian Wide: two columns; colour codes none.
    expect(displayWidth('名a')).toBe(3);
    expect(displayWidth('\u001b[1m名\u001b[22m')).toBe(2);
    // '名名名名名' is 10 columns: cut to 6 (3 characters), the rest under the indent (2 + 4 = 6),
    // then 'ab' does not fit after it ('  名名 ab' is 9) and takes its own line.
    expect(wrap('名名名名名 ab', 6, '  ')).toEqual(['名名名', '  名名', '  ab']);
  });

  it('cuts a coloured word by its columns, never inside a colour code', () => {
    const bold = '\u001b[1m';
    const plain = '\u001b[22m';
    // 'abcdefghij' in bold is 4 + 10 + 5 = 19 characters but 10 columns. Cut at 6 columns: the
    // code and 'abcdef' (sliced by length it was the code and 'ab', 2 columns); at 2 columns,
    // sliced by length, the cut fell inside the code ('\u001b[').
    expect(fitStart(`${bold}abcdefghij${plain}`, 6)).toBe(`${bold}abcdef`);
    expect(fitStart(`${bold}abcdefghij${plain}`, 2)).toBe(`${bold}ab`);
    // The rest keeps its closing code, and the whole is the same text: 6 + 4 columns.
    expect(wrap(`${bold}abcdefghij${plain}`, 6, '')).toEqual([`${bold}abcdef`, `ghij${plain}`]);
    expect(wrap(`${bold}abcdefghij${plain}`, 6, '').map(displayWidth)).toEqual([6, 4]);
    // Plain ASCII takes the fast path: the same cut as before.
    expect(fitStart('abcdefghij', 6)).toBe('abcdef');
  });

  for (const width of [60, 100]) {
    it(`a workload named in 40 CJK characters fits ${width} columns (80 of its own)`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'infercost-cjk-'));
      const file = join(dir, 'cjk.yaml');
      writeFileSync(file, readFileSync(CHAT, 'utf8').replace(/^name: chat$/m, `name: ${'名'.repeat(40)}`));
      const out = await onTerminal(['compare', file, '--accelerators', 'b200,h100-sxm'], width);
      expect(out).toContain('名'.repeat(20));
      // Counted here without the code under test: each 名 two columns, every other character one.
      const columns = (line: string) => line.length + (line.match(/名/g)?.length ?? 0);
      expect(Math.max(...out.split('\n').map(columns))).toBeLessThanOrEqual(width);
    });
  }

  for (const width of [80, 100, 120]) {
    it(`at ${width} columns no line is wider, and the six columns that matter stay`, async () => {
      const out = await onTerminal(['compare', CHAT], width);
      expect(widest(out)).toBeLessThanOrEqual(width);
      for (const h of [/tok\/s\/chip/i, /\$\/1M/, /tok\/\$ (x|vs base)/i, /tok\/W (x|vs base)/i, /Replica/])
        expect(out).toMatch(h);
      for (const id of ['h100-sxm', 'maia-200', 'tpu-v7-ironwood']) expect(out).toContain(id);
    });
  }

  it('too narrow for the required columns side by side (about 71), a block per chip with every column', async () => {
    // Inferentia2 meets chat's 40 ms since the thirty-eighth session's collective latency; not 30 ms.
    const args = ['compare', CHAT, '--accelerators', 'h100-sxm,b200,inferentia2', '--set', 'slo.tpot_ms=30'];
    // At 72 the table with the six required columns still fits.
    expect(await onTerminal(args, 72)).toMatch(/│ Accelerator +│ +Replica │/);
    for (const width of [40, 50, 60]) {
      const out = await onTerminal(args, width);
      expect(widest(out)).toBeLessThanOrEqual(width);
      expect(out).not.toContain('│');
      expect(out).not.toContain('Not shown to fit');
    }
    const out = await onTerminal(args, 50);
    const wide = await onTerminal([...args, '--format', 'json'], 50);
    const h100 = JSON.parse(wide).results[0].accelerators.find((a: { id: string }) => a.id === 'h100-sxm');
    // The block: the chip, then every column a line, labels padded to the longest ("Out tok/s/chip").
    const block = out.slice(out.indexOf('h100-sxm (base)\n')).split('\n\n')[0] as string;
    expect(block.split('\n')).toHaveLength(1 + 13);
    expect(block).toContain(`\n  Replica         ${h100.deployment.chips} x B${h100.deployment.batch}\n`);
    expect(block).toContain('\n  Tok/$ vs base   1.00x\n');
    // Inferentia2 cannot meet chat's TPOT: listed under the blocks, as under the table.
    expect(out).toMatch(/Cannot run this workload:\n {2}inferentia2 \[[0-9,]+\]: cannot meet SLO/);
  });

  it('narrower than a block line (20-30 columns), a value goes under its label and a title wraps: 38 columns at 30 before', async () => {
    // Inferentia2's stack, transformers-neuronx, beside its label took 38 columns.
    const args = ['compare', CHAT, '--accelerators', 'inferentia2,tpu-v7-ironwood'];
    for (const width of [20, 25, 30])
      expect(widest(await onTerminal(args, width))).toBeLessThanOrEqual(width);
    const at30 = await onTerminal(args, 30);
    expect(at30).toContain('\n  Stack\n    transformers-neuronx\n');
    // a value that fits beside its label stays there
    expect(at30).toMatch(/\n {2}Stack {11}vllm-tpu\n/);
    // at 20 the chip's title breaks at its space, the marks continued under it
    expect(await onTerminal(args, 20)).toMatch(/\ntpu-v7-ironwood\n {4}\[[0-9,]+\]\n/);
  });

  it('with a fleet (--power-budget) and for a claim, no line is wider than the terminal', async () => {
    for (const width of [60, 80, 100]) {
      const fleet = await onTerminal(
        ['compare', CHAT, '--accelerators', 'h100-sxm,gb200', '--power-budget', '1GW'],
        width,
      );
      expect(widest(fleet)).toBeLessThanOrEqual(width);
      const claim = await onTerminal(
        ['claim', 'maia-200/gb200 tokens_per_dollar >= 1.30', 'chat', '--plan', 'tco'],
        width,
      );
      expect(widest(claim)).toBeLessThanOrEqual(width);
    }
    // At 100 the fleet's MW (the budget on every row, said in the heading) goes before the rest.
    const fleet = await onTerminal(
      ['compare', CHAT, '--accelerators', 'h100-sxm,gb200', '--power-budget', '1GW'],
      100,
    );
    expect(fleet).toMatch(/│ Chips │ Tok\/day │ +\$M\/yr │/);
    expect(fleet).toMatch(/Not shown to fit 100 columns: [a-z_, \n]*fleet_mw \(--wide shows all\)/);
    // At 60 the claim's break-even follows the table, a line per workload.
    const claim = await onTerminal(
      ['claim', 'maia-200/gb200 tokens_per_dollar >= 1.30', 'chat', '--plan', 'tco'],
      60,
    );
    // Maia 200's range is the chips-left-out one (-47%..+54%, docs/model.md 11): the ratio's range
    // (0.411..6.25) leaves no room for the inputs that flip it, which go under the table as at 80.
    expect(claim).toMatch(/\nworkload +ratio +range +verdict\n/);
    expect(claim).toMatch(/\nchat: flipped by maia-200 throughput \(CV interval\), maia-200\n/);
    expect(claim).toMatch(/\nchat: break-even for maia-200 capex \$[0-9,]+ \(now \$[0-9,]+\)\n/);
  });

  it('--wide keeps every column; --columns picks them; an unknown column is exit 2', async () => {
    expect(widest(await onTerminal(['compare', CHAT, '--wide'], 80))).toBeGreaterThan(150);
    const picked = await onTerminal(['compare', CHAT, '--columns', 'stack,tok_s_chip'], 80);
    expect(picked).toMatch(/│ Accelerator +│ Stack +│ Out tok\/s\/chip │/);
    const bad = await runCli(['compare', CHAT, '--columns', 'tok_s_chp']);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'infercost: --columns tok_s_chp: unknown column; did you mean "tok_s_chip"? (known: stack, replica, ttft, tpot, tok_s_chip, range, price, usd_per_mtok, tok_per_usd, j_per_tok, tok_s_mw, tok_usd_vs_base, tok_w_vs_base, fleet_chips, fleet_mw, fleet_tok_day, fleet_usd_year)\n',
    ]);
  });

  it('profiles and models fit too, naming what they leave out; piped, every column', async () => {
    // Before, profiles printed 242 columns and models 166 at any terminal width.
    const profiles = await onTerminal(['profiles'], 80);
    expect(widest(profiles)).toBeLessThanOrEqual(80);
    expect(profiles).toMatch(/│ id +│ HBM GiB │ +TB\/s │ FP8 TFLOPS │/);
    expect(profiles).toContain('Not shown to fit 80 columns: file, estimates, vendor, efficiency, name');
    const models = await onTerminal(['models'], 60);
    expect(widest(models)).toBeLessThanOrEqual(60);
    expect(models).toContain('Not shown to fit 60 columns: file, name, layers, attention');
    expect((await runCli(['profiles'])).stdout).toMatch(/│ efficiency +│ file /);
    // profiles show: sources and notes wrap under their indent (lines of up to 1,001 columns).
    const show = await onTerminal(['profiles', 'show', 'maia-200'], 80);
    expect(widest(show)).toBeLessThanOrEqual(80);
    expect(show).toMatch(/\n {4}source: Microsoft launch blog, 2026-01-26,\n {8}https:/);
  });

  it('at 40 columns, too narrow for any table, profiles, models, backtest, a fleet plan and a mix blend give one block per row', async () => {
    // Before, at 40 columns profiles kept 46-column lines and models 51 after dropping every column it may.
    for (const args of [
      ['profiles'],
      ['models'],
      ['backtest', 'data/measured/published.csv'],
      ['fleet', 'profiles/fleets/mixed.yaml'],
      ['compare', 'production-mix', '--accelerators', 'h100-sxm,b200,inferentia2'],
    ]) {
      const out = await onTerminal(args, 40);
      expect(widest(out), args.join(' ')).toBeLessThanOrEqual(40);
      expect(out).not.toContain('Not shown to fit'); // a block shows every column
    }
    // The switch rule's reports (--against kept 89-column lines before): their tables drop columns, named.
    for (const args of [
      ['backtest', 'data/measured/published.csv', '--cv', '--against', 'per_operator_roofline=off'],
      ['backtest', 'data/measured/published.csv', '--cv', '--choose', 'attention_efficiency_ratio=0.75,1'],
    ])
      expect(widest(await onTerminal(args, 40)), args.join(' ')).toBeLessThanOrEqual(40);
    const models = await onTerminal(['models'], 40);
    // The first cell titles the block; every other column is a `  header  value` line.
    expect(models).toMatch(/\nllama-3\.1-8b\n {2}name {15}Llama 3\.1 8B/);
    expect(models).toMatch(/\n {2}layers {13}32\n/);
    expect(models).toMatch(/\n {2}file\n {6}profiles\/models\/llama-3\.1-8b\.yaml/);
    // A mix's blend: a block per chip; what a chip lacks is its own line, absent where it lacks nothing.
    const mix = await onTerminal(
      ['compare', 'production-mix', '--accelerators', 'h100-sxm,b200,inferentia2'],
      40,
    );
    expect(mix).toMatch(/\ninferentia2\n {2}\$\/1M out +-\n(.*\n){2} {2}lacks +no tok\/\$ for/);
    expect(mix).toMatch(
      /\nb200\n {2}\$\/1M out +[\d.]+\n {2}Out tok\/\$ +[\d.,]+[kMG]?\n {2}Tok\/J +[\d.]+\n\n/,
    );
  });

  it('no chip can run: no header-only table (65 columns wide at 40 before), only the list of why', async () => {
    const out = await onTerminal(['compare', CHAT, '--set', 'slo.tpot_ms=0.001'], 40);
    expect(widest(out)).toBeLessThanOrEqual(40);
    expect(out).not.toMatch(/[┌│]/);
    expect(out).not.toContain('Not shown');
    expect(out).toMatch(/\n\nCannot run this workload:\n {2}b200 \[1\]: cannot meet SLO: TPOT 4\.63\n/);
  });

  it("prices import's table fits: where each quote came from goes first, named; piped, every column", async () => {
    const args = [
      'prices',
      'import',
      'test/fixtures/good/catalogs/aws-vms.csv',
      '--provider',
      'AWS',
      '--as-of',
      '2026-07-30',
    ];
    // 152 columns at any width before (thirty-eighth session's review).
    const at60 = await onTerminal(args, 60);
    expect(widest(at60)).toBeLessThanOrEqual(60);
    expect(at60).toContain('| h100-sxm  | spot      |     2.76 | us-east-1 |'.replaceAll('|', '│'));
    expect(at60).toContain('Not shown to fit 60 columns: from');
    const at30 = await onTerminal(args, 30);
    expect(widest(at30)).toBeLessThanOrEqual(30);
    expect(at30).toMatch(/\nh100-sxm\n {2}plan {6}spot\n/);
    const piped = await runCli(args);
    expect(piped.stdout).toContain(
      'Cheapest per chip in the catalog: p5.48xlarge $22.1/h / 8 chips, us-east-1.',
    );
    expect(piped.stdout).not.toContain('Not shown');
  });

  it('help fits too: a description under its name when there is no room beside it, examples continued with \\', async () => {
    // Before, at 40 columns the top help kept lines of over 100 columns, compare's examples 88.
    const top = await onTerminal(['--help'], 40);
    expect(widest(top)).toBeLessThanOrEqual(40);
    expect(top).toMatch(/\n {2}--no-color\n {6}never colour output\n/);
    const compare = await onTerminal(['compare', '--help'], 40);
    expect(widest(compare)).toBeLessThanOrEqual(40);
    // Broken at spaces, each line but the last ending in a shell continuation.
    expect(compare).toContain(
      '  infercost compare chat \\\n      --power-budget 1GW \\\n      --accelerators \\\n      gb200,mi355x,tpu-v7-ironwood\n',
    );
    for (const command of ['fleet', 'backtest', 'sweep'])
      expect(widest(await onTerminal([command, '--help'], 60)), command).toBeLessThanOrEqual(60);
    // Piped, one line per example as written.
    expect((await runCli(['compare', '--help'])).stdout).toContain(
      '  infercost compare chat --power-budget 1GW --accelerators gb200,mi355x,tpu-v7-ironwood\n',
    );
  });

  it('claim fits at 80 columns: the inputs that flip it go under the table, the tornado narrows; piped, whole', async () => {
    // Before, 174 columns at 80: the flip list ran on, and the tornado ignored the width.
    const args = ['claim', 'b200/h100-sxm tokens_per_dollar >= 1.1', 'chat'];
    const out = await onTerminal(args, 80);
    expect(widest(out)).toBeLessThanOrEqual(80);
    // The ratio is 1.10 since the forty-fourth session's refit (1.09 before it, 1.11 before the
    // thirty-eighth's, 1.05 before the twenty-ninth's, with b200's throughput first in the list)
    expect(out).toMatch(/\nchat: flipped by h100-sxm throughput \(CV interval\), b200 throughput/);
    const piped = (await runCli(args)).stdout;
    expect(piped).toMatch(
      /inputs that flip the verdict\nchat {6}1\.1 .* h100-sxm throughput \(CV interval\), b200/,
    );
  });

  it('claim at 20-30 columns: a block per workload, the tornado wrapped (39 columns at 30 before, 22 at 20)', async () => {
    const args = ['claim', 'b200/h100-sxm tokens_per_dollar >= 1.1', 'chat'];
    for (const width of [20, 25, 30])
      expect(widest(await onTerminal(args, width))).toBeLessThanOrEqual(width);
    const out = await onTerminal(args, 30);
    // the workload as the block's title, a line per column (psql's expanded display)
    expect(out).toMatch(
      /\nchat\n {2}ratio {4}1\.1\n {2}range {4}[0-9.]+\.\.[0-9.]+\n {2}verdict {2}UNCERTAIN\n/,
    );
    expect(out).not.toContain('workload  ratio');
    // at 40 the table still fits
    expect(await onTerminal(args, 40)).toContain('workload  ratio');
  });

  it("a mix's blend table fits at 80 columns: what a chip lacks follows the table (108 columns before)", async () => {
    const out = await onTerminal(
      ['compare', 'production-mix', '--accelerators', 'h100-sxm,b200,inferentia2'],
      80,
    );
    expect(widest(out)).toBeLessThanOrEqual(80);
    expect(out).toMatch(/┘\ninferentia2: no tok\/\$ for agentic-coding \(no price, or cannot run\)/);
  });

  it('diff fits at 80 columns: the delta goes first (the change says it in percent)', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const [a, b] = [join(dir, 'a.json'), join(dir, 'b.json')];
    await runCli(['compare', CHAT, '--format', 'json', '--output', a]);
    await runCli(['compare', CHAT, '--format', 'json', '--output', b, '--set', 'h100-sxm.price.on_demand=8']);
    const out = await onTerminal(['diff', a, b], 80);
    expect(widest(out)).toBeLessThanOrEqual(80); // 97 before
    expect(out).toContain('Not shown to fit 80 columns: delta');
  });

  it('backtest fits too: columns dropped least important first, each named; piped, every column', async () => {
    const published = 'data/measured/published.csv';
    for (const width of [80, 100]) {
      const out = await onTerminal(['backtest', published], width);
      expect(widest(out)).toBeLessThanOrEqual(width);
      // row, measured, predicted and error stay; the TPOT columns go first
      expect(out).toMatch(/│ row +│(.*│)? measured tok\/s\/chip │ predicted │ +error │/);
      expect(out).toMatch(/Not shown to fit \d+ columns: TPOT error, TPOT ms meas\/pred, scenario/);
      expect(out).toContain('mlperf41-h100-offline');
    }
    const piped = await runCli(['backtest', published]);
    expect(piped.stdout).toMatch(/│ TPOT ms meas\/pred │ TPOT error │/);
    expect(piped.stdout).not.toContain('Not shown');
  });

  it('piped, the full table as before', async () => {
    const r = await runCli(['compare', CHAT]);
    expect(r.stdout).toContain('Tok/s/MW');
    expect(r.stdout).toContain('TTFT ms');
  });

  it('fleet at 80 columns: the prose and "how sure" lines wrap, indents kept; piped, each is one line', async () => {
    const out = await onTerminal(['fleet', 'profiles/fleets/mixed.yaml'], 80);
    expect(widest(out)).toBeLessThanOrEqual(80);
    // each margin line keeps its two-space indent; its continuation is indented further
    expect(out).toMatch(/^ {2}chat: [a-z0-9-]+; [^\n]+\n {6}\S/m);
    const piped = spawnSync(process.execPath, [BIN, 'fleet', 'profiles/fleets/mixed.yaml'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(piped.stdout).toMatch(/^ {2}chat: [a-z0-9-]+; [^\n]+over the ranges\): (not )?settled$/m);
    // At 60 the plan's table drops the replica count, then the power (71 columns before).
    const narrow = await onTerminal(['fleet', 'profiles/fleets/mixed.yaml'], 60);
    expect(widest(narrow)).toBeLessThanOrEqual(60);
    expect(narrow).toContain('Not shown to fit 60 columns: replicas, MW');
  });

  it('under a real pseudo-terminal with COLUMNS=80 (script), no line is over 80 columns', () => {
    const r = spawnSync('script', ['-qc', `node ${BIN} compare ${CHAT}`, '/dev/null'], {
      cwd: REPO,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', COLUMNS: '80', TERM: 'xterm' },
    });
    expect(r.status).toBe(0);
    const text = r.stdout.replace(/\r/g, '');
    expect(text).toContain('h100-sxm (base)');
    expect(widest(text)).toBeLessThanOrEqual(80);
  });
});

describe('compare --chart', () => {
  it('at 80 columns: tokens per dollar as bars with ranges and the Pareto plot, no line wider', async () => {
    const out = await onTerminal(['compare', CHAT, '--chart'], 80);
    expect(widest(out)).toBeLessThanOrEqual(80);
    expect(out).toContain('Output tokens per dollar');
    expect(out).toMatch(/\nh100-sxm +█+▓*─*┤? +[\d,]+\n/);
    expect(out).toContain('Pareto curves: tok/s per chip (up) against tok/s per user (right)');
    expect(out).toMatch(/tok\/s per user\n/);
  });

  it('piped: no escape codes; a data format has no chart (exit 2)', async () => {
    const piped = spawnSync('node', [BIN, 'compare', CHAT, '--chart'], {
      cwd: REPO,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(piped.status).toBe(0);
    expect(piped.stdout).toContain('Output tokens per dollar');
    expect(piped.stdout).not.toContain('\u001b[');
    const json = await runCli(['compare', CHAT, '--chart', '--format', 'json']);
    expect(json.code).toBe(2);
  });
});
