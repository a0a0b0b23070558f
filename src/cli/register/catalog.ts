import type { Command } from 'commander';
// The commands about the data and the tool itself: profiles, prices, models, init, validate,
// completion, schema.

import { dirname, join } from 'node:path';
import { OutputFile, writeFileAtomic } from '../../io/atomic.js';
import { buildSnapshot } from '../../io/catalog.js';
import { UsageError } from '../../io/errors.js';
import { didYouMean } from '../../schema/issues.js';
import { completionCommand } from '../commands/completion.js';
import { initCommand } from '../commands/init.js';
import { modelsCommand } from '../commands/models.js';
import { pricesImportCommand } from '../commands/prices.js';
import { profilesCommand } from '../commands/profiles.js';
import { profilesShowCommand } from '../commands/profiles-show.js';
import { SCHEMAS, schemaCommand } from '../commands/schema.js';
import { validateCommand } from '../commands/validate.js';
import { EXIT } from '../exit.js';
import type { Wiring } from '../wiring.js';

export function registerCatalog(w: Wiring): void {
  const profiles = w.program
    .command('profiles')
    .description('list accelerator profiles, or show one with every source')
    // `profiles h100-sxm` is `profiles show h100-sxm` (it was "too many arguments").
    .argument('[id]', 'an accelerator id: show that profile, as profiles show does')
    .option('--format <format>', 'table or json')
    .action((id: string | undefined, opts: { format?: string }) => {
      // A mistyped subcommand (`profiles shwo`) is named as one, not only as an unknown chip.
      if (id !== undefined && !w.ctx().catalog().accelerators.has(id) && didYouMean(id, ['show']) !== '')
        throw new UsageError(`unknown accelerator or subcommand "${id}"${didYouMean(id, ['show'])}`);
      w.setCode(id === undefined ? profilesCommand(w.ctx(), opts) : profilesShowCommand(w.ctx(), id, opts));
    });
  profiles
    .command('show')
    .description('every number of a profile with its source and kind')
    .argument('<id>', 'accelerator id')
    .option('--format <format>', 'text (default) or json')
    // Given after the id, --format is parsed as the list's option (commander reads the parent's
    // options anywhere on the line): it is show's all the same.
    .action((id: string, opts: { format?: string }, cmd: Command) =>
      w.setCode(
        profilesShowCommand(w.ctx(), id, opts.format === undefined ? (cmd.parent?.opts() ?? {}) : opts),
      ),
    );

  const prices = w.program.command('prices').description('price quotes: import a public price catalog');
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
    .action((file: string, opts) => w.setCode(pricesImportCommand(w.ctx(), file, opts)));

  w.program
    .command('models')
    .description('list models')
    .option('--format <format>', 'table or json')
    .action((opts) => w.setCode(modelsCommand(w.ctx(), opts)));

  w.program
    .command('init')
    .description('write a starter workload file with its JSON Schema line (never overwrites)')
    .argument('[file]', 'where to write it', 'workload.yaml')
    .action((file: string) => w.setCode(initCommand(w.ctx(), file)));

  w.program
    .command('validate')
    .description('check accelerator, model and workload files')
    .argument('<file...>', 'YAML files')
    .action((files: string[]) => w.setCode(validateCommand(w.ctx(), files)));

  w.program
    .command('completion')
    .description('print a shell completion script: commands, options, accelerator ids, bundled workloads')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText(
      'after',
      '\nExamples:\n  infercost completion bash > ~/.local/share/bash-completion/completions/infercost\n  eval "$(infercost completion zsh)"      # in ~/.zshrc\n  infercost completion fish | source      # in ~/.config/fish/config.fish',
    )
    .action((shell: string) => w.setCode(completionCommand(w.ctx(), w.program, shell)));

  w.program
    .command('internal-snapshot', { hidden: true })
    .description('write the validated bundled profiles for fast start-up (run by npm run build)')
    .argument('<file>', "output path (dist/bundled.json; the profiles' bytes go beside it, in bundled.bin)")
    .action((file: string) => {
      const { snapshot, bytes } = buildSnapshot();
      const bin = new OutputFile(join(dirname(file), 'bundled.bin'));
      bin.write(bytes);
      bin.commit();
      writeFileAtomic(file, `${JSON.stringify(snapshot)}\n`);
      w.setCode(EXIT.ok);
    });

  w.program
    .command('schema')
    .description('print the JSON Schema of a file format or of the result JSON')
    .argument('<kind>', Object.keys(SCHEMAS).join(', '))
    .action((kind: string) => w.setCode(schemaCommand(w.ctx(), kind)));
}
