// Inputs are never lost (the guide: nothing lost, nothing overwritten): an output path that is a
// file the run read, however it was found (a folder, --profiles, the bundled data), is refused;
// several output files are written all or none; CSV quirks of real exporters are read or refused
// in one located line.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO, spawnCli } from '../helpers/cli.js';

const MEASURED = readFileSync(join(REPO, 'data/measured/published.csv'), 'utf8').split('\n');
const HEADER = MEASURED[0] as string;
const fresh = () => mkdtempSync(join(tmpdir(), 'infercost-kept-'));

describe('an output that is also an input is refused, however the input was found', () => {
  it('a CSV found in a folder, a profile under --profiles, a bundled profile or row file', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'm'));
    const rows = join(dir, 'm', 'rows.csv');
    const text = `${MEASURED.slice(0, 4).join('\n')}\n`;
    writeFileSync(rows, text);
    const a = spawnCli(['backtest', join(dir, 'm'), '-o', rows, '--format', 'csv']);
    expect([a.code, a.stdout, a.stderr]).toEqual([
      2,
      '',
      `infercost: --output ${rows}: is also an input (${rows}); refusing to overwrite it\n`,
    ]);
    expect(readFileSync(rows, 'utf8')).toBe(text);

    mkdirSync(join(dir, 'p'));
    const profile = join(dir, 'p', 'h100-sxm.yaml');
    const yaml = readFileSync(join(REPO, 'profiles/accelerators/h100-sxm.yaml'), 'utf8');
    writeFileSync(profile, yaml);
    const b = spawnCli(['--profiles', join(dir, 'p'), 'compare', 'chat', '-o', profile, '--format', 'json']);
    expect([b.code, b.stderr]).toEqual([
      2,
      `infercost: --output ${profile}: is also an input (${profile}); refusing to overwrite it\n`,
    ]);
    expect(readFileSync(profile, 'utf8')).toBe(yaml);

    // The bundled files are inputs too (read from the package, whatever the working directory).
    for (const [args, file] of [
      [['compare', 'chat', '--format', 'json'], 'profiles/accelerators/b200.yaml'],
      [['backtest', '--format', 'csv'], 'data/measured/published.csv'],
    ] as const) {
      const before = readFileSync(join(REPO, file), 'utf8');
      const r = spawnCli([...args, '-o', join(REPO, file)]);
      expect([r.code, r.stderr]).toEqual([
        2,
        `infercost: --output ${join(REPO, file)}: is also an input (${join(REPO, file)}); refusing to overwrite it\n`,
      ]);
      expect(readFileSync(join(REPO, file), 'utf8')).toBe(before);
    }
  });

  it('a profile calibrated in place is its own update; another profile read is still refused', () => {
    const dir = fresh();
    for (const id of ['h100-sxm', 'b200'])
      writeFileSync(
        join(dir, `${id}.yaml`),
        readFileSync(join(REPO, `profiles/accelerators/${id}.yaml`), 'utf8'),
      );
    const nim = join(dir, 'nim.csv');
    writeFileSync(nim, `${[HEADER, ...MEASURED.filter((l) => l.startsWith('nim-h100-70b'))].join('\n')}\n`);
    const args = ['--profiles', dir, 'calibrate', nim, '--accelerator', 'h100-sxm', '-o'];
    const own = spawnCli([...args, join(dir, 'h100-sxm.yaml')]);
    expect(own.code).toBe(0);
    // Written over: the nim entry holds this fit, not the bundled one.
    const bundledNim = parse(readFileSync(join(REPO, 'profiles/accelerators/h100-sxm.yaml'), 'utf8')).stacks
      .nim;
    const nimNow = parse(readFileSync(join(dir, 'h100-sxm.yaml'), 'utf8')).stacks.nim;
    expect(nimNow.efficiency).not.toEqual(bundledNim.efficiency);
    const b200 = readFileSync(join(dir, 'b200.yaml'), 'utf8');
    const other = spawnCli([...args, join(dir, 'b200.yaml')]);
    // The fit's summary first (it ran), then the refusal to write it over another profile.
    expect([other.code, other.stderr.split('\n').at(-2)]).toEqual([
      2,
      `infercost: --output ${join(dir, 'b200.yaml')}: is also an input (${join(dir, 'b200.yaml')}); refusing to overwrite it`,
    ]);
    expect(readFileSync(join(dir, 'b200.yaml'), 'utf8')).toBe(b200);
  });

  it('an output path through a file (ENOTDIR) is one line, exit 2, not an internal error', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'afile'), '');
    for (const args of [
      ['compare', 'chat', '--format', 'json', '-o', join(dir, 'afile', 'x.json')],
      ['init', join(dir, 'afile', 'x.yaml')],
    ]) {
      const r = spawnCli(args);
      expect([r.code, r.stderr]).toEqual([
        2,
        `infercost: ${args.at(-1)} cannot write the output file: a part of the path is not a directory\n`,
      ]);
    }
  });
});

