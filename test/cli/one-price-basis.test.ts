// Dollars are added only on one price plan and basis, gates hold at their exact thresholds, and a
// mix's blend is diffed and sorted like any result (QA round 3).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'infercost-basis-'));
/** chat as written, but priced at the owner's cost. */
function chatOnTco(dir: string): string {
  const file = join(dir, 'chattco.yaml');
  writeFileSync(
    file,
    'name: chat\nmodel: llama-3.3-70b\ninput_tokens: 800\noutput_tokens: 300\nslo: { ttft_ms: 500, tpot_ms: 40 }\npricing: { plan: tco }\n',
  );
  return file;
}

describe('one plan and basis per sum of dollars', () => {
  it('a mix whose classes are priced on different plans is refused where the mix is written; --plan makes them one', () => {
    const dir = fresh();
    chatOnTco(dir);
    const mix = join(dir, 'mix.yaml');
    writeFileSync(
      mix,
      'name: m\nmix:\n  - { workload: chattco.yaml, share: 0.5 }\n  - { workload: rag, share: 0.5 }\n',
    );
    const r = spawnCli(['compare', mix, '--accelerators', 'h100-sxm']);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      `infercost: ${mix}:3:3 mix: the classes are priced on different plans (chat: tco, rag: on_demand), and a blend adds their dollars; give each the same, or --plan/--basis for all\n`,
    ]);
    expect(spawnCli(['compare', mix, '--accelerators', 'h100-sxm', '--plan', 'tco']).code).toBe(0);
  });

  it('a fleet over workloads on different plans is refused; a fleet plan: makes them one', () => {
    const dir = fresh();
    chatOnTco(dir);
    const body =
      'workloads:\n  - workload: chattco.yaml\n    demand: { output_tokens_per_day: 1e12 }\n  - workload: rag\n    demand: { output_tokens_per_day: 1e12 }\nchips:\n  - id: h100-sxm\n';
    const mixed = join(dir, 'mixed.yaml');
    writeFileSync(mixed, `objective: min_cost\n${body}`);
    const r = spawnCli(['fleet', mixed]);
    expect([r.code, r.stderr]).toEqual([
      2,
      `infercost: ${mixed}:5:15 workloads[1].workload: priced on hyperscaler on_demand where the workloads before it are on tco (owner cost): a fleet adds their dollars; give plan: (and basis:) in the fleet file for all\n`,
    ]);
    const one = join(dir, 'one.yaml');
    writeFileSync(one, `objective: min_cost\nplan: tco\n${body}`);
    const ok = spawnCli(['fleet', one]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('tco (owner cost) prices');
  });

  it('under a money budget a chip with no price is left out, not counted as free', () => {
    const dir = fresh();
    const f = join(dir, 'f.yaml');
    // GB200 has no hyperscaler on-demand quote; $1M a year buys 16 H100s at $6.88/h (16 x 6.88 x
    // 8,760 = $964k), and the 10 GB200s must not ride along for nothing.
    writeFileSync(
      f,
      'objective: max_tokens\nusd_per_year_budget: 1e6\nworkloads:\n  - workload: chat\nchips:\n  - id: gb200\n    max_chips: 10\n  - id: h100-sxm\n',
    );
    const r = spawnCli(['fleet', f, '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.allocations.map((a: { chip: string; chips: number }) => [a.chip, a.chips])).toEqual([
      ['h100-sxm', 16],
    ]);
    expect(doc.excluded).toContainEqual({
      chip: 'gb200',
      workload: 'chat',
      reason: 'no hyperscaler on_demand price',
    });
  });
});

