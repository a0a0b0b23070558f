// `import { compare } from 'infercost'`: the library gives the CLI's numbers (issue 14).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type CompareInput, compare, type ResultDoc, UsageError } from '../../src/index.js';
import { REPO, runCli } from '../helpers/cli.js';

const input: CompareInput = {
  workloads: ['profiles/workloads/chat.yaml'],
  accelerators: ['h100-sxm', 'b200', 'mi300x'],
  today: '2026-11-23',
};

describe('the library', () => {
  it('compare() returns the same result as compare --format json', async () => {
    const cli = JSON.parse(
      (
        await runCli([
          'compare',
          'profiles/workloads/chat.yaml',
          '--accelerators',
          'h100-sxm,b200,mi300x',
          '--format',
          'json',
        ])
      ).stdout,
    ) as ResultDoc;
    const lib = compare(input).result;
    expect(lib.results[0]?.accelerators).toEqual(cli.results[0]?.accelerators);
  });

  it('takes a workload written as an object, and checks claims', () => {
    const out = compare({
      workloads: [{ name: 'mine', model: 'llama-3.1-8b', input_tokens: 1000, output_tokens: 200 }],
      accelerators: ['h100-sxm', 'b200'],
      expect: ['b200/h100-sxm throughput >= 0.1'],
    });
    expect(out.result.results[0]?.workload.name).toBe('mine');
    expect(out.outcomes.map((o) => o.status)).toEqual(['PASS']);
  });

  it('refuses two workloads of one name, as the CLI does; names an unnamed inline one by its place', () => {
    // Before, compare() returned both and diff() of that result threw; the CLI exits 2.
    const twice = () => compare({ workloads: ['chat', 'production-mix'], accelerators: ['h100-sxm'] });
    expect(twice).toThrow(
      'compare(): workloads[1]: workload "chat" has the name of a workload of workloads[0]; a result pairs workloads by name, so give each its own or compare them in separate calls',
    );
    const w = { model: 'llama-3.1-8b', input_tokens: 1000, output_tokens: 200 };
    const two = compare({ workloads: [w, { ...w, input_tokens: 4000 }], accelerators: ['h100-sxm'] });
    // Before, both were named "stdin" (a stream the caller never used), and clashed.
    expect(two.result.results.map((r) => r.workload.name)).toEqual(['workload-0', 'workload-1']);
    // A Symbol key is a UsageError at its path, not a TypeError from the error's own formatting.
    const symbolKey = () =>
      compare({ workloads: [{ ...w, name: 'a', [Symbol('x')]: 1 } as never], accelerators: ['h100-sxm'] });
    expect(symbolKey).toThrow(
      new UsageError(
        'compare(): workloads[0].Symbol(x): expected a value a workload file can hold, got a Symbol key',
      ),
    );
    // A name given as undefined (a spread of optional fields) is no name.
    const unnamed = compare({ workloads: [{ ...w, name: undefined }], accelerators: ['h100-sxm'] });
    expect(unnamed.result.results[0]?.workload.name).toBe('workload-0');
  });

  it("resolves as the package's own name from an ES module (package.json exports)", () => {
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('infercost'); const o = m.compare({ workloads: ['chat'], accelerators: ['h100-sxm'], today: '2026-11-23' }); process.stdout.write(String(o.result.results[0].accelerators[0].metrics.output_tokens_per_s_per_chip));",
      ],
      { cwd: REPO, encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    const lib = compare({ ...input, accelerators: ['h100-sxm'] }).result.results[0]?.accelerators[0];
    expect(Number(r.stdout)).toBe(lib?.metrics.output_tokens_per_s_per_chip);
  });
});

