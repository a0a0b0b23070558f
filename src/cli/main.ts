import { Command, CommanderError, Option } from 'commander';
import { VERSION } from '../api/version.js';
import { errnoReason, removePendingFiles, writeFileAtomic } from '../io/atomic.js';
import { buildSnapshot } from '../io/catalog.js';
import { CONFIG_FILE, readConfig } from '../io/config.js';
import { InputError, IoError, UsageError } from '../io/errors.js';
import { readStdin as readStdinSync } from '../io/workload.js';
import { columnKeys } from '../render/columns.js';
import { FORMAT_NAMES } from '../render/index.js';
import { sanitizeLine, sanitizeStderr } from '../render/text.js';
import { backtestCommand } from './commands/backtest.js';
import { calibrateAllCommand, calibrateCommand } from './commands/calibrate.js';
import { checkCommand } from './commands/check.js';
import { claimCommand } from './commands/claim.js';
import { compareCommand } from './commands/compare.js';
import { completionCommand } from './commands/completion.js';
import { diffCommand } from './commands/diff.js';
import { fleetCommand } from './commands/fleet.js';
import { initCommand } from './commands/init.js';
import { modelsCommand } from './commands/models.js';
import { pricesImportCommand } from './commands/prices.js';
import { profilesCommand, profilesShowCommand } from './commands/profiles.js';
import { reportCommand } from './commands/report.js';
import { schemaCommand } from './commands/schema.js';
import { sweepCommand } from './commands/sweep.js';
import { validateCommand } from './commands/validate.js';
import { Context } from './context.js';
import { EXIT, EXIT_HELP } from './exit.js';
import type { CliIo } from './io.js';

const collect = (value: string, previous: string[]) => [...previous, value];

