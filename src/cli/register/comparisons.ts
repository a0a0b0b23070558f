// The comparison commands: compare, report, check, claim.
import { Option } from 'commander';
import { columnKeys } from '../../render/columns.js';
import { FORMAT_NAMES } from '../../render/index.js';
import { checkCommand } from '../commands/check.js';
import { claimCommand } from '../commands/claim.js';
import { compareCommand } from '../commands/compare.js';
import { reportCommand } from '../commands/report.js';
import type { Wiring } from '../wiring.js';
import { collect } from '../wiring.js';

export function registerComparisons(w: Wiring): void {
  w.program
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
    .action((workloads: string[], opts) => w.setCode(compareCommand(w.ctx(), workloads, w.withConfig(opts))));

  w.program
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
    .option(
      '--power-budget <power>',
      'fill this facility power with each chip (1GW, 300MW): chips, tokens/day, $/year',
    )
    .option('--demand <tokens_per_day>', "size each chip's fleet for this many output tokens per day")
    .addHelpText('after', '\nExample:\n  infercost report chat rag -o report.html')
    .action(async (workloads: string[], opts) =>
      w.setCode(await reportCommand(w.ctx(), workloads, w.withConfig(opts))),
    );

  w.program
    .command('check')
    .description('check expectations on workloads (a CI gate): one line each, exit 1 if any fails')
    .argument('<workload...>', 'workload YAML files ("-" reads stdin)')
    .option(
      '--expect <claim>',
      '"a/b metric >= x", "a metric <= x", or "a metric <= +5%" against --against (repeatable)',
      collect,
      [],
    )
    .option(
      '--against <result.json>',
      'a saved compare --format json result, for relative thresholds ("-" reads stdin)',
    )
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
      w.setCode(checkCommand(w.ctx(), workloads, w.withConfig({ ...opts, pareto: false, ranges: true }))),
    );

  w.program
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
      w.setCode(claimCommand(w.ctx(), claim, workloads, w.withConfig(opts, ['basis', 'plan', 'stack']))),
    );
}