describe('sweep() in the library', () => {
  it('yields the lines infercost sweep prints, one per (point, accelerator)', async () => {
    const { sweep } = await import('../../src/index.js');
    const lib = [
      ...sweep({
        workload: 'chat',
        vary: ['input_tokens=1000,4000'],
        accelerators: ['h100-sxm', 'b200'],
        format: 'csv',
        today: '2026-11-23',
      }),
    ].join('');
    const cli = await runCli([
      'sweep',
      'chat',
      '--vary',
      'input_tokens=1000,4000',
      '--accelerators',
      'h100-sxm,b200',
      '--format',
      'csv',
    ]);
    expect(cli.code).toBe(0);
    expect(lib).toBe(cli.stdout);
    expect(lib.split('\r\n')).toHaveLength(1 + 2 * 2 + 1); // header, 2 points x 2 chips, trailing empty
  });
});

describe('check, diff, backtest and calibrate in the library', () => {
  it('give what the commands give', async () => {
    const lib = await import('../../src/index.js');
    const outcomes = lib.check({
      workloads: ['chat'],
      accelerators: ['h100-sxm', 'h200-sxm'],
      expect: ['h200-sxm/h100-sxm tokens_per_dollar >= 0.2'],
      today: '2026-11-23',
    });
    expect(outcomes.map((o) => o.status)).toEqual(['PASS']);
    const before = lib.compare({
      workloads: ['chat'],
      accelerators: ['h100-sxm'],
      today: '2026-11-23',
    }).result;
    const after = lib.compare({
      workloads: ['chat'],
      accelerators: ['h100-sxm'],
      set: ['h100-sxm.price.on_demand=13.76'],
      today: '2026-11-23',
    }).result;
    const moved = lib.diff(before, after, ['output_tokens_per_usd']);
    // Twice the price: half the tokens per dollar, -50%.
    expect(moved.map((c) => [c.metric, Number(c.percent?.toFixed(6))])).toEqual([
      ['output_tokens_per_usd', -50],
    ]);
    // An alias, as diff --metrics takes it (it was "unknown metric").
    expect(lib.diff(before, after, ['tokens_per_dollar'])).toEqual(moved);
    const report = lib.backtest();
    const cli = JSON.parse((await runCli(['backtest', '--format', 'json'])).stdout);
    expect(report.rows.length).toBe(cli.rows.length);
    const fit = lib.calibrate({ accelerator: 'h100-sxm', rows: 'trtllm-h100-8b,trtllm-h100-70b-tp2' });
    expect(fit.cases.map((c) => c.id)).toEqual(['trtllm-h100-8b', 'trtllm-h100-70b-tp2']);
  });

  it('backtest({ cv, against }) gives what backtest --cv --against prints, and against alone is a usage error', async () => {
    const lib = await import('../../src/index.js');
    const args = { files: ['data/measured/published.csv'], cv: true, against: 'per_operator_roofline=off' };
    const cli = JSON.parse(
      (
        await runCli([
          'backtest',
          'data/measured/published.csv',
          '--cv',
          '--against',
          'per_operator_roofline=off',
          '--format',
          'json',
        ])
      ).stdout,
    );
    expect({ schema_version: 1, ...lib.backtest(args) }).toEqual(cli);
    expect(() => lib.backtest({ against: 'per_operator_roofline=off' })).toThrow(lib.UsageError);
  });

  it('a wrong input is a UsageError naming the function and the field, never a TypeError from inside', async () => {
    const lib = await import('../../src/index.js');
    const cases: [() => unknown, string][] = [
      [() => lib.compare(undefined as never), 'compare(): expected an object of options, got nothing'],
      [() => lib.compare({} as never), 'compare(): workloads: missing required field "workloads"'],
      [
        () => lib.compare({ workloads: 'chat' } as never),
        'compare(): workloads: expected a list, got "chat"',
      ],
      [
        () => lib.compare({ workloads: ['chat'], acclerators: ['b200'] } as never),
        'compare(): acclerators: unknown key "acclerators"; did you mean "accelerators"?',
      ],
      [
        () => lib.compare({ workloads: [5] } as never),
        "compare(): workloads[0]: expected a workload file, a bundled workload's name or an inline workload, got 5",
      ],
      [
        () => lib.compare({ workloads: ['chat'], today: 'yesterday' }),
        'compare(): today: expected a date as YYYY-MM-DD, got "yesterday"',
      ],
      [
        () =>
          lib.compare({
            workloads: [
              { name: 'x', model: 'llama-3.1-8b', input_tokens: 10, output_tokens: 10, foo() {} } as never,
            ],
          }),
        // It was a plain Error from the YAML library ("Tag not resolved for Function value").
        'compare(): workloads[0].foo: expected a value a workload file can hold, got a function',
      ],
      [() => lib.calibrate({} as never), 'calibrate(): accelerator: missing required field "accelerator"'],
      [
        () => lib.diff({} as never, {} as never),
        'diff(): before.schema_version: expected one of 1, got nothing',
      ],
      [
        () => lib.diff(null as never, {} as never),
        'diff(): before: expected a result saved with compare --format json, got null (an empty value)',
      ],
      // A saved result is checked as `infercost diff` checks a file: never NaN in a change, never a TypeError.
      [
        () => {
          const doc = lib.compare({ workloads: ['chat'], accelerators: ['b200'] }).result;
          const bad = structuredClone(doc);
          (
            (bad.results[0] as (typeof bad.results)[0]).accelerators[0] as { metrics: Record<string, number> }
          ).metrics.usd_per_mtok_output = Number.NaN;
          return lib.diff(doc, bad);
        },
        'diff(): after.results[0].accelerators[0].metrics.usd_per_mtok_output: expected a finite number, got not a number (.nan)',
      ],
      [
        () => {
          const doc = lib.compare({ workloads: ['chat'], accelerators: ['b200'] }).result;
          const bad = structuredClone(doc);
          ((bad.results[0] as (typeof bad.results)[0]).accelerators[0] as { metrics: unknown }).metrics =
            null;
          return lib.diff(bad, doc);
        },
        'diff(): before.results[0].accelerators[0].metrics: expected a mapping, got null (an empty value)',
      ],
      [
        () => {
          const doc = lib.compare({ workloads: ['chat'], accelerators: ['b200'] }).result;
          return lib.diff(doc, doc, ['bogus' as never]);
        },
        'diff(): metrics: unknown metric "bogus"',
      ],
      // A real-looking date that is not one is said in the field's own form (it offered YYYY-MM).
      [
        () => lib.compare({ workloads: ['chat'], today: '2025-13-40' }),
        'compare(): today: expected a date as YYYY-MM-DD with a real month and day, got "2025-13-40"',
      ],
      // check() runs compare(); its errors name check() (they said compare()).
      [() => lib.check({} as never), 'check(): workloads: missing required field "workloads"'],
      [
        // @ts-expect-error: calibrate() writes nothing; its type let `output` through to a run-time refusal.
        () => lib.calibrate({ accelerator: 'h100-sxm', output: 'out.yaml' }),
        'calibrate(): output: unknown key "output" (known keys: accelerator, files, factors, rows, includeAssumedInput, mechanisms, stack, profiles, today)',
      ],
    ];
    for (const [call, message] of cases) expect(call).toThrow(new lib.UsageError(message));
    await expect(lib.fleet({ file: 'profiles/fleets/mixed.yaml', at: 'middle' as never })).rejects.toThrow(
      'fleet(): at: expected one of expected, low, high, got "middle"',
    );
    // A profile folder named twice (dir and dir/) is read once, as --profiles reads it.
    const twice = lib.compare({
      workloads: ['chat'],
      accelerators: ['h100-sxm'],
      profiles: ['profiles/accelerators', 'profiles/accelerators/'],
    });
    expect(twice.result.results[0]?.accelerators.map((a) => a.id)).toEqual(['h100-sxm']);
    // An inline workload's error names its index, not a <stdin> the caller never wrote.
    expect(() =>
      lib.compare({
        workloads: [{ name: 'x', model: 'llama-3.1-8b', input_tokens: -1, output_tokens: 200 }],
      }),
    ).toThrow('workloads[0] input_tokens: expected a positive number, got -1');
  });
});
