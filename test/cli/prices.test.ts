// infercost prices import (issue 13): a downloaded price catalog into dated quotes per chip.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const CATALOG = 'test/fixtures/good/catalogs/aws-vms.csv';

/** The fixture catalog's AWS quotes as of 2026-07-30, written as profiles into `dir`. */
const importInto = (dir: string, asOf = '2026-07-30') =>
  runCli(['prices', 'import', CATALOG, '--provider', 'AWS', '--as-of', asOf, '--output-dir', dir]);

describe('infercost prices import', () => {
  it('the cheapest quote per chip: $55.04/h over 8 H100 = $6.88; 700.0 (SkyPilot: not offered) skipped', async () => {
    const r = await runCli(['prices', 'import', CATALOG, '--provider', 'AWS', '--as-of', '2026-07-30']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/│ h100-sxm +│ on_demand +│ +6\.88 │ us-east-1/); // 55.04 / 8
    expect(r.stdout).toMatch(/│ h100-sxm +│ spot +│ +2\.76 │/); // 22.1 / 8 = 2.7625
    expect(r.stdout).toMatch(/│ trainium2 +│ on_demand +│ +5\.37 │ us-east-2/); // 85.964 / 16
    expect(r.stdout).not.toMatch(/trainium2 +│ spot/); // 700.0 means not offered
    expect(r.stderr).toBe('not imported (no profile): L40S (1 rows)\n');
  });

  it('--output-dir writes profiles whose AWS quotes are replaced and others kept; they validate and compare uses them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-prices-'));
    const r = await importInto(dir);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([
      'b200.yaml',
      'h100-sxm.yaml',
      'h200-sxm.yaml',
      'trainium2.yaml',
    ]);
    const v = await runCli(['validate', join(dir, 'h100-sxm.yaml')]);
    expect(v.code).toBe(0);
    const c = await runCli([
      '--profiles',
      dir,
      'compare',
      'profiles/workloads/chat.yaml',
      '--format',
      'json',
    ]);
    const h100 = JSON.parse(c.stdout).results[0].accelerators.find(
      (a: { id: string }) => a.id === 'h100-sxm',
    );
    expect(h100.price).toMatchObject({
      provider: 'AWS',
      usd_per_chip_hour: 6.88,
      as_of: '2026-07-30',
      basis: 'hyperscaler',
    });
    const show = await runCli(['--profiles', dir, 'profiles', 'show', 'h100-sxm']);
    expect(show.stdout).toContain('GCP'); // the other providers' quotes stay
  });

  it("a chip count written 8.0 (SkyPilot's AcceleratorCount is a float column) is 8 chips", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-prices-'));
    const catalog = join(dir, 'lambda.csv');
    // a row of SkyPilot's Lambda catalog (v8): $23.92/h over 8.0 H100 = $2.99
    writeFileSync(
      catalog,
      'InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,Region,GpuInfo,SpotPrice\ngpu_8x_h100_sxm5,H100,8.0,208.0,1800.0,23.92,us-east-1,,\n',
    );
    const r = await runCli(['prices', 'import', catalog, '--provider', 'Lambda', '--as-of', '2025-06-01']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/│ h100-sxm +│ on_demand +│ +2\.99 │/);
  });

  it("a profile's newer quote replaced by an older catalog's is said on stderr (it went without a word)", async () => {
    const r = await importInto(mkdtempSync(join(tmpdir(), 'infercost-prices-')), '2025-06-01');
    expect(r.code).toBe(0);
    // H100's bundled AWS on-demand quote is dated 2026-01, newer than 2025-06-01
    expect(r.stderr).toMatch(
      /^replaced newer quotes with this catalog's, as of 2025-06-01: .*h100-sxm on_demand \(AWS's quote as of 2026-01\)/,
    );
    // No such line for a catalog dated after every bundled quote (the tests' today), nor for one
    // dated by its year alone (not known to be older than a quote of that year).
    for (const asOf of ['2026-11-23', '2026']) {
      const q = await importInto(mkdtempSync(join(tmpdir(), 'infercost-prices-')), asOf);
      expect([asOf, q.code]).toEqual([asOf, 0]);
      expect(q.stderr).not.toContain('replaced newer quotes');
    }
  });

  it('a bad date or a file that is not a catalog is one line, exit 2', async () => {
    const bad = await runCli(['prices', 'import', CATALOG, '--provider', 'AWS', '--as-of', 'July']);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      "infercost: --as-of July: expected the catalog's date as YYYY, YYYY-MM or YYYY-MM-DD\n",
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'infercost-prices-'));
    const notCsv = join(dir, 'x.csv');
    writeFileSync(notCsv, 'a,b\n1,2\n');
    const r = await runCli(['prices', 'import', notCsv, '--provider', 'AWS', '--as-of', '2026-07']);
    expect([r.code, r.stderr]).toEqual([
      2,
      `infercost: ${notCsv}:1:1 not a price catalog: no InstanceType column (expected SkyPilot's vms.csv format)\n`,
    ]);
  });

  it('a price or chip count that is not a number is an error at its cell; nothing is printed or written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-prices-'));
    const head = 'InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,SpotPrice,Region\n';
    const cases: [string, string][] = [
      [
        'p5.48xlarge,H100,8,192,2048,1e400,,us-east-1\n',
        ':2:29 Price: expected a price in USD per hour, got "1e400"',
      ],
      [
        'p5.48xlarge,H100,8,192,2048,-3,,us-east-1\n',
        ':2:29 Price: expected a price in USD per hour, got "-3"',
      ],
      [
        // $11,250 per chip-hour: the profile it would go into fails its own bound (issue 9 audit).
        'p5.48xlarge,H100,8,192,2048,90000,,us-east-1\n',
        ':2:29 Price: expected a price of at most $10,000 per chip-hour ($90000/h over 8 chips is $11250), got "90000"',
      ],
      [
        'p5.48xlarge,H100,2.5,192,2048,55,,us-east-1\n',
        ':2:18 AcceleratorCount: expected a whole number of chips, got "2.5"',
      ],
      // hex reads as a number to Number() (0x8 = 8, 0x10 = 16): no catalog means it
      [
        'p5.48xlarge,H100,0x8,192,2048,55,,us-east-1\n',
        ':2:18 AcceleratorCount: expected a whole number of chips, got "0x8"',
      ],
      [
        'p5.48xlarge,H100,8,192,2048,0x10,,us-east-1\n',
        ':2:29 Price: expected a price in USD per hour, got "0x10"',
      ],
      // written above zero, read as 0: it passed for "not offered" and the row was dropped
      [
        'p5.48xlarge,H100,8,192,2048,1e-400,,us-east-1\n',
        ':2:29 Price: expected a price in USD per hour, got "1e-400"',
      ],
    ];
    for (const [row, error] of cases) {
      const catalog = join(dir, 'c.csv');
      writeFileSync(catalog, head + row);
      const out = join(dir, 'out');
      const r = await runCli([
        'prices',
        'import',
        catalog,
        '--provider',
        'AWS',
        '--as-of',
        '2026-07',
        '--output-dir',
        out,
      ]);
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `infercost: ${catalog}${error}\n`]);
      expect(readdirSync(dir)).toEqual(['c.csv']);
    }
  });

  it('a sub-cent quote prints its two significant digits, not 0.00', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-prices-'));
    const catalog = join(dir, 'c.csv');
    writeFileSync(
      catalog,
      'InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,SpotPrice,Region,AvailabilityZone\n' +
        'p5,H100,8,192,2048,0.0001,,us-east-1,a\n',
    );
    const r = await runCli(['prices', 'import', catalog, '--provider', 'AWS', '--as-of', '2026-07-30']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/│ h100-sxm +│ on_demand +│ +0\.000013 │ us-east-1/); // 0.0001 / 8
    expect(r.stderr).toBe('');
  });

  it('a catalog with no chip infercost profiles is an error, with no empty table on stdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-prices-'));
    const catalog = join(dir, 'c.csv');
    writeFileSync(catalog, 'InstanceType,AcceleratorName,AcceleratorCount,Price\ng6e.xlarge,L40S,1,1.86\n');
    const r = await runCli(['prices', 'import', catalog, '--provider', 'AWS', '--as-of', '2026-07']);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      `infercost: ${catalog}: no row prices an accelerator infercost profiles (names without a profile: L40S)\n`,
    ]);
  });

  it('--output-dir rewrites only the prices: the rest of the profile stays byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-prices-'));
    const r = await importInto(dir);
    expect(r.code).toBe(0);
    const original = readFileSync('profiles/accelerators/h100-sxm.yaml', 'utf8');
    const written = readFileSync(join(dir, 'h100-sxm.yaml'), 'utf8');
    // Before `prices:` and from `tco:` on (sources with lines past 110 columns among them), the
    // same text: an earlier writer re-serialised the whole file and folded those lines.
    expect(written.slice(0, written.indexOf('\nprices:'))).toBe(
      original.slice(0, original.indexOf('\nprices:')),
    );
    expect(written.slice(written.indexOf('\ntco:'))).toBe(original.slice(original.indexOf('\ntco:')));
    expect(original.split('\n').some((line) => line.length > 110)).toBe(true);
  });
});
