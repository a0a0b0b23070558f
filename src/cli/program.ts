// The commander program: global options, the project config, each command group's
// registration (src/cli/register/), and an example in every command's help.
import { Command, Help, InvalidArgumentError } from 'commander';
import { VERSION } from '../api/version.js';
import { checkProfileDirs, userProfileDirs } from '../io/catalog.js';
import { CONFIG_FILE, readConfig } from '../io/config.js';
import { dottedPath, InputError, UsageError } from '../io/errors.js';
import { knownStacks, unknownAccelerator } from '../io/workload.js';
import { wrap, wrapIndented } from '../render/table.js';
import { sanitizeLine } from '../render/text.js';
import { didYouMean } from '../schema/issues.js';
import { Context } from './context.js';
import { EXIT_HELP } from './exit.js';
import type { CliIo } from './io.js';
import { registerCatalog } from './register/catalog.js';
import { registerComparisons } from './register/comparisons.js';
import { registerFidelity } from './register/fidelity.js';
import { registerPipelines } from './register/pipelines.js';
import { collect, type Wiring } from './wiring.js';

/** The formats each command writes that a file's name can pick (sweep picks its own). */
const FORMATS_BY_NAME: Readonly<Record<string, readonly string[]>> = {
  compare: ['json', 'csv', 'markdown', 'ndjson'],
  backtest: ['json', 'csv'],
  fleet: ['json', 'csv'],
  diff: ['json', 'csv', 'markdown'],
  claim: ['json', 'markdown'],
};

/** The format a command's output file asks for by its extension, where that command writes it. */
export function formatByName(command: string, file: string): string | undefined {
  const ext = /\.([a-z]+)$/i.exec(file)?.[1]?.toLowerCase();
  const format = ext === 'md' ? 'markdown' : ext;
  return format !== undefined && FORMATS_BY_NAME[command]?.includes(format) ? format : undefined;
}

