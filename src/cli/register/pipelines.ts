// The planning and pipeline commands: fleet, diff, sweep.

import { diffCommand } from '../commands/diff.js';
import { fleetCommand } from '../commands/fleet.js';
import { sweepCommand } from '../commands/sweep.js';
import type { Wiring } from '../wiring.js';
import { collect } from '../wiring.js';

export function registerPipelines(w: Wiring): void {
  w.program
    .command('fleet')
    .description(
      'plan a mixed fleet: workloads with demands, chips with caps, power and money budgets; least cost or most tokens (an integer program, HiGHS)',
    )
    .argument(
      '<fleet.yaml>',
      'the plan: objective, plan, power_budget, usd_per_year_budget, workloads, chips ("-" reads stdin)',
    )
    .option('--format <format>', 'table, json or csv')
    .option(
      '--at <end>',
      'size the plan at the expected figures (default), or with every chip at the low or high end of its range',
    )
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  infercost fleet profiles/fleets/mixed.yaml --format json\n  infercost fleet profiles/fleets/mixed.yaml --at low   # meets every demand even at the low ends\n\nExit: 0 a plan was found, 1 no feasible plan (infeasible or unbounded) or a plan that serves nothing, 2 bad input.',
    )
    .action(async (file: string, opts) => w.setCode(await fleetCommand(w.ctx(), file, opts)));

  w.program
    .command('diff')
    .description('what changed between two saved results (compare --format json)')
    .argument('<old>', 'the earlier result ("-" reads stdin)')
    .argument('<new>', 'the later result ("-" reads stdin)')
    .option('--format <format>', 'table, json, csv or markdown (a step summary or PR comment)')
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout')
    .option(
      '--metrics <keys>',
      'only these metrics or fleet figures (comma-separated keys as diff prints them)',
    )
    .option('--fail-above <percent>', 'exit 1 when any tokens per dollar moves more than this, e.g. 5%')
    .action((oldPath: string, newPath: string, opts) =>
      w.setCode(diffCommand(w.ctx(), oldPath, newPath, opts)),
    );

  w.program
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
    .action(async (workload: string | undefined, opts) =>
      w.setCode(await sweepCommand(w.ctx(), workload, opts)),
    );
}