describe('diff and check: blends, pricing, exact thresholds, names', () => {
  const save = (dir: string, name: string, args: string[]) => {
    const out = join(dir, name);
    const r = spawnCli(['compare', ...args, '--format', 'json', '-o', out]);
    expect(r.code).toBe(0);
    return out;
  };

  it("a mix's blend moving is a change, and counts for --fail-above", () => {
    const dir = fresh();
    const mix = (shares: [number, number]) => {
      const f = join(dir, `mix-${shares[0]}.yaml`);
      writeFileSync(
        f,
        `name: m\nmix:\n  - { workload: chat, share: ${shares[0]} }\n  - { workload: rag, share: ${shares[1]} }\n`,
      );
      return f;
    };
    const a = save(dir, 'a.json', [mix([0.9, 0.1]), '--accelerators', 'h100-sxm']);
    const b = save(dir, 'b.json', [mix([0.1, 0.9]), '--accelerators', 'h100-sxm']);
    const r = spawnCli(['diff', a, b, '--fail-above', '1%', '--format', 'json']);
    expect(r.code).toBe(1);
    const changes = JSON.parse(r.stdout).changes;
    const blend = changes.find(
      (c: { workload: string; metric: string }) =>
        c.workload === 'mix m' && c.metric === 'output_tokens_per_usd',
    );
    // Blended tokens per $ is harmonic: 1 / (s_chat / t_chat + s_rag / t_rag), so moving share
    // from chat to rag moves it toward rag's.
    const A = JSON.parse(
      spawnCli(['compare', mix([0.9, 0.1]), '--accelerators', 'h100-sxm', '--format', 'json']).stdout,
    );
    const t = (w: number) => A.results[w].accelerators[0].metrics.output_tokens_per_usd;
    expect(blend.old).toBeCloseTo(1 / (0.9 / t(0) + 0.1 / t(1)), 6);
    expect(blend.new).toBeCloseTo(1 / (0.1 / t(0) + 0.9 / t(1)), 6);
    expect(r.stderr).toContain('FAIL mix m/h100-sxm: output_tokens_per_usd moved');
  });

  it('a change of plan is a row of its own; a relative check says the prices differ', () => {
    const dir = fresh();
    const a = save(dir, 'a.json', ['chat', '--accelerators', 'h100-sxm']);
    const b = save(dir, 'b.json', ['chat', '--accelerators', 'h100-sxm', '--plan', 'tco']);
    const changes = JSON.parse(spawnCli(['diff', a, b, '--format', 'json']).stdout).changes;
    expect(changes[0]).toEqual({
      workload: 'chat',
      accelerator: '*',
      metric: 'pricing',
      old: 'hyperscaler on_demand',
      new: 'tco',
      delta: null,
      percent: null,
    });
    const check = spawnCli([
      'check',
      'chat',
      '--accelerators',
      'h100-sxm',
      '--plan',
      'tco',
      '--against',
      a,
      '--expect',
      'h100-sxm usd_per_mtok_output <= +5%',
    ]);
    expect(check.stdout).toMatch(/%\s\(priced on tco, the saved result on hyperscaler on_demand\)\n/);
  });

  it('another model, length or stack is a row of its own in diff, and a relative check says so (a user-test helper found both silent)', () => {
    const dir = fresh();
    const a = save(dir, 'a.json', ['chat', '--accelerators', 'h100-sxm,b200']);
    const b = save(dir, 'b.json', [
      'chat',
      ...['--accelerators', 'h100-sxm,b200', '--set', 'model=llama-3.1-8b', '--set', 'input_tokens=4000'],
      ...['--stack', 'vllm'],
    ]);
    const changes = JSON.parse(spawnCli(['diff', a, b, '--format', 'json']).stdout).changes;
    const rows = (metric: string) =>
      changes
        .filter((c: { metric: string }) => c.metric === metric)
        .map((c: { accelerator: string; old: string; new: string }) => [c.accelerator, c.old, c.new]);
    expect(rows('workload')).toEqual([
      ['*', 'model=llama-3.3-70b', 'model=llama-3.1-8b'],
      ['*', 'input_tokens=800', 'input_tokens=4000'],
    ]);
    // one row per chip, in the result's order (best first)
    expect(rows('stack')).toEqual([
      ['b200', 'trtllm', 'vllm'],
      ['h100-sxm', 'trtllm', 'vllm'],
    ]);
    // a power cap or a switch has no field of its own: a row by its path, against its default
    const capped = save(dir, 'cap.json', [
      'chat',
      ...['--accelerators', 'h100-sxm,b200', '--set', 'site.power_cap_w=500'],
      ...['--set', 'mechanisms.power_capped_clock=false'],
    ]);
    const capRows = JSON.parse(spawnCli(['diff', a, capped, '--format', 'json']).stdout)
      .changes.filter((c: { metric: string }) => c.metric === 'workload')
      .map((c: { old: string; new: string }) => [c.old, c.new]);
    expect(capRows).toEqual([
      ['site.power_cap_w=none', 'site.power_cap_w=500'],
      ['mechanisms.power_capped_clock=true', 'mechanisms.power_capped_clock=false'],
    ]);
    // --set of a profile (a price) changes no workload field: what it moves is what diff shows
    const priced = save(dir, 'c.json', [
      'chat',
      '--accelerators',
      'h100-sxm,b200',
      '--set',
      'b200.price.on_demand=9',
    ]);
    const repriced = JSON.parse(spawnCli(['diff', a, priced, '--format', 'json']).stdout).changes;
    expect(
      repriced.filter((c: { metric: string }) => c.metric === 'workload' || c.metric === 'stack'),
    ).toEqual([]);
    const check = spawnCli([
      'check',
      'chat',
      ...['--accelerators', 'h100-sxm,b200', '--set', 'model=llama-3.1-8b', '--stack', 'vllm'],
      ...['--against', a, '--expect', 'b200/h100-sxm usd_per_mtok_output <= +5%'],
    ]);
    expect(check.stdout).toMatch(
      /% \(run differently from the saved result: model llama-3\.3-70b -> llama-3\.1-8b; b200 stack trtllm -> vllm; h100-sxm stack trtllm -> vllm\)\n/,
    );
  });

  it('a value missing from the saved result is said to be missing there, not in this run', () => {
    const dir = fresh();
    // Inferentia2 misses chat's TTFT at 4,000 tokens in; at chat's own 800 it runs.
    const a = save(dir, 'a.json', ['chat', '--accelerators', 'inferentia2', '--set', 'input_tokens=4000']);
    const r = spawnCli([
      'check',
      'chat',
      '--accelerators',
      'inferentia2',
      '--against',
      a,
      '--expect',
      'inferentia2 ttft_s <= +10%',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /^ERROR chat: inferentia2 ttft_s <= \+10%: not measurable: in the saved result, inferentia2 has no ttft_s \(cannot meet SLO/,
    );
  });

  it('exactly 5% up passes "<= +5%" and --fail-above 5%, whatever the last bits of the double', () => {
    const dir = fresh();
    const a = save(dir, 'a.json', ['chat', '--accelerators', 'h100-sxm']);
    // 6.88 / 1.05: tokens per dollar rise by exactly 5% (5.000000000000004% in doubles).
    const price = String(6.88 / 1.05);
    const b = save(dir, 'b.json', [
      'chat',
      '--accelerators',
      'h100-sxm',
      '--set',
      `h100-sxm.price.on_demand=${price}`,
    ]);
    expect(spawnCli(['diff', a, b, '--fail-above', '5%']).code).toBe(0);
    expect(spawnCli(['diff', a, b, '--fail-above', '4.99%']).code).toBe(1);
    const check = spawnCli([
      'check',
      'chat',
      '--accelerators',
      'h100-sxm',
      '--against',
      a,
      '--set',
      `h100-sxm.price.on_demand=${price}`,
      '--expect',
      'h100-sxm tokens_per_dollar <= +5%',
    ]);
    expect([check.code, check.stdout.split('\n')[0]]).toEqual([
      0,
      expect.stringMatching(/^PASS .*, \+5\.00% <= \+5%$/),
    ]);
  });

  it('two workloads of one name in a result are refused, not paired by position', () => {
    const dir = fresh();
    const long = join(dir, 'long.yaml');
    writeFileSync(long, 'name: chat\nmodel: llama-3.3-70b\ninput_tokens: 4000\noutput_tokens: 300\n');
    const a = save(dir, 'a.json', ['chat', '--accelerators', 'h100-sxm']);
    // compare refuses to make such a result (thirty-eighth session): two saved ones joined by hand.
    const refused = spawnCli(['compare', 'chat', long, '--accelerators', 'h100-sxm', '--format', 'json']);
    expect([refused.code, refused.stdout]).toEqual([2, '']);
    const longResult = save(dir, 'long.json', [long, '--accelerators', 'h100-sxm']);
    const joined = JSON.parse(readFileSync(a, 'utf8'));
    joined.results.push(...JSON.parse(readFileSync(longResult, 'utf8')).results);
    const b = join(dir, 'b.json');
    writeFileSync(b, JSON.stringify(joined));
    const r = spawnCli(['diff', a, b]);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      2,
      '',
      'infercost: the new result has two workloads named "chat": diff pairs workloads by name; give them distinct names\n',
    ]);
  });
});

