// The built binary as a user runs it: stdout, stderr and exit code together.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import { REQUIRED_ACCELERATORS } from '../helpers/data.js';

const CHAT = 'profiles/workloads/chat.yaml';
const ESC = '\u001b[';

describe('infercost compare (built binary)', () => {
  it('prints a table of all twelve accelerators with footnotes, exit 0, nothing on stderr', () => {
    const r = spawnCli(['compare', CHAT]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('chat: Llama 3.3 70B Instruct (fp8 weights), 800 in / 300 out');
    for (const id of REQUIRED_ACCELERATORS) {
      expect(r.stdout).toContain(id);
    }
    expect(r.stdout).toContain('h100-sxm (base)');
    expect(r.stdout).toContain('ran at bf16: no fp8 matrix unit'); // TPU v5e
    expect(r.stdout).toContain('on_demand price is an estimate');
    expect(r.stdout).not.toContain(ESC); // NO_COLOR: no escape codes
    expect(r.stdout).not.toMatch(/NaN|Infinity/);
  });

  it('--format json validates against the JSON Schema that `infercost schema result` prints', () => {
    const r = spawnCli(['compare', CHAT, '--format', 'json', '--pareto']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(spawnCli(['schema', 'result']).stdout);
    const ajv = new Ajv2020.default({ strict: false });
    const validate = ajv.compile(schema);
    const doc = JSON.parse(r.stdout);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.schema_version).toBe(1);
    const h100 = doc.results[0].accelerators.find((a: { id: string }) => a.id === 'h100-sxm');
    expect(h100.vs_baseline.metrics.output_tokens_per_usd.ratio).toBe(1);
    expect(h100.metrics.usd_per_mtok_output).toBeCloseTo(1e6 / h100.metrics.output_tokens_per_usd, 9);
    expect(h100.pareto.length).toBeGreaterThan(2);
  });

  it('--format csv: one header, one row per accelerator, numbers unquoted, RFC 4180 quoting', () => {
    const r = spawnCli(['compare', CHAT, '--format', 'csv']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\r\n').filter((l) => l !== '');
    expect(lines).toHaveLength(15); // header + 14 bundled accelerators
    expect(lines[0]?.startsWith('workload,accelerator,name,status,chips,batch,')).toBe(true);
    const h100 = lines.find((l) => l.startsWith('chat,h100-sxm,'));
    expect(h100).toMatch(/^chat,h100-sxm,NVIDIA H100 SXM,ok,\d+,\d+,fp8,fp8,[0-9.e-]+,/);
    // a warnings field with commas is quoted
    expect(r.stdout).toMatch(/,"[^",]*; efficiency factors assumed, not calibrated: eta_mem, eta_prefill/);
  });

  it('--format ndjson and markdown', () => {
    const nd = spawnCli(['compare', CHAT, '--format', 'ndjson']);
    const rows = nd.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(14);
    expect(rows[0].workload).toBe('chat');
    const md = spawnCli(['compare', CHAT, '--format', 'markdown']);
    expect(md.stdout).toContain('| Accelerator | Stack | Replica | TTFT ms |');
    expect(md.stdout).toContain('|---|---|---:|');
    // A chip that cannot run keeps its note marks, as in the table: the notes listed are its too.
    const three = spawnCli([
      'compare',
      CHAT,
      '--accelerators',
      'h100-sxm,b200,inferentia2',
      '--format',
      'markdown',
      // Inferentia2 runs chat at 40 ms since the thirty-eighth session's collective latency; not at 30.
      '--set',
      'slo.tpot_ms=30',
    ]);
    expect(three.stdout).toContain(
      '- inferentia2 [1,2,3,4,5,6]: cannot meet SLO: TPOT 32.9 ms at batch 1 on 8 chips > 30.0 ms\n',
    );
    expect(three.stdout).toContain('\n4. efficiency factors assumed, not calibrated: eta_decode\n');
    // At 132 us its 160 all-reduces a token take 21.1 ms of the 32.9: the estimate is named with its ends.
    expect(three.stdout).toContain(
      '\n5. collective latency is an estimate: 132 us, from 58 to 300 us (docs/model.md 11)\n',
    );
    // At 58 us the same 8 chips save 160 x 74 us = 11.8 ms a token: under 30 ms.
    expect(three.stdout).toMatch(
      /\n6\. meets the limits at the collective latency's low end, 58 us: [\d.]+ output tokens\/s per chip there \(docs\/model\.md 11\)\n/,
    );
  });

  it('an empty --power-budget or --demand is one line saying what goes there, not a precision', () => {
    expect(spawnCli(['compare', CHAT, '--power-budget', ''])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'infercost: --power-budget "": expected a value, e.g. 1GW or 300MW\n',
    });
    expect(spawnCli(['compare', CHAT, '--demand', ' ']).stderr).toBe(
      'infercost: --demand " ": expected a value, e.g. 1e12 (output tokens a day)\n',
    );
  });

  it('--expect: PASS exits 0, FAIL exits 1, each with the measured ratio', () => {
    // Thresholds sit outside the stated ranges (H100 and H200 on TensorRT-LLM: about -41%..+55% each,
    // so a ratio's bounds are about x 0.59/1.55 = 0.38 .. x 2.6): PASS and FAIL, never UNCERTAIN.
    const pass = spawnCli(['compare', CHAT, '--expect', 'h200-sxm/h100-sxm tokens_per_watt >= 0.4']);
    expect(pass.code).toBe(0);
    expect(pass.stderr).toMatch(
      /^PASS chat: h200-sxm\/h100-sxm tokens_per_watt >= 0.4: tokens_per_joule_output ratio \d\.\d+ >= 0\.4/,
    );
    const fail = spawnCli(['compare', CHAT, '--expect', 'h200-sxm/h100-sxm tokens_per_dollar >= 10']);
    expect(fail.code).toBe(1);
    expect(fail.stderr).toMatch(
      /^FAIL chat: h200-sxm\/h100-sxm tokens_per_dollar >= 10: output_tokens_per_usd ratio \d\.\d+ not >= 10/,
    );
    const absolute = spawnCli(['compare', CHAT, '--expect', 'h100-sxm usd_per_mtok_output <= 10']);
    expect(absolute.code).toBe(0);
    expect(absolute.stderr).toMatch(
      /^PASS chat: h100-sxm usd_per_mtok_output <= 10: usd_per_mtok_output \d+(\.\d+)? <= 10/,
    );
  });

  it('--expect: UNCERTAIN when the stated ranges straddle the threshold; --strict makes it fail', () => {
    // chat: the ratio is about 1.24, its bounds about 0.40..3.4 (Ironwood's price estimate, its
    // -43%..+43% interval from its own three rows and H100's -27%..+36%), so 2 lies inside them
    const claim = 'tpu-v7-ironwood/h100-sxm tokens_per_dollar >= 2';
    const r = spawnCli(['compare', CHAT, '--expect', claim]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^UNCERTAIN chat: tpu-v7-ironwood\/h100-sxm tokens_per_dollar >= 2: output_tokens_per_usd ratio \d\.\d+ \(range \d\.\d+\.\.\d+(\.\d+)? over the stated ranges\) straddles >= 2/,
    );
    expect(spawnCli(['compare', CHAT, '--expect', claim, '--strict']).code).toBe(1);
  });

  it("--expect: a chip that runs nothing at its latency estimate's high end reads as serving nothing there (docs/model.md 7a)", () => {
    // Inferentia2 on chat: 160 all-reduces a token at 300 us are 48 ms against the 40 ms TPOT, so
    // nothing runs there. As the subject it serves 0 tokens per dollar there: ">= 0.05" holds over
    // the range 0.055..0.51 but not at 300 us (PASS before); as the divisor of $ per 1M it makes the
    // ratio 0, so "<= 0.6" holds there too: PASS.
    const r = spawnCli([
      'compare',
      CHAT,
      '--accelerators',
      'inferentia2,h100-sxm',
      '--expect',
      'inferentia2/h100-sxm tokens_per_dollar >= 0.05',
      '--expect',
      'h100-sxm/inferentia2 usd_per_mtok_output <= 0.6',
      '--expect',
      'inferentia2/h100-sxm tokens_per_dollar >= 0.6',
      // requests per second follows throughput too: nothing served is 0 requests
      '--expect',
      'inferentia2 requests_per_s_per_chip >= 0.01',
    ]);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toMatch(
      /^UNCERTAIN chat: inferentia2\/h100-sxm tokens_per_dollar >= 0\.05: output_tokens_per_usd ratio 0\.\d+ >= 0\.05 \(range 0\.\d+\.\.0\.\d+\), but inferentia2 runs no deployment at 300 us, the high end of its collective latency estimate \(docs\/model\.md 7a\)$/,
    );
    expect(lines[1]).toMatch(/^PASS chat: h100-sxm\/inferentia2 usd_per_mtok_output <= 0\.6: /);
    // Nothing served is not 0.6 either: FAIL stands.
    expect(lines[2]).toMatch(/^FAIL chat: inferentia2\/h100-sxm tokens_per_dollar >= 0\.6: /);
    expect(lines[3]).toMatch(
      /^UNCERTAIN chat: inferentia2 requests_per_s_per_chip >= 0\.01: .*, but inferentia2 runs no deployment at 300 us/,
    );
  });

  it('a power end where nothing meets the limits keeps its price and capex widening (docs/model.md 11)', () => {
    // Trainium3 on summarization, TTFT <= 170 ms, a 700 W cap: at its TDP's stated high (1,400 W)
    // the cap's clock misses the TTFT on every deployment. That end still prices at the capex's
    // high, so tokens per dollar's low end sits below throughput's by the price ratio (a review
    // helper found the end dropped, and tok/$ low moved from 832.5 to 1,037.8 with throughput's).
    const args = ['--accelerators', 'trainium3', '--set', 'slo.ttft_ms=170', '--set', 'site.power_cap_w=700'];
    const hot = spawnCli([
      'compare',
      'profiles/workloads/summarization.yaml',
      ...args,
      '--set',
      'trainium3.power.tdp_w=1400',
    ]);
    expect(hot.stdout).toMatch(/trainium3 .*cannot meet SLO: TTFT 171 ms/);
    const r = spawnCli(['compare', 'profiles/workloads/summarization.yaml', ...args, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const a = JSON.parse(r.stdout).results[0].accelerators.find((x: { id: string }) => x.id === 'trainium3');
    const x = a.ranges.output_tokens_per_s_per_chip;
    const tpd = a.ranges.output_tokens_per_usd;
    expect(tpd.low / tpd.expected).toBeLessThan((x.low / x.expected) * 0.9);
  });

  it("an estimated TDP's high where the cap's clock runs nothing is said, and reads as serving nothing (docs/model.md 11, 7a)", () => {
    // Trainium3 (TDP 1,000 W, estimated up to 1,400 W) under a 950 W cap, TTFT <= 169.5 ms, the
    // collective latency set exactly: at 1,000 W the clock is cbrt(0.95) = 0.983 and at exponent 1
    // 0.95, both running; at 1,400 W it is cbrt(950 / 1400) = 0.879, where no deployment meets the TTFT.
    const r = spawnCli([
      'compare',
      'profiles/workloads/summarization.yaml',
      '--accelerators',
      'trainium3',
      '--baseline',
      'trainium3',
      ...['--set', 'site.power_cap_w=950', '--set', 'slo.ttft_ms=169.5'],
      ...['--set', 'trainium3.interconnect.latency_us=132'],
      '--expect',
      'trainium3 tokens_per_dollar >= 1',
      '--format',
      'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const a = JSON.parse(r.stdout).results[0].accelerators[0];
    expect(a.status).toBe('ok');
    expect(a.warnings.find((w: { code: string }) => w.code === 'POWER_ESTIMATE')).toEqual({
      code: 'POWER_ESTIMATE',
      field: 'tdp',
      unmetAtTdpW: 1400,
      capW: 950,
      message:
        'chip power (TDP) is an estimate; at its stated high, 1,400 W, the 950 W cap slows the clock until no deployment meets the limits, which the range leaves out (docs/model.md 11)',
    });
    expect(a.warnings.find((w: { code: string }) => w.code === 'POWER_CAP_BELOW_TDP')).not.toHaveProperty(
      'unmetAtLow',
    );
    // tokens per dollar's range lies above 1 throughout; serving nothing reads 0 there
    expect(a.ranges.output_tokens_per_usd.low).toBeGreaterThan(1);
    expect(r.stderr).toMatch(
      /^UNCERTAIN summarization: trainium3 tokens_per_dollar >= 1: .*, but trainium3 runs no deployment at a 1,400 W TDP under the 950 W cap, the high end of its TDP estimate \(docs\/model\.md 7a\)\n$/,
    );
  });

  it('--set changes a profile price for this run, and tokens/$ moves in inverse proportion', () => {
    const base = JSON.parse(
      spawnCli(['compare', CHAT, '--format', 'json', '--accelerators', 'tpu-v7-ironwood']).stdout,
    );
    const set = JSON.parse(
      spawnCli([
        'compare',
        CHAT,
        '--format',
        'json',
        '--accelerators',
        'tpu-v7-ironwood',
        '--set',
        'tpu-v7-ironwood.price.on_demand=18.96',
      ]).stdout,
    );
    const tpd = (d: {
      results: { accelerators: { id: string; metrics: { output_tokens_per_usd: number } }[] }[];
    }) =>
      d.results[0]?.accelerators.find((a) => a.id === 'tpu-v7-ironwood')?.metrics.output_tokens_per_usd ?? 0;
    expect(tpd(set)).toBeCloseTo(tpd(base) / 2, 6); // 18.96 = 2 x 9.48
    expect(set.results[0].workload.overrides).toEqual(['tpu-v7-ironwood.price.on_demand=18.96']);
    // The user's price is a quote of its own, exact: the estimate's $6.79-$12.16 no longer widens
    // the tokens/$ range, which then moves with throughput alone (docs/model.md section 11).
    const row = (d: typeof set) =>
      d.results[0].accelerators.find((a: { id: string }) => a.id === 'tpu-v7-ironwood');
    expect(row(set).price).toMatchObject({
      provider: 'command line',
      basis: 'user',
      usd_per_chip_hour: 18.96,
    });
    const spread = (r: { low: number; expected: number }) => r.expected / r.low;
    expect(spread(row(set).ranges.output_tokens_per_usd)).toBeCloseTo(
      spread(row(set).ranges.output_tokens_per_s_per_chip),
      9,
    );
    expect(spread(row(base).ranges.output_tokens_per_usd)).toBeCloseTo(
      spread(row(base).ranges.output_tokens_per_s_per_chip) * (12.16 / 9.48),
      9,
    );
  });

  it('--set on a workload field by its leaf name', () => {
    const r = JSON.parse(
      spawnCli(['compare', CHAT, '--format', 'json', '--set', 'tpot_ms=100', '--accelerators', 'h100-sxm'])
        .stdout,
    );
    expect(r.results[0].workload.tpot_limit_s).toBe(0.1);
  });

  it('reads the workload from stdin with -', () => {
    const r = spawnCli(['compare', '-', '--format', 'csv', '--accelerators', 'b200'], {
      stdin: readFileSync(CHAT, 'utf8'),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\r\nchat,b200,/); // the name inside the file
  });

  it('claim and report read - too, though they load the workload more than once', () => {
    // Stdin is read once and kept: the second load used to find it empty ("file is empty").
    const stdin = readFileSync(CHAT, 'utf8');
    const claim = spawnCli(['claim', 'b200/h100-sxm tokens_per_dollar >= 1.1', '-', '--format', 'json'], {
      stdin,
    });
    expect([claim.code, claim.stderr]).toEqual([0, '']);
    expect(JSON.parse(claim.stdout).workloads[0].workload).toBe('chat');
    const report = spawnCli(['report', '-', '--format', 'svg', '--accelerators', 'b200,h100-sxm'], { stdin });
    expect([report.code, report.stderr]).toEqual([0, '']);
    expect(report.stdout).toMatch(/^<svg/);
  });

  it('bad input: one line naming file, line and field, exit 2, no stack trace', () => {
    const r = spawnCli(['compare', 'test/fixtures/bad/workloads/33-unknown-model.yaml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `infercost: test/fixtures/bad/workloads/33-unknown-model.yaml:2:8 model: unknown model "llama-3.1-8bb"; did you mean "llama-3.1-8b"? (see 'infercost models')\n`,
    );
  });

  it('an unknown accelerator or flag is a usage error, exit 2', () => {
    const r = spawnCli(['compare', CHAT, '--accelerators', 'h100']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown accelerator "h100"; did you mean "h100-sxm"\?/);
    const f = spawnCli(['compare', CHAT, '--formt', 'json']);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/unknown option '--formt'/);
  });

  it('--output writes the file atomically and prints nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const out = join(dir, 'result.json');
    const r = spawnCli(['compare', CHAT, '--format', 'json', '--output', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(true);
    expect(JSON.parse(readFileSync(out, 'utf8')).schema_version).toBe(1);
    expect(readdirSync(dir)).toEqual(['result.json']);
  });

  it('colour appears only when forced, never with NO_COLOR or a data format', () => {
    const forced = spawnCli(['compare', CHAT], { env: { FORCE_COLOR: '1', NO_COLOR: '' } });
    expect(forced.stdout).toContain(ESC);
    const json = spawnCli(['compare', CHAT, '--format', 'json'], { env: { FORCE_COLOR: '1', NO_COLOR: '' } });
    expect(json.stdout).not.toContain(ESC);
    const noColor = spawnCli(['--no-color', 'compare', CHAT], { env: { FORCE_COLOR: '1', NO_COLOR: '' } });
    expect(noColor.stdout).not.toContain(ESC);
  });

  it('every bundled workload runs', () => {
    for (const w of readdirSync('profiles/workloads')) {
      const r = spawnCli(['compare', `profiles/workloads/${w}`, '--format', 'json']);
      expect(r.code, w).toBe(0);
      expect(r.stdout).not.toMatch(/NaN|Infinity/);
      // Byte counts are whole bytes: rag's Llama 3.1 8B at BF16 is 8.03e9 x 2 = 16,060,000,000,
      // which floating point made 16059999999.999998 until parameter counts were rounded to whole
      // parameters where billions convert (src/schema/convert.ts).
      for (const a of JSON.parse(r.stdout).results[0].accelerators)
        if (a.deployment)
          for (const k of ['weight_bytes', 'kv_bytes_per_token_replica'])
            expect(Number.isInteger(a.deployment[k]), `${w} ${a.id} ${k} ${a.deployment[k]}`).toBe(true);
    }
    const rag = JSON.parse(spawnCli(['compare', 'profiles/workloads/rag.yaml', '--format', 'json']).stdout);
    const h100 = rag.results[0].accelerators.find((a: { id: string }) => a.id === 'h100-sxm');
    expect(h100.deployment.weight_bytes).toBe(16_060_000_000);
  });
});

describe('the start-up snapshot never serves an edited profile', () => {
  it('re-reads a bundled YAML whose content changed since the build', async () => {
    const { cpSync, writeFileSync: write } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'infercost-pkg-'));
    for (const part of ['bin', 'dist', 'profiles', 'data', 'package.json'])
      cpSync(part, join(dir, part), { recursive: true });
    const profile = join(dir, 'profiles/accelerators/h100-sxm.yaml');
    write(
      profile,
      readFileSync(profile, 'utf8').replace('name: NVIDIA H100 SXM\n', 'name: NVIDIA H100 SXM (edited)\n'),
    );
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, [join(dir, 'bin/infercost'), 'profiles', '--format', 'json'], {
      cwd: tmpdir(),
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const h100 = (JSON.parse(r.stdout) as { id: string; name: string }[]).find((p) => p.id === 'h100-sxm');
    expect(h100?.name).toBe('NVIDIA H100 SXM (edited)');
  });
});

describe('a format the factors were never fitted in (docs/model.md section 12a)', () => {
  const warnings = (extra: string[]) => {
    const r = spawnCli([
      'compare',
      'profiles/workloads/rag.yaml',
      '--accelerators',
      'mi300x',
      '--format',
      'json',
      ...extra,
    ]);
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout).results[0].accelerators.find((a: { id: string }) => a.id === 'mi300x')
      .warnings;
  };

  it('MI300X, fitted on FP8 rows only, says so for a BF16 workload, and not for an FP8 one or when every factor is set', () => {
    // rag.yaml runs Llama 3.1 8B in BF16; MI300X's vLLM pair fit has FP8 rows only (its profile's fitted_formats).
    expect(warnings([])).toContainEqual({
      code: 'FORMAT_UNFITTED',
      used: 'bf16',
      fitted: ['fp8'],
      message: 'efficiency factors fitted on fp8 rows only; this runs bf16',
    });
    const fp8 = ['--set', 'precision.weights=fp8', '--set', 'precision.activations=fp8'];
    expect(warnings(fp8).map((w: { code: string }) => w.code)).not.toContain('FORMAT_UNFITTED');
    const every = [
      'eta_mem=0.8',
      'eta_prefill=0.6',
      'eta_decode=0.4',
      'eta_link=0.7',
      't_step0_ms=5',
    ].flatMap((x) => ['--set', `efficiency.${x}`]);
    expect(warnings(every).map((w: { code: string }) => w.code)).not.toContain('FORMAT_UNFITTED');
    // The table carries it as a footnote.
    const table = spawnCli(['compare', 'profiles/workloads/rag.yaml', '--accelerators', 'mi300x']);
    expect(table.stdout).toMatch(/\[\d+\] efficiency factors fitted on fp8 rows only; this runs bf16/);
  });
});

describe('a fit per layout (docs/model.md 12a, layout_pairs)', () => {
  const run = (extra: string[]) =>
    spawnCli(['compare', CHAT, '--set', 'model=deepseek-v3', '--accelerators', 'h200-sxm,mi355x', ...extra]);
  const of = (r: ReturnType<typeof run>, id: string) =>
    JSON.parse(r.stdout).results[0].accelerators.find((a: { id: string }) => a.id === id);

  it("switched on, H200's MoE deployment across chips runs at the profile's moe_across factors, marked +; MI355X has none", () => {
    const off = run(['--format', 'json']);
    const on = run(['--format', 'json', '--set', 'mechanisms.layout_pairs=true']);
    expect([off.code, on.code, off.stderr, on.stderr]).toEqual([0, 0, '', '']);
    const h200Off = of(off, 'h200-sxm');
    const h200On = of(on, 'h200-sxm');
    expect(h200Off.stack).toEqual({ name: 'trtllm', level: 'pair' });
    expect(h200On.stack).toEqual({ name: 'trtllm', level: 'pair', moe_across: true });
    expect(h200On.deployment.chips).toBeGreaterThan(1);
    // The factors reported are the moe_across entry's, read from the profile the binary bundles.
    expect(h200On.efficiency.eta_link.value).not.toBe(h200Off.efficiency.eta_link.value);
    expect(h200On.metrics.output_tokens_per_s_per_chip).not.toBe(
      h200Off.metrics.output_tokens_per_s_per_chip,
    );
    // MI355X has no row of the class with a published input: no fit, nothing changes.
    expect(of(on, 'mi355x').stack.moe_across).toBeUndefined();
    expect(of(on, 'mi355x').metrics).toEqual(of(off, 'mi355x').metrics);
    const table = run(['--set', 'mechanisms.layout_pairs=true']);
    expect(table.stdout).toMatch(/│ trtllm\+ /);
    expect(table.stdout).toContain('+ its fit on MoE models served across chips');
    expect(run([]).stdout).not.toContain('trtllm+');
  });
});

describe('factors fitted where no input length was published (docs/model.md 12c)', () => {
  // MI325X: its rows are all MLPerf (MI355X was the example until the twentieth session, when its
  // gpt-oss-120b rows got their published input).
  it('MI325X, fitted on MLPerf results alone (docs/model.md 12c), says so; MI300X, fitted on published inputs, does not', () => {
    const r = spawnCli(['compare', CHAT, '--accelerators', 'mi325x,mi300x', '--format', 'json']);
    expect(r.code).toBe(0);
    const codes = (id: string): string[] =>
      JSON.parse(r.stdout)
        .results[0].accelerators.find((a: { id: string }) => a.id === id)
        .warnings.map((w: { code: string }) => w.code);
    expect(codes('mi325x')).toContain('INPUTS_ESTIMATED');
    expect(codes('mi300x')).not.toContain('INPUTS_ESTIMATED');
  });

  it('profiles names where the factors came from: own MLPerf rows for MI325X, own rows for MI300X', () => {
    const r = spawnCli(['profiles'], { env: { COLUMNS: '200' } });
    expect(r.code).toBe(0);
    const line = (id: string) => r.stdout.split('\n').find((l: string) => l.includes(`│ ${id} `)) ?? '';
    expect(line('mi325x')).toContain('vllm: own MLPerf rows');
    expect(line('mi300x')).toContain('vllm: own rows');
  });

  it('calibrate --accelerator on such a chip exits 2 with one line that names both ways to fit its rows', () => {
    const c = spawnCli(['calibrate', '--accelerator', 'mi325x']);
    expect(c.code).toBe(2);
    expect(c.stdout).toBe('');
    expect(c.stderr).toBe(
      "infercost: no measured rows for mi325x that the engine can represent (rows with an assumed input length need --include-assumed-input, which fits them at the length written; calibrate --all fits them at their datasets' estimated inputs, docs/model.md 12c)\n",
    );
  });
});

describe('fleet columns (docs/model.md section 8)', () => {
  it('--power-budget 1GW: each chip fills it with whole replicas; the table and CSV show the fleet', () => {
    const r = spawnCli([
      'compare',
      CHAT,
      '--power-budget',
      '1GW',
      '--accelerators',
      'h100-sxm',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const a = JSON.parse(r.stdout).results[0].accelerators[0];
    const n = a.deployment.chips;
    const chips = n * Math.floor(1e9 / (n * a.metrics.facility_w_per_chip));
    expect(a.fleet.sized_for).toBe('power_budget');
    expect(a.fleet.chips).toBe(chips);
    expect(a.fleet.output_tokens_per_day).toBeCloseTo(
      chips * a.metrics.output_tokens_per_s_per_chip * 86_400 * 0.7,
      0,
    );
    expect(a.fleet.facility_w).toBeLessThanOrEqual(1e9);
    const table = spawnCli([
      'compare',
      CHAT,
      '--power-budget',
      '300MW',
      '--accelerators',
      'h100-sxm',
      '--wide',
    ]);
    expect(table.stdout).toContain('fleet: each chip filling 300 MW');
    expect(table.stdout).toContain('Fleet chips');
    const csv = spawnCli([
      'compare',
      CHAT,
      '--power-budget',
      '1GW',
      '--accelerators',
      'h100-sxm',
      '--format',
      'csv',
    ]);
    const [head, row] = csv.stdout.split('\r\n');
    const cells = Object.fromEntries((head ?? '').split(',').map((k, i) => [k, (row ?? '').split(',')[i]]));
    expect(cells.fleet_sized_for).toBe('power_budget');
    expect(Number(cells.fleet_chips)).toBe(chips);
  });

  it("a power budget of the wrong type or out of bounds is told what a power is (it was told about precisions, or 'a positive number'), and the JSON Schema refuses what the tool refuses but the 10 TW cap", () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const f = join(dir, 'f.yaml');
    for (const [value, got] of [
      ['[1]', 'a list'],
      ['true', 'true'],
      ['"300 mw"', '"300 mw"'],
      ['0', '0'],
      ['1e14', '100000000000000'],
      ['"0W"', '"0W"'],
    ]) {
      writeFileSync(
        f,
        `objective: min_cost\nworkloads:\n  - workload: chat\n    demand: { output_tokens_per_day: 1.0e12 }\nchips:\n  - id: b200\npower_budget: ${value}\n`,
      );
      const r = spawnCli(['fleet', f]);
      expect([r.code, r.stderr]).toEqual([
        2,
        `infercost: ${f}:7:15 power_budget: expected a power such as 1GW, 300MW, 50kW or a number of watts (at most 10 TW), got ${got}\n`,
      ]);
    }
    // an editor's schema: a positive number of watts, or a string with a unit
    const schema = JSON.parse(spawnCli(['schema', 'workload']).stdout);
    const [num, str] = schema.properties.power_budget.anyOf;
    expect(num).toMatchObject({ type: 'number', exclusiveMinimum: 0, maximum: 1e13 });
    for (const bad of ['-1MW', '0W', '0.0GW', '0 MW']) expect(new RegExp(str.pattern).test(bad)).toBe(false);
    for (const good of ['1.5GW', '1e9', ' 300MW ', '0.5MW', '10e3W'])
      expect(new RegExp(str.pattern).test(good)).toBe(true);
  });

  it('a bad power or both a demand and a budget is one line, exit 2', () => {
    const bad = spawnCli(['compare', CHAT, '--power-budget', '12XW']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^infercost: --power-budget .*expected a power such as 1GW, 300MW/);
    const both = spawnCli(['compare', CHAT, '--power-budget', '1GW', '--demand', '1e12']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give a demand or a power budget, not both');
    expect(both.stdout).toBe('');
  });
});

describe('workload mixes (docs/model.md section 8b)', () => {
  it('each class compared alone, then blended per chip by output-token share', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'infercost-'));
    const file = join(dir, 'prod.yaml');
    writeFileSync(
      file,
      'name: production\nmix:\n  - { workload: chat, share: 0.6 }\n  - { workload: rag, share: 0.3 }\n  - { workload: agentic-coding, share: 0.1 }\n',
    );
    const r = spawnCli([
      'compare',
      file,
      '--plan',
      'tco',
      '--accelerators',
      'h100-sxm,b200',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.results.map((x: { workload: { name: string } }) => x.workload.name)).toEqual([
      'chat',
      'rag',
      'agentic-coding',
    ]);
    const per = (w: number, k: string) =>
      doc.results[w].accelerators.find((a: { id: string }) => a.id === 'h100-sxm').metrics[k];
    const blend = doc.mixes[0].accelerators.find((a: { id: string }) => a.id === 'h100-sxm');
    // tokens per $: 1 / (0.6/t_chat + 0.3/t_rag + 0.1/t_agentic); $ per 1M: 0.6 c_chat + 0.3 c_rag + 0.1 c_agentic
    const tpd =
      1 /
      (0.6 / per(0, 'output_tokens_per_usd') +
        0.3 / per(1, 'output_tokens_per_usd') +
        0.1 / per(2, 'output_tokens_per_usd'));
    expect(blend.output_tokens_per_usd).toBeCloseTo(tpd, 6);
    expect(blend.usd_per_mtok_output).toBeCloseTo(
      0.6 * per(0, 'usd_per_mtok_output') +
        0.3 * per(1, 'usd_per_mtok_output') +
        0.1 * per(2, 'usd_per_mtok_output'),
      9,
    );
    expect(doc.mixes[0].classes).toEqual([
      { workload: 'chat', share: 0.6 },
      { workload: 'rag', share: 0.3 },
      { workload: 'agentic-coding', share: 0.1 },
    ]);
    const table = spawnCli(['compare', file, '--plan', 'tco', '--accelerators', 'h100-sxm,b200']);
    expect(table.stdout).toContain(
      'mix production: chat 60%, rag 30%, agentic-coding 10% of the output tokens',
    );
  });
});

describe('a mix in every format: the blend rows of CSV and NDJSON, the blend table of the HTML report', () => {
  const ARGS = ['compare', 'production-mix', '--accelerators', 'h100-sxm,inferentia2'];
  it('CSV: one row per (mix, chip) after the classes, status mix, the three blended cells; NDJSON: a record with `mix`', async () => {
    const { parseCsv } = await import('../../src/io/csv.js');
    const json = JSON.parse(spawnCli([...ARGS, '--format', 'json']).stdout);
    const blend = (id: string) => json.mixes[0].accelerators.find((a: { id: string }) => a.id === id);
    const csv = spawnCli([...ARGS, '--format', 'csv']);
    expect(csv.code).toBe(0);
    const [header, ...rows] = parseCsv(csv.stdout, 'stdout').map((r) => r.fields);
    const col = (name: string) => (header as string[]).indexOf(name);
    // 3 classes x 2 chips, then 2 blend rows.
    expect(rows.map((r) => `${r[0]}/${r[1]}/${r[3]}`).slice(6)).toEqual([
      'production-mix/h100-sxm/mix',
      'production-mix/inferentia2/mix',
    ]);
    expect(rows).toHaveLength(8);
    const h100 = rows[6] as string[];
    expect(h100[2]).toBe('NVIDIA H100 SXM');
    for (const k of ['usd_per_mtok_output', 'output_tokens_per_usd', 'tokens_per_joule_output'])
      expect(Number(h100[col(k)])).toBe(blend('h100-sxm')[k]);
    // A blend has no one deployment or latency: those cells are empty, not zero.
    for (const k of ['chips', 'batch', 'ttft_s', 'tpot_s', 'output_tokens_per_s_per_chip'])
      expect(h100[col(k)]).toBe('');
    // Inferentia2 cannot meet agentic-coding's SLO (chat's it meets since the thirty-eighth
    // session's collective latency): no blend, and the row says why.
    const inf2 = rows[7] as string[];
    expect([inf2[col('usd_per_mtok_output')], inf2[col('reason')]]).toEqual([
      '',
      'no blend: agentic-coding cannot be run or priced',
    ]);
    const nd = spawnCli([...ARGS, '--format', 'ndjson']);
    const records = nd.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(8);
    expect(records.slice(0, 6).every((r) => typeof r.workload === 'string' && !('mix' in r))).toBe(true);
    expect(records[6]).toEqual({
      schema_version: 1,
      mix: 'production-mix',
      classes: json.mixes[0].classes,
      ...blend('h100-sxm'),
    });
    expect(records[7].missing).toEqual(['agentic-coding']);
  });

  it('report: a section with the blend table after the classes; --power-budget adds the fleet columns', () => {
    const r = spawnCli(['report', 'production-mix', '--accelerators', 'h100-sxm,inferentia2']);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/<section>/g)).toHaveLength(4);
    const mix = r.stdout.slice(r.stdout.lastIndexOf('<section>'));
    expect(mix).toContain(
      '<h2>mix production-mix: chat 60%, rag 30%, agentic-coding 10% of the output tokens, blended per chip</h2>',
    );
    const json = JSON.parse(spawnCli([...ARGS, '--format', 'json']).stdout);
    const h100 = json.mixes[0].accelerators.find((a: { id: string }) => a.id === 'h100-sxm');
    // The table's cells: 3 significant figures below 1,000 (3.10, not 3.1), whole numbers grouped above.
    const three = (v: number) => (v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3));
    expect(mix).toContain(
      `<tr><th scope="row">h100-sxm</th><td>${three(h100.usd_per_mtok_output)}</td><td>${three(h100.output_tokens_per_usd)}</td><td>${three(h100.tokens_per_joule_output)}</td><td class="missing"></td></tr>`,
    );
    expect(mix).toContain('<td class="missing">no tok/$ for agentic-coding (no price, or cannot run)</td>');
    // 1 GW filled with each chip: the fleet's facility power is the budget, 1,000 MW.
    const fleet = spawnCli(['report', 'chat', '--accelerators', 'h100-sxm', '--power-budget', '1GW']);
    expect(fleet.code).toBe(0);
    expect(fleet.stdout).toContain(
      '<th scope="col">Fleet chips</th><th scope="col">Fleet MW</th><th scope="col">Out tok/day</th><th scope="col">$M/year</th>',
    );
    expect(fleet.stdout).toMatch(
      /<td>[0-9.,]+k<\/td><td>1,000<\/td><td>[0-9.]+T<\/td><td>[0-9,]+<\/td><\/tr>/,
    );
    const plain = spawnCli(['report', 'chat', '--accelerators', 'h100-sxm']);
    expect(plain.stdout).not.toContain('Fleet chips');
  });
});

describe('mixes where single workloads are expected', () => {
  it('claim on a mix says to name its classes (exit 2); report takes a mix, one section per class', () => {
    const claim = spawnCli([
      'claim',
      'maia-200/gb200 tokens_per_dollar >= 1.3',
      'production-mix',
      '--plan',
      'tco',
    ]);
    expect(claim.code).toBe(2);
    expect(claim.stderr).toMatch(
      /production-mix\.yaml:\d+:1 mix: is a traffic mix: compare and report take mixes; here, name its classes one by one\n$/,
    );
    const report = spawnCli(['report', 'production-mix', '--accelerators', 'h100-sxm,b200']);
    expect(report.code).toBe(0);
    for (const name of ['chat', 'rag', 'agentic-coding']) expect(report.stdout).toContain(`${name}:`);
  });
});

describe('speculative decoding (docs/model.md section 3c)', () => {
  const SPEC = [
    '--set',
    'speculative.draft=llama-3.2-1b',
    '--set',
    'speculative.tokens=4',
    '--set',
    'speculative.acceptance=0.7',
  ];
  it('the result says which draft, k, acceptance and tau = (1 - 0.7^5) / 0.3 = 2.7731', () => {
    const r = spawnCli(['compare', CHAT, '--accelerators', 'h100-sxm', '--format', 'json', ...SPEC]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const spec = JSON.parse(r.stdout).results[0].workload.speculative;
    expect(spec.draft_model_id).toBe('llama-3.2-1b');
    expect(spec.tokens).toBe(4);
    expect(spec.acceptance).toBe(0.7);
    expect(spec.tokens_per_iteration).toBeCloseTo((1 - 0.7 ** 5) / 0.3, 12);
    const table = spawnCli(['compare', CHAT, '--accelerators', 'h100-sxm', ...SPEC]);
    expect(table.stdout).toContain(
      'speculative: llama-3.2-1b drafts 4 (acceptance 0.7, 2.77 tokens/iteration)',
    );
  });

  it('under the chat TPOT limit, drafting raises H100 tokens per chip; with nothing accepted it lowers them', () => {
    const perChip = (extra: string[]) => {
      const r = spawnCli(['compare', CHAT, '--accelerators', 'h100-sxm', '--format', 'json', ...extra]);
      return JSON.parse(r.stdout).results[0].accelerators[0].metrics.output_tokens_per_s_per_chip as number;
    };
    const plain = perChip([]);
    expect(perChip(SPEC)).toBeGreaterThan(plain);
    const none = SPEC.map((s) => (s === 'speculative.acceptance=0.7' ? 'speculative.acceptance=0' : s));
    expect(perChip(none)).toBeLessThan(plain);
  });
});

describe('expert parallelism (docs/model.md section 3d)', () => {
  const DS = 'test/fixtures/good/workloads/deepseek-interactive.yaml';
  const gb200 = (extra: string[]) => {
    const r = spawnCli(['compare', DS, '--format', 'json', ...extra]);
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout).results[0].accelerators.find((a: { id: string }) => a.id === 'gb200');
  };

  it('GB200 spreads DeepSeek-V3 expert-parallel across more than 8 chips of its NVL72 domain, and the result says so', () => {
    const wide = gb200([]);
    expect(wide.deployment.chips).toBeGreaterThan(8);
    expect(wide.deployment.parallelism).toEqual({
      layout: 'ep',
      tp: 1,
      ep: wide.deployment.chips,
      pp: 1,
      data_parallel_attention: true,
      disaggregated: false,
    });
    // Held to an 8-GPU replica (an HGX-sized domain), the same chip serves fewer tokens per chip.
    const eight = gb200(['--set', 'deployment.replica_chips=[8]']);
    expect(eight.deployment.chips).toBe(8);
    expect(wide.metrics.output_tokens_per_s_per_chip).toBeGreaterThan(
      1.5 * eight.metrics.output_tokens_per_s_per_chip,
    );
    const table = spawnCli(['compare', DS, '--accelerators', 'gb200']);
    expect(table.stdout).toMatch(/\d+ EP x B\d+/);
  });

  it('switched off (the default), the same workload stays tensor-parallel', () => {
    const tp = gb200(['--set', 'mechanisms.expert_parallel=false']);
    expect(tp.deployment.parallelism.layout).toBe('tp');
  });
});

describe('disaggregated prefill and decode (docs/model.md section 3e)', () => {
  it('chat on H100 with the switch: separate pools, named in JSON and in the table', () => {
    const args = ['compare', CHAT, '--accelerators', 'h100-sxm', '--set', 'mechanisms.disaggregation=true'];
    const r = spawnCli([...args, '--format', 'json']);
    expect(r.code).toBe(0);
    const a = JSON.parse(r.stdout).results[0].accelerators[0];
    const p = a.deployment.parallelism;
    expect(p.disaggregated).toBe(true);
    // the unit's chips: d decode replicas of Nd chips plus p prefill replicas of Np chips
    expect(a.deployment.chips).toBe(
      p.decode.replicas * p.decode.chips + p.prefill.replicas * p.prefill.chips,
    );
    expect(a.metrics.tpot_s).toBeLessThanOrEqual(0.04);
    expect(a.metrics.ttft_s).toBeCloseTo(
      p.prefill.prefill_s + p.prefill.kv_transfer_s + a.deployment.decode_step_s,
      12,
    );
    const table = spawnCli(args);
    expect(table.stdout).toMatch(/\d+x\d+D\+\d+x\d+P x B\d+/);
    // off (the default): one aggregated replica
    const off = JSON.parse(
      spawnCli(['compare', CHAT, '--accelerators', 'h100-sxm', '--format', 'json']).stdout,
    );
    expect(off.results[0].accelerators[0].deployment.parallelism.disaggregated).toBe(false);
  });
});

describe('pipeline stages (docs/model.md section 3f)', () => {
  it('DeepSeek-V3 FP8 does not fit one 8-GPU H100 server; two stages of 8 serve it, and the result says so', () => {
    const args = [
      'compare',
      'test/fixtures/good/workloads/deepseek-interactive.yaml',
      '--accelerators',
      'h100-sxm',
      '--set',
      'precision.weights=fp8',
      '--set',
      'precision.activations=fp8',
      '--set',
      'mechanisms.expert_parallel=false',
      '--set',
      'slo.tpot_ms=50',
    ];
    const r = spawnCli([...args, '--format', 'json']);
    expect(r.code).toBe(0);
    const h100 = (stdout: string) =>
      JSON.parse(stdout).results[0].accelerators.find((x: { id: string }) => x.id === 'h100-sxm');
    const a = h100(r.stdout);
    expect(a.deployment.chips).toBe(16);
    expect(a.deployment.parallelism).toMatchObject({ layout: 'tp', tp: 8, pp: 2, disaggregated: false });
    expect(spawnCli(args).stdout).toMatch(/2x8 PP x B\d+/);
    const off = spawnCli([...args, '--set', 'mechanisms.pipeline_parallel=false', '--format', 'json']);
    expect(h100(off.stdout).status).toBe('does_not_fit');
  });
});

describe('form factors (docs/model.md section 1)', () => {
  const DS =
    'model: deepseek-v3\nprecision: { weights: bf16, activations: bf16, kv_cache: bf16 }\ninput_tokens: 1000\noutput_tokens: 1000\n';

  it("Trn2's 16-chip instance is a profile of its own, named after its base and kept out of the default comparison", () => {
    const list = spawnCli(['profiles', '--format', 'json']);
    const form = JSON.parse(list.stdout).find((p: { id: string }) => p.id === 'trainium2-instance');
    expect(form.form_of).toBe('trainium2');
    expect(form.interconnect.domain_chips).toBe(16);
    const all = JSON.parse(spawnCli(['compare', CHAT, '--format', 'json']).stdout).results[0].accelerators;
    expect(all.map((a: { id: string }) => a.id)).not.toContain('trainium2-instance');
  });

  it('DeepSeek-V3 in BF16: a 32-chip replica is within the 64-chip UltraServer domain, not the 16-chip instance', () => {
    // Which replica size wins on its own depends on the calibrated factors; the domain does not.
    const run = (stdin: string) => {
      const r = spawnCli(
        ['compare', '-', '--accelerators', 'trainium2,trainium2-instance', '--format', 'json'],
        {
          stdin,
        },
      );
      expect(r.code).toBe(0);
      return new Map(
        JSON.parse(r.stdout).results[0].accelerators.map((a: { id: string }) => [a.id, a] as const),
      ) as Map<
        string,
        {
          status: string;
          reason: string | null;
          deployment: { chips: number } | null;
          metrics: Record<string, number>;
        }
      >;
    };
    const pinned = run(`${DS}deployment: { replica_chips: [32] }\n`);
    expect(pinned.get('trainium2')?.deployment?.chips).toBe(32);
    expect(pinned.get('trainium2-instance')?.status).toBe('does_not_fit');
    expect(pinned.get('trainium2-instance')?.reason).toBe(
      "does not fit: no size in deployment.replica_chips is within the chip's scale-up domain (needs at least 15 chips for 1342 GB of weights)",
    );
    // Free to choose, the instance stays within its 16 chips, and the larger domain never does worse.
    const free = run(DS);
    expect(free.get('trainium2-instance')?.deployment?.chips).toBeLessThanOrEqual(16);
    expect(free.get('trainium2')?.metrics.output_tokens_per_s_per_chip).toBeGreaterThanOrEqual(
      free.get('trainium2-instance')?.metrics.output_tokens_per_s_per_chip as number,
    );
  });

  it('--set edits the form, and calibrate sends you to its base', () => {
    const r = spawnCli(
      [
        'compare',
        '-',
        '--accelerators',
        'trainium2-instance',
        '--set',
        'trainium2-instance.interconnect.domain_chips=8',
        '--format',
        'json',
      ],
      { stdin: DS.replace('bf16, activations: bf16', 'fp8, activations: fp8') },
    );
    expect(r.code).toBe(0);
    expect(
      JSON.parse(r.stdout).results[0].accelerators.find((a: { id: string }) => a.id === 'trainium2-instance')
        .deployment.chips,
    ).toBe(8);
    const c = spawnCli(['calibrate', '--accelerator', 'trainium2-instance']);
    expect(c.code).toBe(2);
    expect(c.stderr).toBe(
      'infercost: trainium2-instance is a form factor of trainium2 and shares its factors: calibrate trainium2\n',
    );
  });
});

describe('backtest --cv: chips left out (docs/model.md section 11, "Chips nobody measured")', () => {
  it('every row again as if its chip had never been measured: a summary line over all and per vendor, and the rows in JSON', () => {
    const t = spawnCli(['backtest', 'data/measured/published.csv', '--cv'], { env: { COLUMNS: '140' } });
    expect(t.code, t.stderr).toBe(0);
    // published.csv: 20 rows, all on NVIDIA chips (H100, H200, B200).
    expect(t.stdout).toMatch(/│ chip left out: all +│ +20 │/);
    expect(t.stdout).toMatch(/│ chip left out: NVIDIA +│ +20 │/);
    const j = spawnCli(['backtest', 'data/measured/published.csv', '--cv', '--format', 'json']);
    expect(j.code, j.stderr).toBe(0);
    const report = JSON.parse(j.stdout);
    const left = report.chips_left_out as {
      id: string;
      fitted_on: string;
      low: number;
      high: number;
      covered: boolean;
      measured_output_tokens_per_s_per_chip: number;
    }[];
    expect(left.map((r) => r.id).sort()).toEqual(report.rows.map((r: { id: string }) => r.id).sort());
    // Each held-out row says where its predicted time goes, as plain backtest does.
    for (const r of report.rows as { predicted_batch: number; predicted_decode_step_s: number }[]) {
      expect(r.predicted_batch).toBeGreaterThanOrEqual(1);
      expect(r.predicted_decode_step_s).toBeGreaterThan(0);
    }
    for (const r of left) {
      // No chip keeps a pair fit with all its rows out.
      expect(['stack', 'pooled']).toContain(r.fitted_on);
      const m = r.measured_output_tokens_per_s_per_chip;
      expect(r.covered).toBe(m >= r.low && m <= r.high);
    }
  });
});

describe('backtest --cv --choose (a constant chosen without the source it is judged on, docs/model.md 12a)', () => {
  it('each value is its own cross-validation: 0.75 is the defaults, 1 is the correction off, as --against sees them', () => {
    const file = 'data/measured/published.csv';
    const chosen = spawnCli([
      'backtest',
      file,
      '--cv',
      '--choose',
      'attention_efficiency_ratio=0.75,1',
      '--format',
      'json',
    ]);
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(chosen.stderr).toBe('');
    const j = JSON.parse(chosen.stdout);
    expect(j.constant).toBe('attention_efficiency_ratio');
    expect(j.engine_value).toBe(0.75);
    expect(j.known_input_rows).toBe(10); // published.csv: 10 of its 20 rows have a published input length
    expect(j.fixed.map((f: { value: number }) => f.value)).toEqual([0.75, 1]);
    // r_attn = 1 divides by 1: the same engine as the correction switched off.
    const against = JSON.parse(
      spawnCli(['backtest', file, '--cv', '--against', 'attention_efficiency=off', '--format', 'json'])
        .stdout,
    );
    expect(j.fixed[0].median_abs_error_pct).toBeCloseTo(against.before.median_abs_error_pct, 9);
    expect(j.fixed[1].median_abs_error_pct).toBeCloseTo(against.after.median_abs_error_pct, 9);
    expect(j.fixed[1].p90_abs_error_pct).toBeCloseTo(against.after.p90_abs_error_pct, 9);
    expect(j.fixed[0].median_abs_error_pct).not.toBeCloseTo(j.fixed[1].median_abs_error_pct, 3);
    // Every source took one of the values, and its rows add up to the known-input rows.
    for (const c of j.rows) expect([0.75, 1]).toContain(c.value);
    expect(j.rows.reduce((t: number, c: { rows: number }) => t + c.rows, 0)).toBe(10);
    expect(j.gain_points_over_engine_value).toBeCloseTo(
      j.fixed[0].median_abs_error_pct - j.selected.median_abs_error_pct,
      9,
    );
    // 1 is in the list: the selection is judged against the correction off by the switch rule.
    expect(j.off_value).toBe(1);
    expect(j.against_off.gain_points).toBeCloseTo(
      j.fixed[1].median_abs_error_pct - j.selected.median_abs_error_pct,
      9,
    );
    expect(j.against_off.rule.passes).toBe(
      j.against_off.rule.gain_at_least_1_point &&
        j.against_off.rule.p90_rise_at_most_2_points &&
        j.against_off.rule.gain_with_every_source_left_out &&
        j.against_off.rule.acted_on_not_worse !== false,
    );
  }, 120_000);

  it('the table lists each value, the selection, and the values taken', () => {
    const r = spawnCli([
      'backtest',
      'data/measured/published.csv',
      '--cv',
      '--choose',
      'attention_efficiency_ratio=0.5,0.75',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Cross-validated once per value of attention_efficiency_ratio on the 10 rows/);
    expect(r.stdout).toMatch(/^│ 0\.5 +│ +\d+\.\d% │ +\d+\.\d% │ +\d+\.\d% │$/m);
    expect(r.stdout).toMatch(/^│ 0\.75 \(engine\) +│ +\d+\.\d% │/m);
    expect(r.stdout).toMatch(/^│ chosen per source +│ +\d+\.\d% │/m);
    expect(r.stdout).toMatch(/^Values taken: (0\.5|0\.75) by \d+ sources? \(\d+ rows\)/m);
    // Without the off value (1) in the list, no verdict against it.
    expect(r.stdout).not.toContain('Against the correction off');
    const withOff = spawnCli([
      'backtest',
      'data/measured/published.csv',
      '--cv',
      '--choose',
      'attention_efficiency_ratio=0.75,1',
    ]);
    expect(withOff.stdout).toMatch(/^│ 1 \(off\) +│/m);
    expect(withOff.stdout).toMatch(/^Against the correction off: [+-]\d+\.\d\d points of median \|error\|/m);
    expect(withOff.stdout).toMatch(/^Rule: (passes|fails) \(gain >= 1 point/m);
  }, 120_000);

  it('a bad list, a correction left off, or --choose without --cv or with --against: one line, exit 2', () => {
    for (const [args, message] of [
      [['--choose', 'attention_efficiency_ratio=0.5,1'], /give it with --cv/],
      [['--cv', '--choose', 'no_such=0.5,1'], /expected name=value,value/],
      [['--cv', '--choose', 'attention_efficiency_ratio=0.5,2'], /2 is not a number in \(0, 1\]/],
      [['--cv', '--choose', 'attention_efficiency_ratio=0.5'], /at least two values/],
      [['--cv', '--choose', 'expert_efficiency_ratio=0.3,1'], /expert_efficiency is off; switch it on/],
      [
        ['--cv', '--choose', 'attention_efficiency_ratio=0.5,1', '--against', 'expert_gemm_tiles=off'],
        /--against or --choose, not both/,
      ],
    ] as const) {
      const r = spawnCli(['backtest', 'data/measured/published.csv', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('backtest --cv --against (the switch rule, docs/model.md "Which corrections are on")', () => {
  it('reports both cross-validations, the gain, and the gain with each source left out, smallest first', () => {
    const r = spawnCli([
      'backtest',
      'data/measured/published.csv',
      '--cv',
      '--against',
      'per_operator_roofline=off',
      '--format',
      'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j.before.mechanisms).toBe('defaults');
    expect(j.after.mechanisms).toBe('defaults + per_operator_roofline=off');
    expect(j.known_input_rows).toBe(10); // published.csv: 10 of its 20 rows have a published input length
    // The gain is the drop of the median: before minus after.
    expect(j.gain_points).toBeCloseTo(j.before.median_abs_error_pct - j.after.median_abs_error_pct, 9);
    expect(j.gain_points).not.toBe(0); // the roofline's form moves these dense rows
    const gains = j.rows.map((x: { gain_points: number }) => x.gain_points);
    expect(gains).toEqual([...gains].sort((a: number, b: number) => a - b));
    expect(j.min_gain_points_one_source_out).toBe(gains[0]);
    // The verdict follows from the figures above (docs/model.md, "Which corrections are on").
    expect(j.rule.gain_at_least_1_point).toBe(j.gain_points >= 1);
    expect(j.rule.p90_rise_at_most_2_points).toBe(
      j.after.p90_abs_error_pct - j.before.p90_abs_error_pct <= 2,
    );
    expect(j.rule.gain_with_every_source_left_out).toBe(gains.every((g: number) => g > 0));
    // The rows the roofline's form moves at fixed factors: some of the ten, not necessarily all.
    expect(j.rule.acted_on_rows).toBeGreaterThan(0);
    expect(j.rule.acted_on_rows).toBeLessThanOrEqual(j.known_input_rows);
    expect(j.rule.acted_on_not_worse).toBe(
      j.rule.acted_on_median_abs_error_pct_after <= j.rule.acted_on_median_abs_error_pct_before,
    );
    expect(j.rule.passes).toBe(
      j.rule.gain_at_least_1_point &&
        j.rule.p90_rise_at_most_2_points &&
        j.rule.gain_with_every_source_left_out &&
        j.rule.acted_on_not_worse,
    );
    // Each left-out source removes its own rows: the rows left sum to (sources - 1) x 10.
    const left = j.rows.reduce((s: number, x: { rows_left: number }) => s + x.rows_left, 0);
    expect(left).toBe((j.rows.length - 1) * 10);
  });

  it('the table states both sides, the gain and each source by a short name', () => {
    const r = spawnCli([
      'backtest',
      'data/measured/published.csv',
      '--cv',
      '--against',
      'per_operator_roofline=off',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Cross-validated twice on the 10 rows with a published input length/);
    expect(r.stdout).toMatch(/before: defaults +│/);
    expect(r.stdout).toMatch(/after: defaults \+ per_operator_roofline=off +│/);
    expect(r.stdout).toMatch(
      /Gain: [+-]\d+\.\d\d points of median \|error\|; with one source left out, at least [+-]\d+\.\d\d \(without /,
    );
    expect(r.stdout).toContain('NVIDIA/TensorRT-LLM@00f37686 perf-overview.md');
    expect(r.stdout).not.toContain('https://');
    expect(r.stdout).toMatch(
      /^Rule: (passes|fails) \(gain >= 1 point: (yes|no); p90 up by 2 points at most: (yes|no); gain with every source left out: (yes|no); the \d+ rows it acts on not worse: (yes|no) \(\d+\.\d% -> \d+\.\d%\)\)\.$/m,
    );
  });

  it('--against without --cv, or with an unknown name, is a usage error: one line, exit 2, nothing on stdout', () => {
    for (const args of [
      ['backtest', '--against', 'per_operator_roofline=on'],
      ['backtest', '--cv', '--against', 'no_such_switch=on'],
    ]) {
      const r = spawnCli(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/--against/);
    }
  });
});