describe('a long run refuses an output it cannot write before it starts, not after', () => {
  // backtest --cv and calibrate --all run for minutes. The output is checked first: here the rows
  // file does not exist either, and the output's error is the one reported (before the check, the
  // rows were read first and the output's fault surfaced only after the whole run).
  it('backtest -o into a missing folder, calibrate --all --output-dir missing or a file: one line, exit 2', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'afile'), '');
    const rows = join(dir, 'no-such-rows.csv');
    for (const [args, message] of [
      [
        ['backtest', '--cv', rows, '-o', join(dir, 'missing', 'cv.json')],
        `${join(dir, 'missing', 'cv.json')} cannot write the output file: its directory does not exist`,
      ],
      [
        ['backtest', rows, '-o', join(dir, 'afile', 'cv.json')],
        `${join(dir, 'afile', 'cv.json')} cannot write the output file: a part of the path is not a directory`,
      ],
      [['backtest', rows, '-o', dir], `${dir} cannot write the output file: it is a directory`],
      [
        ['calibrate', '--all', rows, '--output-dir', join(dir, 'missing')],
        `${join(dir, 'missing')} cannot write into the folder: it does not exist`,
      ],
      [
        ['calibrate', '--all', rows, '--output-dir', join(dir, 'afile')],
        `${join(dir, 'afile')} cannot write into the folder: it is not a directory`,
      ],
    ] as const) {
      const r = spawnCli([...args]);
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `infercost: ${message}\n`]);
    }
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });
});