export function buildProgram(io: CliIo, setCode: (code: number) => void): Command {
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
      writeOut: (s) => io.stdout(fitHelp(s, io.stdoutColumns)),
      writeErr: (s) => io.stderr(s),
      // Help wraps to the terminal (the width main measured); piped, one line per option.
      // (commander reads undefined as "do not wrap", whatever its type says)
      getOutHelpWidth: () => io.stdoutColumns as number,
      getErrHelpWidth: () => io.stdoutColumns as number,
      // One prefix for every error, commander's included, and one line: its suggestion, which it
      // puts on a second line, joins the first as ours do ("; did you mean ...?").
      outputError: (s, write) =>
        write(
          sanitizeLine(
            s
              .replace(/^error: /, 'infercost: ')
              .replace(/\n\(Did you mean (.+)\?\)\n?$/, '; did you mean $1?\n'),
          ),
        ),
    })
    // Descriptions wrap beside a column of names down to 15 columns of room (commander's default,
    // 40, left every line unwrapped below 81 columns: the names take 41).
    .configureHelp({
      minWidthToWrap: 15,
      // Narrower still (under 15 columns beside the names), each description goes under its name,
      // wrapped and indented, rather than running off the terminal unwrapped.
      formatItem(this: Help, term: string, termWidth: number, description: string, helper: Help): string {
        const width = this.helpWidth;
        if (!description || width === undefined || width - termWidth - 4 >= 15)
          return Help.prototype.formatItem.call(this, term, termWidth, description, helper);
        const under = helper.boxWrap(description, Math.max(15, width - 6));
        return `  ${term}\n${under
          .split('\n')
          .map((l) => `      ${l}`)
          .join('\n')}`;
      },
    })
    .addHelpText('after', () =>
      // Each code's meaning wraps under itself on a terminal.
      EXIT_HELP.split('\n')
        .flatMap((l) => {
          const code = /^( {2}\d+ +)(.*)$/.exec(l);
          const width = io.stdoutColumns;
          if (!code || width === undefined || l.length <= width) return [l];
          const indent = ' '.repeat((code[1] as string).length);
          return wrap(code[2] as string, width - indent.length, '').map(
            (x, i) => (i === 0 ? code[1] : indent) + x,
          );
        })
        .join('\n'),
    )
    .showSuggestionAfterError(true)
    // `-o -` is stdout, as `-` is stdin for a workload; an empty name is no file at all.
    .hook('preAction', (_program, action) => {
      // A config named on the command line is read before any command, even one that uses none
      // (init, schema): a typo in its path is exit 2, not silently no config.
      if (program.opts<{ config?: string }>().config !== undefined) projectConfig();
      // Likewise each --profiles folder: it exists before any command runs (validate would
      // otherwise report it as a line of the first file it checks).
      checkProfileDirs(userProfileDirs(program.opts<{ profiles: string[] }>().profiles, {}));
      const output = action.getOptionValue('output') as unknown;
      if (output === '-') action.setOptionValue('output', undefined);
      else if (output === '') throw new UsageError('--output: expected a file name (or - for stdout)');
      else if (typeof output === 'string' && action.getOptionValue('format') === undefined) {
        // `-o result.json` writes JSON: a file's name says its format where --format does not.
        const format = formatByName(action.name(), output);
        if (format !== undefined) action.setOptionValue('format', format);
      }
    });

  let config: ReturnType<typeof readConfig> | null = null;
  /** The project config, read on first use (flags win over it). */
  const projectConfig = () => {
    if (config === null) config = readConfig(program.opts<{ config?: string }>().config, process.cwd());
    return config;
  };
  const ctx = () => {
    const g = program.opts<{ profiles: string[]; color: boolean }>();
    return new Context(io, {
      // Read when the catalog is first loaded: a command without one (schema, init) does not
      // depend on the project config.
      get profiles() {
        return [...(projectConfig()?.profiles ?? []), ...g.profiles];
      },
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
    checkConfigNames(c, fill);
    return { ...opts, ...fill };
  };
  /**
   * Names the config gives (a stack, accelerator ids) are checked against the catalog here, so a
   * wrong one is reported in the config file, not as a flag the user never typed.
   */
  const checkConfigNames = (c: NonNullable<typeof config>, fill: Record<string, unknown>) => {
    if (fill.stack === undefined && fill.baseline === undefined && fill.accelerators === undefined) return;
    const catalog = ctx().catalog();
    const stacks = knownStacks(catalog);
    const at = (path: (string | number)[]) => c.locate(path);
    if (typeof fill.stack === 'string' && !stacks.includes(fill.stack))
      throw new InputError(
        c.file,
        at(['stack']).line,
        at(['stack']).col,
        'stack',
        `unknown serving stack "${fill.stack}"${didYouMean(fill.stack, stacks)} (known: ${stacks.join(', ')})`,
      );
    const ids = [
      ...(typeof fill.baseline === 'string' ? [[['baseline'], fill.baseline]] : []),
      ...(typeof fill.accelerators === 'string'
        ? fill.accelerators.split(',').map((id, i) => [['accelerators', i], id.trim()])
        : []),
    ] as [(string | number)[], string][];
    for (const [path, id] of ids)
      if (!catalog.accelerators.has(id)) {
        const { line, col } = at(path);
        throw new InputError(c.file, line, col, dottedPath(path), unknownAccelerator(catalog, id));
      }
  };

  const w: Wiring = { program, ctx, setCode, withConfig };
  registerComparisons(w);
  registerPipelines(w);
  registerFidelity(w);
  registerCatalog(w);
  refuseRepeatedFlags(program);

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
    backtest: [
      'infercost backtest --cv',
      'infercost backtest my-results.csv --format json',
      'infercost backtest --cv --against expert_gemm_tiles=off',
      'infercost backtest --cv --choose attention_efficiency_ratio=0.5,0.75,1',
    ],
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

/**
 * A value flag given twice (`--accelerators b200 --accelerators h100-sxm`) would keep the last one
 * silently: it is refused, as a repeated sweep axis is. Repeatable flags (`collect`) stay so.
 * The program is built per run, so each flag's count starts at zero.
 */
function refuseRepeatedFlags(cmd: Command): void {
  for (const opt of cmd.options) {
    const inner = opt.parseArg;
    if ((!opt.required && !opt.optional) || opt.variadic || inner === collect) continue;
    let given = false;
    opt.argParser((value: string, previous: unknown) => {
      if (given) throw new InvalidArgumentError(`given twice: give ${opt.long ?? opt.flags} once`);
      given = true;
      return inner ? inner(value, previous) : value;
    });
  }
  for (const sub of cmd.commands) refuseRepeatedFlags(sub);
}

/**
 * Help on a terminal, every line within its width: an example command breaks at spaces outside
 * quotes with a shell continuation (` \\`), so it still runs when pasted; any other long line
 * (usage, exit codes) wraps under its indent. Piped (`width` undefined), as written.
 */
export function fitHelp(text: string, width: number | undefined): string {
  if (width === undefined) return text;
  return text
    .split('\n')
    .flatMap((line) => {
      if (line.length <= width) return [line];
      if (!/^ {2}infercost /.test(line)) return wrapIndented(line, width);
      const words = line.trim().match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? [];
      const out: string[] = [];
      let current = '  ';
      for (const word of words) {
        const candidate = current.trim() === '' ? `${current}${word}` : `${current} ${word}`;
        // Room for the ` \` that ends every line but the last.
        if (candidate.length + 2 <= width || current.trim() === '') current = candidate;
        else {
          out.push(`${current} \\`);
          current = `      ${word}`;
        }
      }
      return [...out, current];
    })
    .join('\n');
}
