// Claim analysis (docs/model.md section 7a; issue 13 item 3).
import { describe, expect, it } from 'vitest';
import { analyseClaim } from '../../src/api/claim.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { acceleratorFor, loadWorkload, readWorkloadYaml } from '../../src/io/workload.js';
import { claimMarkdown, claimText } from '../../src/render/claim.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { bundled } from '../helpers/data.js';

const env = { catalog: bundled(), today: '2026-12-02', readStdin: () => '' };
const CLAIM = 'maia-200/gb200 tokens_per_dollar >= 1.30';

describe('infercost claim', () => {
  const report = analyseClaim(env, CLAIM, ['chat'], { plan: 'tco', set: [] });
  const chat = report.workloads[0];

  it('the ratio is tokens per dollar of maia-200 over gb200 under tco, from the two evaluations', () => {
    const loaded = loadWorkload(
      readWorkloadYaml('chat', () => ''),
      env.catalog,
      [],
      env.today,
    );
    const w = { ...loaded.workload, plan: 'tco' as const };
    const maia = evaluate(acceleratorFor(env.catalog, 'maia-200', [], env.today), w);
    const gb200 = evaluate(acceleratorFor(env.catalog, 'gb200', [], env.today), w);
    const q = (maia.cost?.outputTokensPerUsd ?? 0) / (gb200.cost?.outputTokensPerUsd ?? 1);
    expect(chat?.ratio).toBeCloseTo(q, 9);
    expect(report.pricing).toBe('tco (owner cost)');
    // Break-even capex: c* = c x q / 1.30; capex* = (c* - energy) / (1/(5 x 8760) + 0.252/8760)
    const c = maia.cost?.usdPerChipHour ?? 0;
    const energy = maia.cost?.tco?.energyUsdPerHour ?? 0;
    const capex = ((c * q) / 1.3 - energy) / (1 / (5 * 8760) + 0.252 / 8760);
    expect(chat?.breakEven).toEqual({
      accelerator: 'maia-200',
      kind: 'capex_usd_per_chip',
      value: expect.closeTo(capex, 6),
      current: 12_126,
    });
  });

  it('a metric with no stated range (TTFT) states none, rather than a range of one point', () => {
    const r = analyseClaim(env, 'b200/h100-sxm ttft_s <= 1', ['chat'], { set: [] });
    const w = r.workloads[0];
    expect(w?.ratio).toBeGreaterThan(0);
    expect(w?.range).toBeNull();
  });

  it('a claim that cannot be measured says why on stderr too, one line per workload (exit 2)', () => {
    const r = spawnCli(['claim', 'maia-200/gb200 tokens_per_dollar >= 1.3', 'chat']);
    expect([r.code, r.stderr]).toEqual([
      2,
      'infercost: chat: not measurable: maia-200 has no output_tokens_per_usd\n',
    ]);
  });

  it('at the break-even capex the ratio is the threshold', () => {
    const capex = chat?.breakEven?.value ?? 0;
    const at = analyseClaim(env, CLAIM, ['chat'], {
      plan: 'tco',
      set: [`maia-200.tco.capex_usd_per_chip=${capex}`],
    });
    expect(at.workloads[0]?.ratio).toBeCloseTo(1.3, 9);
  });

  it('the tornado moves each input alone; utilization cancels in a ratio of tokens per dollar', () => {
    const utilization = chat?.tornado.find((b) => b.input === 'utilization');
    // tokens/$ = x * 3600 * u / c for both chips, so u cancels: no swing.
    expect(utilization?.ratioAtLow).toBeCloseTo(chat?.ratio ?? 0, 9);
    expect(utilization?.ratioAtHigh).toBeCloseTo(chat?.ratio ?? 0, 9);
    const capex = chat?.tornado.find((b) => b.input === 'maia-200 capex');
    expect([capex?.low, capex?.high]).toEqual(['$7,788', '$16,445']);
    // Bars come by swing, largest first.
    const swings = (chat?.tornado ?? []).map((b) => Math.abs((b.ratioAtHigh ?? 0) - (b.ratioAtLow ?? 0)));
    expect(swings).toEqual([...swings].sort((x, y) => y - x));
    // An input flips the verdict when one of its ends crosses 1.30 from the nominal side.
    for (const b of chat?.tornado ?? [])
      expect(b.flips).toBe([b.ratioAtLow, b.ratioAtHigh].some((q) => q !== null && q < 1.3));
  });

  it("under a power cap below TDP, one bar moves both chips' clocks from exponent 1 to 1/3 (docs/model.md 6.2)", () => {
    const claim = 'b200/h100-sxm tokens_per_dollar >= 1.3';
    const capped = analyseClaim(env, claim, ['chat'], { set: ['site.power_cap_w=300'] }).workloads[0];
    const bar = capped?.tornado.find((b) => b.input === 'clock under the 300 W cap');
    expect([bar?.low, bar?.high]).toEqual(['exponent 1', 'exponent 1/3']);
    // at 1/3 the workload as run: the claim's own ratio
    expect(bar?.ratioAtHigh).toBeCloseTo(capped?.ratio ?? 0, 12);
    // at 1: B200 keeps 300/1000 = 0.30 of its clock (not 0.669), H100 300/700 = 0.43 (not 0.754):
    // B200 slows more, the ratio falls
    expect(bar?.ratioAtLow).toBeLessThan(capped?.ratio ?? 0);
    // no cap: no bar
    const free = analyseClaim(env, claim, ['chat'], { set: [] }).workloads[0];
    expect(free?.tornado.some((b) => b.input.startsWith('clock under'))).toBe(false);
  });

  it('a chip whose collective latency states a range has a bar from its low to its high (docs/model.md 11)', () => {
    const claim = 'trainium2/h100-sxm tokens_per_dollar >= 1.3';
    const w = analyseClaim(env, claim, ['agentic-coding'], { set: [] }).workloads[0];
    const bar = w?.tornado.find((b) => b.input === 'trainium2 collective latency (estimate)');
    expect([bar?.low, bar?.high]).toEqual(['58 us', '300 us']);
    // a shorter all-reduce serves more on Trainium2, so the ratio rises at 58 us
    expect(bar?.ratioAtLow).toBeGreaterThan(w?.ratio ?? Number.POSITIVE_INFINITY);
    // H100's 5 us states no range: no bar for it
    expect(w?.tornado.some((b) => b.input === 'h100-sxm collective latency (estimate)')).toBe(false);
  });

  it('an end where no deployment runs: ranked by its other end, drawn one-sided, "no deployment" (docs/model.md 7a)', () => {
    // Inferentia2 on chat: at 300 us its 160 all-reduces a token take 48 ms against the 40 ms
    // TPOT, so nothing runs there; at 58 us it runs. Before, the bar's swing was 0: listed among
    // the inputs that flip the verdict, last in the tornado and not drawn.
    const claim = 'inferentia2/h100-sxm tokens_per_dollar >= 0.2';
    const report = analyseClaim(env, claim, ['chat'], { set: [] });
    const w = report.workloads[0];
    const bar = w?.tornado.find((b) => b.input === 'inferentia2 collective latency (estimate)');
    expect(bar?.ratioAtHigh).toBeNull();
    // its low end is the ratio with the latency set to 58 us
    const at58 = analyseClaim(env, claim, ['chat'], { set: ['inferentia2.interconnect.latency_us=58'] });
    expect(bar?.ratioAtLow).toBeCloseTo(at58.workloads[0]?.ratio ?? 0, 9);
    expect(bar?.ratioAtLow).toBeGreaterThan(0.2);
    expect(bar?.flips).toBe(true);
    // swing |q(58 us) - q| against the next bar's |q(high) - q(low)|: first
    expect(w?.tornado[0]).toBe(bar);
    const text = claimText(report);
    // the tornado's first bar: from the ratio (0.102) across the threshold's | to 0.275
    const line = text.split('\n').find((l) => l.startsWith('  inferentia2 collective latency (estimate)'));
    expect(line).toMatch(/\* +#+\|#+ 0\.275\.\.no deployment \(58 us\.\.300 us\)$/);
    expect(claimMarkdown(report)).toContain(
      '| inferentia2 collective latency (estimate) | 58 us | 300 us | 0.275 | no deployment | yes |',
    );
  });

  it('an end where the subject runs nothing reads as 0 for the verdict: the latency bar flips ">= 0.05" (docs/model.md 7a)', () => {
    const w = analyseClaim(env, 'inferentia2/h100-sxm tokens_per_dollar >= 0.05', ['chat'], { set: [] })
      .workloads[0];
    // The range 0.055..0.51 meets 0.05 throughout; at 300 us Inferentia2 serves nothing: 0 < 0.05.
    expect(w?.range?.[0]).toBeGreaterThan(0.05);
    expect(w?.outcome.status).toBe('UNCERTAIN');
    const bar = w?.tornado.find((b) => b.input === 'inferentia2 collective latency (estimate)');
    expect([bar?.ratioAtHigh, bar?.flips]).toEqual([null, true]);
    // The text says why, and draws every input that flips it, past the first 12 bars too (input
    // length doubled leaves Inferentia2 nothing either: 14th by swing).
    const report = analyseClaim(env, 'inferentia2/h100-sxm tokens_per_dollar >= 0.05', ['chat'], { set: [] });
    const text = claimText(report);
    expect(text).toContain(
      '\nchat is UNCERTAIN because inferentia2 runs no deployment at 300 us, the high end of its collective latency estimate, and serves nothing there (docs/model.md 7a).\n',
    );
    const flipping = (w?.tornado ?? []).filter((b) => b.flips).map((b) => b.input);
    expect(flipping).toContain('input length');
    expect(w?.tornado.findIndex((b) => b.input === 'input length')).toBeGreaterThanOrEqual(12);
    for (const name of flipping)
      expect(text).toMatch(new RegExp(`\\n  ${name.replace(/[()]/g, '\\$&')} +\\* `));
  });

  it("an end where a chip runs nothing at the cap's low clock reads the same way (docs/model.md 6.2, 7a)", () => {
    // H100 on chat under 250 W with a 7 ms TPOT runs at the cube root's clock (71%) and at none at
    // 250/700 = 36% (test/engine/model.test.ts): H100 over B200 in tokens per dollar reads 0 there.
    const set = ['site.power_cap_w=250', 'slo.tpot_ms=7'];
    const verdict = (c: string) => analyseClaim(env, c, ['chat'], { set }).workloads[0]?.outcome;
    // the range (0.035..0.19) meets >= 0.01 throughout and misses <= 0.01 throughout; 0 reads the other way
    const atLeast = verdict('h100-sxm/b200 tokens_per_dollar >= 0.01');
    expect(atLeast?.bounds?.[0]).toBeGreaterThan(0.01);
    expect([atLeast?.status, atLeast?.servesNothing]).toEqual([
      'UNCERTAIN',
      { accelerator: 'h100-sxm', clockFraction: 250 / 700 },
    ]);
    expect(verdict('h100-sxm/b200 tokens_per_dollar <= 0.01')?.status).toBe('UNCERTAIN');
    // B200 over H100: unbounded where H100 serves nothing, which ">= 5" also meets: PASS stands.
    const over = verdict('b200/h100-sxm tokens_per_dollar >= 5');
    expect(over?.bounds?.[0]).toBeGreaterThan(5);
    expect([over?.status, over?.servesNothing]).toEqual(['PASS', undefined]);
    const text = claimText(analyseClaim(env, 'h100-sxm/b200 tokens_per_dollar >= 0.01', ['chat'], { set }));
    expect(text).toContain(
      "\nchat is UNCERTAIN because h100-sxm runs no deployment at 36% of its clock, the low end of the power cap's clock estimate, and serves nothing there (docs/model.md 7a).\n",
    );
  });

  it("each chip's own end reads whatever the other chip's flags; the cap's clock end only where one chip alone runs nothing there", () => {
    // Summarization, TTFT <= 300 ms, a 450 W cap: Trainium2 runs nothing at 300 us (its own
    // latency, H200 at its values), H200 nothing at its clock's low end (450/700 = 64%), where
    // Trainium2 still serves. A review found the second flag hid the first (PASS, UNCERTAIN before).
    const at450 = (c: string) =>
      analyseClaim(env, c, ['summarization'], { set: ['site.power_cap_w=450', 'slo.ttft_ms=300'] })
        .workloads[0]?.outcome;
    expect(at450('trainium2/h200-sxm tokens_per_dollar >= 0.0001')).toMatchObject({
      status: 'UNCERTAIN',
      servesNothing: { accelerator: 'trainium2', latencyS: 300e-6 },
    });
    // the ratio is unbounded where H200 alone serves nothing: "<= 1000" is not settled either
    expect(at450('trainium2/h200-sxm tokens_per_dollar <= 1000')).toMatchObject({
      status: 'UNCERTAIN',
      servesNothing: { accelerator: 'h200-sxm', clockFraction: 450 / 700 },
    });
    // At 200 W both B200 and Trainium2 run nothing at the clock's low end: no reading there, and
    // Trainium2's own 300 us end reads unbounded, which ">= 0.0001" meets: PASS stands.
    const at200 = analyseClaim(env, 'b200/trainium2 tokens_per_dollar >= 0.0001', ['summarization'], {
      set: ['site.power_cap_w=200', 'slo.ttft_ms=300'],
    }).workloads[0]?.outcome;
    expect([at200?.status, at200?.servesNothing]).toEqual(['PASS', undefined]);
  });

  it('a space parts the longest label from its flip mark; a metric with no break-even has no break-even line', () => {
    // Trainium3 over B200 on chat under tco: the longest label, "trainium3 throughput (CV
    // interval)", flips the verdict; its "*" ran into it ("interval)*").
    const r = analyseClaim(env, 'trainium3/b200 tokens_per_dollar >= 1.2', ['chat'], {
      plan: 'tco',
      set: [],
    });
    const bar = r.workloads[0]?.tornado[0];
    expect(bar?.input).toBe('trainium3 throughput (CV interval)');
    expect(bar?.flips).toBe(true);
    const text = claimText(r);
    expect(text).toContain('\n  trainium3 throughput (CV interval) * #');
    expect(text).toContain('\nBreak-even: the capex of trainium3 at which the ratio equals 1.2.');
    // Tokens per joule does not depend on the price: "-" in the table, and no line under it.
    const j = claimText(
      analyseClaim(env, 'inferentia2/trainium2 tokens_per_joule >= 1', ['rag'], { set: [] }),
    );
    expect(j).not.toContain('Break-even:');
    expect(j).toContain('\nTornado spans are conventions (docs/model.md 7a), not measured uncertainties.\n');
  });

  it("with layout_pairs on, an efficiency bar moves a deployment that runs at the layout's fit too", () => {
    // DeepSeek-V3 runs on 8 H200s, an MoE model across chips: on, at the profile's moe_across
    // factors, so a bar that moved only the stack entry's own factors would not move the ratio.
    const r = analyseClaim(env, 'h200-sxm/b200 tokens_per_dollar >= 1', ['chat'], {
      set: ['model=deepseek-v3', 'mechanisms.layout_pairs=true'],
    });
    const w = r.workloads[0];
    const bar = w?.tornado.find((b) => b.input === 'h200-sxm eta_decode');
    expect(bar?.ratioAtLow).toBeLessThan((w?.ratio ?? 0) * 0.99);
    expect(bar?.ratioAtHigh).toBeGreaterThan((w?.ratio ?? 0) * 1.01);
    // Its ends are the fit's own: H200's trtllm moe_across eta_decode 0.3581 x 0.8 = 0.28648 and
    // x 1.2 = 0.42972, shown to 4 significant digits (the pair's own 0.4794 would give 0.3835, 0.5753).
    expect([bar?.low, bar?.high]).toEqual(['0.2865', '0.4297']);
  });

  it('through the binary: JSON for the four bundled workloads; exit 0 on PASS or UNCERTAIN', () => {
    const r = spawnCli(['claim', CLAIM, '--plan', 'tco', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.workloads.map((w: { workload: string }) => w.workload)).toEqual([
      'chat',
      'rag',
      'summarization',
      'agentic-coding',
    ]);
    for (const w of doc.workloads) {
      expect(['PASS', 'UNCERTAIN']).toContain(w.verdict);
      expect(w.low).toBeLessThanOrEqual(w.ratio);
      expect(w.high).toBeGreaterThanOrEqual(w.ratio);
      expect(w.break_even.capex_usd_per_chip).toBeGreaterThan(0);
    }
  });

  it('a chip with no price on the basis is not measurable: exit 2; a claim without a second chip is usage', () => {
    const none = spawnCli(['claim', CLAIM, 'chat']);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('ERROR');
    expect(none.stdout).toContain('maia-200 has no output_tokens_per_usd');
    const single = spawnCli(['claim', 'maia-200 tokens_per_dollar >= 1', 'chat']);
    expect(single.code).toBe(2);
    expect(single.stderr).toBe(
      'infercost: claim "maia-200 tokens_per_dollar >= 1": compare two chips, e.g. "maia-200/gb200 tokens_per_dollar >= 1.30"\n',
    );
    expect(single.stdout).toBe('');
  });
  it("a claim that does not parse names only the ratio form claim takes; --expect's message names both", async () => {
    const claim = await runCli(['claim', 'b200/h100-sxm ttft_s == 1', 'chat']);
    expect([claim.code, claim.stdout, claim.stderr]).toEqual([
      2,
      '',
      'infercost: claim "b200/h100-sxm ttft_s == 1": expected "A/B metric >= x", e.g. "maia-200/h200-sxm tokens_per_dollar >= 1.30"\n',
    ]);
    const expectFlag = await runCli(['compare', 'chat', '--expect', 'b200/h100-sxm ttft_s == 1']);
    expect([expectFlag.code, expectFlag.stdout, expectFlag.stderr]).toEqual([
      2,
      '',
      'infercost: --expect "b200/h100-sxm ttft_s == 1": expected "A/B metric >= x" or "A metric <= x", e.g. "maia-200/h200-sxm tokens_per_dollar >= 1.30"\n',
    ]);
  });
  it('a threshold at or below 0, or one too small to tell from 0, is refused: exit 2, one line', async () => {
    const why = 'the threshold must be a positive number (a ratio of two chips is above 0)';
    for (const [threshold, tail] of [
      ['>= -1', ''],
      ['>= 0', ''],
      ['<= 0', ''],
      ['>= 1e-400', '; 1e-400 is too small to tell from 0'],
    ]) {
      const text = `b200/h100-sxm tokens_per_dollar ${threshold}`;
      const r = await runCli(['claim', text, 'chat']);
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `infercost: claim "${text}": ${why}${tail}\n`]);
    }
  });
});