describe('a price given with --set', () => {
  it("is named as the run's own figure, not sent to profiles show as an estimate", () => {
    const r = spawnCli([
      'compare',
      'chat',
      '--accelerators',
      'h100-sxm',
      '--set',
      'h100-sxm.price.on_demand=3',
      '--format',
      'json',
    ]);
    const a = JSON.parse(r.stdout).results[0].accelerators[0];
    expect(a.warnings).toContainEqual({
      code: 'PRICE_ESTIMATE',
      plan: 'on_demand',
      provider: 'command line',
      message: "on_demand price given with --set (this run's figure, not a published quote)",
    });
    // $3 a chip-hour: $/1M out = 3 / (tok/s/chip x 3,600 x 0.7) x 1e6.
    expect(a.metrics.usd_per_mtok_output).toBeCloseTo(
      (3 / (a.metrics.output_tokens_per_s_per_chip * 3600 * 0.7)) * 1e6,
      9,
    );
  });
});

describe('a fleet for a mix', () => {
  it("--demand is the mix's tokens a day: each class sized for its share; a power budget is refused", () => {
    const r = spawnCli([
      'compare',
      'production-mix',
      '--accelerators',
      'b200',
      '--demand',
      '1e12',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const served = JSON.parse(r.stdout).results.map(
      (w: { workload: { name: string; demand_output_tokens_per_day: number } }) => [
        w.workload.name,
        w.workload.demand_output_tokens_per_day,
      ],
    );
    // production-mix: chat 60%, rag 30%, agentic-coding 10% of 1e12.
    expect(served).toEqual([
      ['chat', 0.6e12],
      ['rag', 0.3e12],
      ['agentic-coding', 0.1e12],
    ]);
    // A demand that is not a number is named as typed, on a mix as on one workload (it read as
    // NaN on a mix, and as "--demand --demand 1T" on either).
    for (const w of ['production-mix', 'chat']) {
      const bad = spawnCli(['compare', w, '--accelerators', 'b200', '--demand', '1T']);
      expect([bad.code, bad.stderr]).toEqual([
        2,
        'infercost: --demand 1T demand.output_tokens_per_day: expected a number, got "1T"\n',
      ]);
    }
    const p = spawnCli(['compare', 'production-mix', '--accelerators', 'b200', '--power-budget', '1GW']);
    expect([p.code, p.stdout, p.stderr]).toEqual([
      2,
      '',
      "infercost: --power-budget 1GW: production-mix is a traffic mix, and how a power budget splits between its classes is a plan: use infercost fleet (a workload per class with its demand), or --demand for the mix's tokens a day\n",
    ]);
  });
});

describe('blend order and the library gate', () => {
  it('--sort orders the blend table too', () => {
    const r = spawnCli([
      'compare',
      'production-mix',
      '--accelerators',
      'h100-sxm,b200,mi300x',
      '--sort',
      'tokens_per_joule_output',
      '--format',
      'json',
    ]);
    const blend = JSON.parse(r.stdout).mixes[0].accelerators.map(
      (a: { tokens_per_joule_output: number }) => a.tokens_per_joule_output,
    );
    expect(blend).toEqual([...blend].sort((x: number, y: number) => y - x));
  });

  it('library check() with nothing to check is a UsageError, as the CLI is exit 2', async () => {
    const lib = await import('../../src/index.js');
    expect(() => lib.check({ workloads: ['chat'], accelerators: ['h100-sxm'], expect: [] })).toThrow(
      new lib.UsageError(
        'check(): nothing to check: give expect: ["<claim>"] or an expect: list in a workload',
      ),
    );
  });
});
