// The commands that hold the model to measurements: backtest, calibrate.

import { UsageError } from '../../io/errors.js';
import { backtestCommand } from '../commands/backtest.js';
import { calibrateAllCommand, calibrateCommand } from '../commands/calibrate.js';
import type { Wiring } from '../wiring.js';

export function registerFidelity(w: Wiring): void {
  w.program
    .command('backtest')
    .description('run the engine on published measured results and report its error')
    .argument(
      '[files...]',
      'measured-result CSV files or folders ("-" reads stdin; default: the bundled data/measured)',
    )
    .option('--format <format>', 'table, json or csv')
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout')
    .option(
      '--mechanisms <list>',
      'engine corrections (docs/model.md 3a) to run with: name=on|off,... or all or none',
    )
    .option('--cv', 'cross-validate: leave one source out, refit on the rest, predict it', false)
    .option(
      '--against <list>',
      'with --cv: cross-validate again with these corrections changed (name=on|off,...) and report the gain, also with each source left out',
    )
    .option(
      '--choose <name=values>',
      "with --cv: cross-validate once per value of a correction's constant (attention_efficiency_ratio, expert_efficiency_ratio) and score each source with the value chosen without it",
    )
    .action((files: string[], opts) => w.setCode(backtestCommand(w.ctx(), files, opts)));

  w.program
    .command('calibrate')
    .description("fit a profile's efficiency factors to measured results and print the calibrated profile")
    .argument(
      '[files...]',
      'measured-result CSV files or folders ("-" reads stdin; default: the bundled data/measured)',
    )
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
    .option(
      '--stack <stack>',
      "with --accelerator: fit the rows served on this stack (default: the profile's default stack when rows ran on it)",
    )
    .option('-o, --output <file>', 'write the calibrated profile to a file (atomically) instead of stdout')
    .option('--output-dir <dir>', 'with --all: write the updated profiles into this directory')
    .action((files: string[], opts) => {
      if (opts.all) {
        if (opts.accelerator !== undefined)
          throw new UsageError('give --accelerator <id> or --all, not both');
        // Options of the one-profile fit would be read and dropped: refused, as for --accelerator.
        for (const [flag, given] of [
          ['-o/--output (--all writes a folder: --output-dir)', opts.output],
          ['--stack', opts.stack],
          ['--factors', opts.factors],
          ['--rows', opts.rows],
        ] as const)
          if (given !== undefined) throw new UsageError(`${flag} is for --accelerator, not --all`);
        return w.setCode(
          calibrateAllCommand(w.ctx(), files, { output: opts.outputDir, mechanisms: opts.mechanisms }),
        );
      }
      if (opts.accelerator === undefined) throw new UsageError('give --accelerator <id> (or --all)');
      if (opts.outputDir !== undefined)
        throw new UsageError(
          '--output-dir is for --all (one profile per chip); with --accelerator, -o FILE writes the profile',
        );
      return w.setCode(calibrateCommand(w.ctx(), files, opts));
    });
}