describe('prices import into a folder: every profile or none', () => {
  const CATALOG =
    'InstanceType,AcceleratorName,AcceleratorCount,Price,Region\np6,B200,8,113.93,us-east-1\np5,H100,8,55.04,us-east-1\n';
  it('two profiles with one file name are refused before either is written', () => {
    const dir = fresh();
    for (const [sub, id] of [
      ['a', 'h100-sxm'],
      ['b', 'h200-sxm'],
    ] as const) {
      mkdirSync(join(dir, 'c', sub), { recursive: true });
      writeFileSync(
        join(dir, 'c', sub, 'chip.yaml'),
        readFileSync(join(REPO, `profiles/accelerators/${id}.yaml`), 'utf8'),
      );
    }
    const cat = join(dir, 'cat.csv');
    writeFileSync(
      cat,
      'InstanceType,AcceleratorName,AcceleratorCount,Price,Region\np5,H100,8,55.04,us-east-1\np5e,H200,8,80,us-east-1\n',
    );
    mkdirSync(join(dir, 'out'));
    const args = ['prices', 'import', cat, '--provider', 'AWS', '--as-of', '2026-07-30'];
    const r = spawnCli(['--profiles', join(dir, 'c'), ...args, '--output-dir', join(dir, 'out')]);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      `infercost: ${join(dir, 'out', 'chip.yaml')}: h100-sxm and h200-sxm would both be written to this file (their profiles share a file name); nothing written\n`,
    ]);
    expect(existsSync(join(dir, 'out', 'chip.yaml'))).toBe(false);
  });

  it('a target that cannot be written leaves the others as they were', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'h100-sxm.yaml'), { recursive: true }); // a folder where H100's file goes
    writeFileSync(join(dir, 'b200.yaml'), 'OLD\n');
    const cat = join(dir, 'cat.csv');
    writeFileSync(cat, CATALOG);
    const r = spawnCli([
      'prices',
      'import',
      cat,
      '--provider',
      'AWS',
      '--as-of',
      '2026-07-30',
      '--output-dir',
      dir,
    ]);
    expect([r.code, r.stderr]).toEqual([
      2,
      `infercost: ${join(dir, 'h100-sxm.yaml')} cannot write the output file: it is a directory\n`,
    ]);
    expect(readFileSync(join(dir, 'b200.yaml'), 'utf8')).toBe('OLD\n');
  });

  it('a byte-order mark before a quoted header is read (Excel writes one)', () => {
    const dir = fresh();
    const cat = join(dir, 'bom.csv');
    writeFileSync(
      cat,
      '\uFEFF"InstanceType","AcceleratorName","AcceleratorCount","Price","Region"\n"p5","H100","8","55.04","us-east-1"\n',
    );
    const r = spawnCli(['prices', 'import', cat, '--provider', 'AWS', '--as-of', '2026-07-30']);
    expect(r.code).toBe(0);
    // 55.04 / 8 chips = 6.88 per chip-hour.
    expect(r.stdout).toMatch(/│ h100-sxm │ on_demand │ +6\.88 │ us-east-1 │/);
  });
});

describe('measured rows: what a reader would otherwise drop', () => {
  it('a column named twice, a header with no rows: one located line, exit 2', () => {
    const dir = fresh();
    const dup = join(dir, 'dup.csv');
    writeFileSync(dup, `${HEADER},output_tokens_per_s_per_chip\n${MEASURED[1]},99999\n`);
    const a = spawnCli(['backtest', dup]);
    const first = HEADER.split(',').indexOf('output_tokens_per_s_per_chip') + 1;
    expect([a.code, a.stdout, a.stderr]).toEqual([
      2,
      '',
      `infercost: ${dup}:1:${HEADER.length + 2} output_tokens_per_s_per_chip: duplicate column (also column ${first})\n`,
    ]);
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, `${HEADER}\n`);
    const b = spawnCli(['backtest', empty]);
    expect([b.code, b.stderr]).toEqual([2, `infercost: ${empty} no measured rows under the header\n`]);
  });

  it('a row naming a chip with no profile is listed with a did-you-mean and said on stderr, not fitted', () => {
    const dir = fresh();
    const typo = join(dir, 'typo.csv');
    const row = (MEASURED[1] as string).replace(',h100-sxm,', ',h100-smx,');
    const id = row.split(',')[0];
    writeFileSync(typo, `${HEADER}\n${MEASURED[1]}\n${row.replace(`${id},`, `${id}-typo,`)}\n`);
    const r = spawnCli(['backtest', typo]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(': no accelerator profile "h100-smx"; did you mean "h100-sxm"?');
    expect(r.stderr).toBe(
      `infercost: 1 of 2 rows cannot be run and are listed with the reason: ${id}-typo: no accelerator profile "h100-smx"; did you mean "h100-sxm"?\n`,
    );
    // Cross-validated, the report has no line for it: stderr says it is left out.
    const cv = spawnCli(['backtest', typo, '--cv', '--format', 'json']);
    expect(cv.code).toBe(0);
    expect(cv.stdout).not.toContain('-typo');
    expect(cv.stderr).toBe(
      `infercost: 1 of 2 rows cannot be run and are left out: ${id}-typo: no accelerator profile "h100-smx"; did you mean "h100-sxm"?\n`,
    );
  });

  it('a file none of whose rows can run is bad input (exit 2), not an empty result', () => {
    const dir = fresh();
    const typo = join(dir, 'typo.csv');
    const row = (MEASURED[1] as string).replace(',h100-sxm,', ',h100-smx,');
    const id = row.split(',')[0];
    writeFileSync(typo, `${HEADER}\n${row}\n${row.replace(`${id},`, `${id}-2,`)}\n`);
    // --against and --choose fit for many minutes: refused before the first fit, as the others.
    for (const extra of [
      [],
      ['--cv'],
      ['--cv', '--against', 'fp8_attention=on'],
      ['--cv', '--choose', 'attention_efficiency_ratio=0.75,1'],
    ]) {
      const r = spawnCli(['backtest', typo, ...extra]);
      expect([r.code, r.stdout, r.stderr]).toEqual([
        2,
        '',
        `infercost: none of the 2 row(s) can be run: ${id}: no accelerator profile "h100-smx"; did you mean "h100-sxm"? (and 1 more)\n`,
      ]);
    }
  });
});