function buildProgram(io: CliIo, setCode: (code: number) => void): Command {
  const program = new Command('infercost')
    .description(
      'What it costs to serve an LLM on each accelerator, per token and per watt, with the source of every number.',
    )
    .version(VERSION)
    .option(
      '--profiles <dir>',
      'add a directory of accelerator/model profiles (repeatable; also INFERCOST_PROFILES)',
      collect,
      [],
    )
    .option('--no-color', 'never colour output')
    .option(
      '--config <file>',
      `project defaults (profiles, basis, plan, baseline, accelerators, stack); default: ./${CONFIG_FILE} if present`,
    )
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      // One prefix for every error, commander's included.
      outputError: (s, write) => write(sanitizeLine(s.replace(/^error: /, 'infercost: '))),
    })
    .addHelpText('after', EXIT_HELP)
    .showSuggestionAfterError(true);

  let config: ReturnType<typeof readConfig> | null = null;
  /** The project config, read on first use (flags win over it). */
  const projectConfig = () => {
    if (config === null) config = readConfig(program.opts<{ config?: string }>().config, process.cwd());
    return config;
  };
  const ctx = () => {
    const g = program.opts<{ profiles: string[]; color: boolean }>();
    return new Context(io, {
      profiles: [...(projectConfig()?.profiles ?? []), ...g.profiles],
      color: g.color,
    });
  };
  type ConfigKey = 'basis' | 'plan' | 'baseline' | 'stack' | 'accelerators';
  const ALL_KEYS: readonly ConfigKey[] = ['basis', 'plan', 'baseline', 'stack', 'accelerators'];
  /** A command's options with the project config's defaults (for `keys`) under the flags given. */
  const withConfig = <T extends object>(opts: T, keys: readonly ConfigKey[] = ALL_KEYS): T => {
    const c = projectConfig();
    if (!c) return opts;
    const given = opts as Record<string, unknown>;
    const fill: Record<string, unknown> = {};
    for (const k of keys) {
      const v = c[k];
      if (given[k] !== undefined || v === undefined) continue;
      fill[k] = Array.isArray(v) ? v.join(',') : v;
    }
    return { ...opts, ...fill };
  };

  program
    .command('compare')
    .description('compare every accelerator on one or more workloads ("-" reads stdin)')
    .argument('<workload...>', 'workload YAML files')
    .addOption(new Option('--format <format>', 'output format').choices(FORMAT_NAMES))
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout')
    .option('--baseline <id>', 'accelerator the ratios are against (default: the workload, else h100-sxm)')
    .option('--accelerators <ids>', 'comma-separated accelerator ids (default: the workload list, else all)')
    .option('--plan <plan>', 'price plan: on_demand, reserved_1y, reserved_3y, spot, tco')
    .option('--basis <basis>', 'price basis for every chip: hyperscaler (default), neocloud, marketplace')
    .option(
      '--set <path=value>',
      'override a workload or profile field for this run (repeatable)',
      collect,
      [],
    )
    .option('--sort <metric>', 'sort by a metric (default output_tokens_per_usd)')
    .option(
      '--power-budget <power>',
      'fill this facility power with each chip (1GW, 300MW): chips, tokens/day, $/year',
    )
    .option('--demand <tokens_per_day>', "size each chip's fleet for this many output tokens per day")
    .option(
      '--stack <stack>',
      "serving stack to assume (trtllm, vllm, ...); default: each chip's best calibrated one",
    )
    .option(
      '--expect <claim>',
      'check a claim, e.g. "maia-200/h200-sxm tokens_per_dollar >= 1.30" (repeatable)',
      collect,
      [],
    )
    .option('--strict', 'an UNCERTAIN expectation fails too (exit 1)', false)
    .option('--ranges', 'show the efficiency-range column in the table', true)
    .option('--no-ranges', 'hide the efficiency-range column of the table (JSON always has ranges)')
    .option('--pareto', 'include the (interactivity, tokens/s per chip) Pareto curve', false)
    .option('--wide', 'on a terminal, every column even when the table is wider than the screen', false)
    .option('--chart', 'under the table: tokens per dollar as bars with ranges, and the Pareto curves', false)
    .option('--columns <keys>', `exactly these table columns: ${columnKeys().join(', ')}`)
    .action((workloads: string[], opts) => setCode(compareCommand(ctx(), workloads, withConfig(opts))));

  program
    .command('report')
    .description(
      'one self-contained HTML page: the table, charts with ranges, Pareto curves, cost vs input length',
    )
    .argument('<workload...>', 'workload files or bundled names')
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout')
    .option('--format <format>', 'html (default) or svg (one chart, with --chart)')
    .option('--chart <name>', 'with --format svg: tpd, tpw, pareto or sweep')
    .option('--baseline <id>', 'accelerator the ratios are against')
    .option('--accelerators <ids>', 'comma-separated accelerator ids')
    .option('--plan <plan>', 'price plan: on_demand, reserved_1y, reserved_3y, spot, tco')
    .option('--basis <basis>', 'price basis for every chip: hyperscaler (default), neocloud, marketplace')
    .option('--stack <stack>', "serving stack to assume; default: each chip's best calibrated one")
    .option('--set <path=value>', 'override a workload or profile field (repeatable)', collect, [])
    .addHelpText('after', '\nExample:\n  infercost report chat rag -o report.html')
    .action(async (workloads: string[], opts) =>
      setCode(await reportCommand(ctx(), workloads, withConfig(opts))),
    );

  program
    .command('check')
    .description('check expectations on workloads (a CI gate): one line each, exit 1 if any fails')
    .argument('<workload...>', 'workload YAML files ("-" reads stdin)')
    .option(
      '--expect <claim>',
      '"a/b metric >= x", "a metric <= x", or "a metric <= +5%" against --against (repeatable)',
      collect,
      [],
    )
    .option('--against <result.json>', 'a saved compare --format json result, for relative thresholds')
    .option('--format <format>', 'text, json or markdown (a step summary: >> $GITHUB_STEP_SUMMARY)')
    .option('--baseline <id>', 'accelerator the ratios are against')
    .option('--accelerators <ids>', 'comma-separated accelerator ids')
    .option('--plan <plan>', 'price plan: on_demand, reserved_1y, reserved_3y, spot, tco')
    .option(
      '--set <path=value>',
      'override a workload or profile field for this run (repeatable)',
      collect,
      [],
    )
    .option('--strict', 'an UNCERTAIN expectation fails too', false)
    .option('--stack <stack>', "serving stack to assume; default: each chip's best calibrated one")
    .option('--basis <basis>', 'price basis for every chip: hyperscaler (default), neocloud, marketplace')
    .action((workloads: string[], opts) =>
      setCode(checkCommand(ctx(), workloads, withConfig({ ...opts, pareto: false, ranges: true }))),
    );

  program
    .command('claim')
    .description(
      "check a vendor's claim over workloads: the ratio and its range, a verdict, the break-even price or capex, and the inputs that flip it",
    )
    .argument('<claim>', '"a/b metric >= r", e.g. "maia-200/gb200 tokens_per_dollar >= 1.30"')
    .argument(
      '[workload...]',
      'workload YAML files or bundled names (default: chat, rag, summarization, agentic-coding)',
    )
    .option('--plan <plan>', 'price plan: on_demand, reserved_1y, reserved_3y, spot, tco (the owner cost)')
    .option('--basis <basis>', 'price basis for both chips: hyperscaler (default), neocloud, marketplace')
    .option('--stack <stack>', "serving stack to assume; default: each chip's best calibrated one")
    .option('--set <path=value>', 'override a workload or profile field (repeatable)', collect, [])
    .option('--format <format>', 'text (with tornado bars), json or markdown')
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout')
    .option('--strict', 'an UNCERTAIN verdict exits 1 too', false)
    .addHelpText(
      'after',
      '\nExamples:\n  infercost claim "maia-200/gb200 tokens_per_dollar >= 1.30" --plan tco\n  infercost claim "mi355x/b200 tokens_per_joule >= 1.2" chat rag --format markdown\n\nExit: 0 PASS or UNCERTAIN on every workload, 1 FAIL on any (or UNCERTAIN with --strict), 2 not measurable.',
    )
    .action((claim: string, workloads: string[], opts) =>
      setCode(claimCommand(ctx(), claim, workloads, withConfig(opts, ['basis', 'plan', 'stack']))),
    );

  program
    .command('fleet')
    .description(
      'plan a mixed fleet: workloads with demands, chips with caps, power and money budgets; least cost or most tokens (an integer program, HiGHS)',
    )
    .argument(
      '<fleet.yaml>',
      'the plan: objective, plan, power_budget, usd_per_year_budget, workloads, chips',
    )
    .option('--format <format>', 'table, json or csv')
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout')
    .addHelpText(
      'after',
      '\nExample:\n  infercost fleet profiles/fleets/mixed.yaml --format json\n\nExit: 0 a plan was found, 1 no feasible plan (infeasible or unbounded), 2 bad input.',
    )
    .action(async (file: string, opts) => setCode(await fleetCommand(ctx(), file, opts)));

  program
    .command('diff')
    .description('what changed between two saved results (compare --format json)')
    .argument('<old>', 'the earlier result')
    .argument('<new>', 'the later result')
    .option('--format <format>', 'table, json, csv or markdown (a step summary or PR comment)')
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout')
    .option('--metrics <keys>', 'only these metrics (comma-separated)')
    .option('--fail-above <percent>', 'exit 1 when any tokens per dollar moves more than this, e.g. 5%')
    .action((oldPath: string, newPath: string, opts) => setCode(diffCommand(ctx(), oldPath, newPath, opts)));

  program
    .command('sweep')
    .description(
      'compare over a grid of workload or profile values, streaming one row per (point, accelerator)',
    )
    .argument('[workload]', 'base workload YAML ("-" reads stdin); or give --file')
    .option('--file <sweep.yaml>', 'a sweep file: base workload, axes, accelerators')
    .option('--vary <path=values>', 'an axis: a,b,c or a..b:step or a..b*factor (repeatable)', collect, [])
    .option('--set <path=value>', 'override a field at every point (repeatable)', collect, [])
    .option('--accelerators <ids>', 'comma-separated accelerator ids (default: the workload list, else all)')
    .option('--baseline <id>', 'accelerator the ratios are against')
    .option('--plan <plan>', 'price plan: on_demand, reserved_1y, reserved_3y, spot, tco')
    .option('--format <format>', 'ndjson (default when stdout is not a TTY) or csv')
    .option('-o, --output <file>', 'write to a file, renamed into place only when complete')
    .option('--shard <k/n>', 'compute only the k-th of n contiguous slices of the grid')
    .option('--limit <points>', 'stop after this many points')
    .option('--yes', 'run a grid over 10,000,000 points', false)
    .action(async (workload: string | undefined, opts) => setCode(await sweepCommand(ctx(), workload, opts)));

  program
    .command('backtest')
    .description('run the engine on published measured results and report its error')
    .argument('[files...]', 'measured-result CSV files or folders (default: the bundled data/measured)')
    .option('--format <format>', 'table, json or csv')
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout')
    .option(
      '--mechanisms <list>',
      'engine corrections (docs/model.md 3a) to run with: name=on|off,... or all or none',
    )
    .option('--cv', 'cross-validate: leave one source out, refit on the rest, predict it', false)
    .action((files: string[], opts) => setCode(backtestCommand(ctx(), files, opts)));

  program
    .command('calibrate')
    .description("fit a profile's efficiency factors to measured results and print the calibrated profile")
    .argument('[files...]', 'measured-result CSV files or folders (default: the bundled data/measured)')
    .option('--accelerator <id>', 'the profile to calibrate')
    .option(
      '--all',
      'fit every chip and stack at once (docs/model.md 12a) and write stacks: into each profile',
      false,
    )
    .option('--mechanisms <list>', 'engine corrections to fit with: name=on|off,... or all or none')
    .option(
      '--factors <names>',
      'comma-separated factors to fit (default: eta_mem, eta_prefill, eta_decode, t_step0_ms, and eta_link with multi-chip rows)',
    )
    .option(
      '--rows <ids>',
      'comma-separated row ids to fit on (default: every row for the accelerator with a known input length)',
    )
    .option('--include-assumed-input', 'also fit on rows whose input length was assumed', false)
    .option('-o, --output <file>', 'write the calibrated profile to a file (atomically) instead of stdout')
    .option('--output-dir <dir>', 'with --all: write the updated profiles into this directory')
    .action((files: string[], opts) => {
      if (opts.all) {
        if (opts.accelerator !== undefined)
          throw new UsageError('give --accelerator <id> or --all, not both');
        return setCode(
          calibrateAllCommand(ctx(), files, { output: opts.outputDir, mechanisms: opts.mechanisms }),
        );
      }
      if (opts.accelerator === undefined) throw new UsageError('give --accelerator <id> (or --all)');
      return setCode(calibrateCommand(ctx(), files, opts));
    });

  const profiles = program
    .command('profiles')
    .description('list accelerator profiles, or show one with every source')
    .option('--format <format>', 'table or json')
    .action((opts) => setCode(profilesCommand(ctx(), opts)));
  profiles
    .command('show')
    .description('every number of a profile with its source and kind')
    .argument('<id>', 'accelerator id')
    .action((id: string) => setCode(profilesShowCommand(ctx(), id)));

  const prices = program.command('prices').description('price quotes: import a public price catalog');
  prices
    .command('import')
    .description("read a price catalog CSV (SkyPilot's vms.csv format) into dated quotes per chip")
    .argument('<catalog.csv>', 'the catalog file you downloaded')
    .requiredOption('--provider <name>', 'who the prices are from, e.g. AWS, GCP, Azure, Lambda')
    .requiredOption(
      '--as-of <date>',
      "the catalog's date, YYYY-MM-DD (a quote is only as fresh as its catalog)",
    )
    .option('--basis <basis>', 'hyperscaler (default), neocloud or marketplace')
    .option('--region <region>', 'only this region (default: the cheapest per chip in any region)')
    .option('--output-dir <dir>', "write each chip's profile with the new quotes into this directory")
    .addHelpText(
      'after',
      '\nExample:\n  infercost prices import aws-vms.csv --provider AWS --as-of 2026-07-30 --output-dir my-profiles',
    )
    .action((file: string, opts) => setCode(pricesImportCommand(ctx(), file, opts)));

  program
    .command('models')
    .description('list models')
    .option('--format <format>', 'table or json')
    .action((opts) => setCode(modelsCommand(ctx(), opts)));

  program
    .command('init')
    .description('write a starter workload file with its JSON Schema line (never overwrites)')
    .argument('[file]', 'where to write it', 'workload.yaml')
    .action((file: string) => setCode(initCommand(ctx(), file)));

  program
    .command('validate')
    .description('check accelerator, model and workload files')
    .argument('<file...>', 'YAML files')
    .action((files: string[]) => setCode(validateCommand(ctx(), files)));

  program
    .command('completion')
    .description('print a shell completion script: commands, options, accelerator ids, bundled workloads')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText(
      'after',
      '\nExamples:\n  infercost completion bash > ~/.local/share/bash-completion/completions/infercost\n  eval "$(infercost completion zsh)"      # in ~/.zshrc\n  infercost completion fish | source      # in ~/.config/fish/config.fish',
    )
    .action((shell: string) => setCode(completionCommand(ctx(), program, shell)));

  program
    .command('internal-snapshot', { hidden: true })
    .description('write the validated bundled profiles for fast start-up (run by npm run build)')
    .argument('<file>', 'output path')
    .action((file: string) => {
      writeFileAtomic(file, `${JSON.stringify(buildSnapshot())}\n`);
      setCode(EXIT.ok);
    });

  program
    .command('schema')
    .description('print the JSON Schema of a file format or of the result JSON')
    .argument('<kind>', 'accelerator, model, workload or result')
    .action((kind: string) => setCode(schemaCommand(ctx(), kind)));

  // Examples in every command's --help (those above carry their own).
  const EXAMPLES: Record<string, readonly string[]> = {
    compare: [
      'infercost compare chat',
      'infercost compare chat rag --plan tco --format csv -o costs.csv',
      'infercost compare chat --power-budget 1GW --accelerators gb200,mi355x,tpu-v7-ironwood',
    ],
    check: [
      'infercost check chat --expect "h200-sxm/h100-sxm tokens_per_dollar >= 1.1"',
      'infercost check chat --expect "b200 usd_per_mtok_output <= +5%" --against before.json --format markdown >> "$GITHUB_STEP_SUMMARY"',
    ],
    diff: ['infercost diff before.json after.json --fail-above 5%'],
    sweep: [
      'infercost sweep chat --vary input_tokens=500..8000*2 --format csv',
      'infercost sweep chat --vary input_tokens=100..100000:1 --shard 2/8 -o part-2.ndjson',
    ],
    backtest: ['infercost backtest --cv', 'infercost backtest my-results.csv --format json'],
    calibrate: [
      'infercost calibrate --accelerator h100-sxm',
      'infercost calibrate --all --output-dir profiles/accelerators',
    ],
    profiles: ['infercost profiles', 'infercost profiles show maia-200'],
    models: ['infercost models --format json'],
    schema: ['infercost schema workload > workload.schema.json'],
    init: ['infercost init my-workload.yaml'],
    validate: ['infercost validate profiles/accelerators/*.yaml my-workload.yaml'],
  };
  for (const command of program.commands) {
    const examples = EXAMPLES[command.name()];
    if (examples) command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}`);
  }
  return program;
}

/** Runs the CLI and returns the exit code; only this function catches. */
export async function main(argv: readonly string[], rawIo: CliIo): Promise<number> {
  // Every message that reaches stderr quotes input at times: no raw control characters in it.
  const io: CliIo = { ...rawIo, stderr: (s) => rawIo.stderr(sanitizeStderr(s)) };
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0)
        return EXIT.ok;
      return EXIT.badInput;
    }
    if (e instanceof InputError || e instanceof UsageError) {
      io.stderr(`infercost: ${sanitizeLine(e.message)}\n`);
      return EXIT.badInput;
    }
    if (e instanceof IoError) {
      io.stderr(`infercost: ${sanitizeLine(e.message)}\n`);
      return EXIT.ioError;
    }
    io.stderr(
      `infercost: internal error: ${sanitizeLine(e instanceof Error ? e.message : String(e))}\nThis is a bug; please report it with the command you ran.\n`,
    );
    return EXIT.internal;
  }
}

/** A terminal's width: a valid COLUMNS, else what the terminal reports, else 80. */
export function terminalColumns(
  env: Readonly<Record<string, string | undefined>>,
  reported?: number,
): number {
  const fromEnv = Number(env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv >= 20) return fromEnv;
  return reported !== undefined && reported >= 20 ? reported : 80;
}

/** The process wiring: real streams, write errors as one line, no partial files on Ctrl-C. */
export function run(): void {
  let stdoutFailed = false;
  // A closed reader (EPIPE, e.g. `| head`) is a normal end; any other write error (a full disk,
  // a device that refuses) is one line and exit 74, never a stack trace.
  const stdoutError = (e: NodeJS.ErrnoException) => {
    if (stdoutFailed) return;
    stdoutFailed = true;
    removePendingFiles();
    if (e.code === 'EPIPE') process.exit(EXIT.ok);
    process.stderr.write(`infercost: cannot write to stdout: ${errnoReason(e)}\n`);
    process.exit(EXIT.ioError);
  };
  process.stdout.on('error', stdoutError);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      removePendingFiles();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
  const write = (s: string | Uint8Array) => {
    if (stdoutFailed) return;
    try {
      process.stdout.write(s);
    } catch (e) {
      stdoutError(e as NodeJS.ErrnoException);
    }
  };
  const io: CliIo = {
    stdout: write,
    stdoutBytes: write,
    stderr: (s) => process.stderr.write(s),
    env: process.env,
    stdoutIsTty: process.stdout.isTTY === true,
    ...(process.stdout.isTTY === true
      ? { stdoutColumns: terminalColumns(process.env, process.stdout.columns) }
      : {}),
    stderrIsTty: process.stderr.isTTY === true,
    readStdin: () => readStdinSync(),
    today: new Date().toISOString().slice(0, 10),
    drain: () =>
      process.stdout.writableNeedDrain
        ? new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()))
        : Promise.resolve(),
    now: () => performance.now(),
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`infercost: internal error: ${sanitizeLine(String(e))}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}
