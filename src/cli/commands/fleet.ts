import { planFleet } from '../../api/fleet.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { UsageError } from '../../io/errors.js';
import { emptyPlanReason, fleetCsv, fleetJson, fleetText, noPlanReason } from '../../render/fleet.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit.js';

export interface FleetCommandOptions {
  readonly format?: string;
  readonly output?: string;
  readonly at?: string;
}

/** A mixed fleet under budgets (docs/model.md 8a); exit 1 when no plan is feasible or the plan serves nothing. */
export async function fleetCommand(ctx: Context, file: string, opts: FleetCommandOptions): Promise<number> {
  const format = opts.format ?? 'table';
  if (format !== 'table' && format !== 'json' && format !== 'csv')
    throw new UsageError(`--format ${format}: fleet writes table, json or csv`);
  const at = opts.at ?? 'expected';
  if (at !== 'expected' && at !== 'low' && at !== 'high')
    throw new UsageError(`--at ${at}: size the plan at expected, low or high`);
  const report = await planFleet(
    { catalog: ctx.catalog(), today: ctx.io.today, readStdin: ctx.io.readStdin },
    file,
    at,
  );
  // A terminal's width for the prose lines; pipes and files get them whole.
  const width = opts.output === undefined ? ctx.io.stdoutColumns : undefined;
  const text =
    format === 'json' ? fleetJson(report) : format === 'csv' ? fleetCsv(report) : fleetText(report, width);
  if (opts.output !== undefined) writeFileAtomic(opts.output, text, [file]);
  else ctx.io.stdout(text);
  // A plan of nothing (most tokens where no chip serves, or no replica fits) is no plan: exit 1.
  const empty = emptyPlanReason(report);
  if (empty !== undefined) {
    if (format !== 'table' || opts.output !== undefined) ctx.io.stderr(`infercost: ${file}: ${empty}\n`);
    return EXIT.checkFailed;
  }
  if (report.plan.status === 'optimal') return EXIT.ok;
  // The table says why; a data format or a file has only an empty plan to show for it.
  if (format !== 'table' || opts.output !== undefined)
    ctx.io.stderr(`infercost: ${file}: ${report.plan.status}: ${noPlanReason(report.plan)}\n`);
  return EXIT.checkFailed;
}