describe('calibrate --accelerator fits the stack its rows ran on', () => {
  const nimRows = () => {
    const dir = fresh();
    const file = join(dir, 'nim.csv');
    writeFileSync(file, `${[HEADER, ...MEASURED.filter((l) => l.startsWith('nim-h100-70b'))].join('\n')}\n`);
    return { dir, file };
  };

  it('NIM rows fit stacks.nim (the default, trtllm, untouched), and "before" is the NIM prediction', () => {
    const { dir, file } = nimRows();
    const out = join(dir, 'h100-nim.yaml');
    const r = spawnCli(['calibrate', file, '--accelerator', 'h100-sxm', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('fitted the nim stack');
    // "before" is what backtest reports for these rows with the bundled profile.
    const backtest = JSON.parse(spawnCli(['backtest', file, '--format', 'json']).stdout);
    const all = backtest.summary.find((g: { group: string }) => g.group === 'all');
    expect(r.stderr).toContain(`median |error| ${all.median_abs_error_pct.toFixed(1)}% ->`);
    const before = parse(readFileSync(join(REPO, 'profiles/accelerators/h100-sxm.yaml'), 'utf8'));
    const after = parse(readFileSync(out, 'utf8'));
    expect(after.stacks.trtllm).toEqual(before.stacks.trtllm);
    expect(after.stacks.nim.fitted_on).toEqual([
      'nim-h100-70b-c1',
      'nim-h100-70b-c5',
      'nim-h100-70b-c25',
      'nim-h100-70b-c50',
      'nim-h100-70b-c100',
    ]);
    // The profile written predicts these rows as calibrate said it would.
    const refit = JSON.parse(spawnCli(['--profiles', out, 'backtest', file, '--format', 'json']).stdout);
    const median = refit.summary.find((g: { group: string }) => g.group === 'all').median_abs_error_pct;
    expect(r.stderr).toContain(`-> ${median.toFixed(1)}%`);
  });

  it('a stack the chip has no factors for, options of the other mode and an empty --factors are exit 2', () => {
    const { dir, file } = nimRows();
    for (const [args, message] of [
      [
        ['--accelerator', 'h100-sxm', '--stack', 'sglang'],
        '--stack sglang: h100-sxm has no factors for this stack (it has nim, trtllm, vllm); calibrate --all fits a stack new to a chip',
      ],
      [
        ['--all', '-o', join(dir, 'x.yaml')],
        '-o/--output (--all writes a folder: --output-dir) is for --accelerator, not --all',
      ],
      [
        ['--accelerator', 'h100-sxm', '--output-dir', dir],
        '--output-dir is for --all (one profile per chip); with --accelerator, -o FILE writes the profile',
      ],
      [
        ['--accelerator', 'h100-sxm', '--factors', ''],
        '--factors "": expected some of eta_mem, eta_prefill, eta_decode, eta_link, t_step0_ms',
      ],
    ] as const) {
      const r = spawnCli(['calibrate', file, ...args]);
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `infercost: ${message}\n`]);
    }
  });
});
