import { analyseClaim, CLAIM_WORKLOADS, type ClaimOptions } from '../../api/claim.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { UsageError } from '../../io/errors.js';
import { workloadInputFiles } from '../../io/workload.js';
import { claimJson, claimMarkdown, claimText } from '../../render/claim.js';
import { escapeControl } from '../../render/text.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit.js';
import { gateCode } from '../gate.js';

export interface ClaimCommandOptions extends ClaimOptions {
  readonly format?: string;
  readonly output?: string;
  readonly strict: boolean;
}

/** A vendor claim over workloads: ratio, range, verdict, break-even, what flips it (docs/model.md 7a). */
export function claimCommand(
  ctx: Context,
  claim: string,
  workloads: string[],
  opts: ClaimCommandOptions,
): number {
  const format = opts.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'markdown')
    throw new UsageError(`--format ${format}: claim writes text, json or markdown`);
  const report = analyseClaim(
    { catalog: ctx.catalog(), today: ctx.io.today, readStdin: ctx.io.readStdin },
    claim,
    workloads.length > 0 ? workloads : [...CLAIM_WORKLOADS],
    opts,
  );
  const text =
    format === 'json'
      ? claimJson(report)
      : format === 'markdown'
        ? claimMarkdown(report)
        : claimText(report, ctx.io.stdoutColumns);
  const code = gateCode(
    report.workloads.map((w) => w.outcome),
    opts.strict,
  );
  // A claim that cannot be measured (exit 2) leaves an existing output file as it was; the lines
  // below say why.
  if (opts.output !== undefined && code === EXIT.badInput)
    ctx.io.stderr(`infercost: ${opts.output} not written: the claim cannot be measured\n`);
  else if (opts.output !== undefined) writeFileAtomic(opts.output, text, workloadInputFiles(workloads));
  else ctx.io.stdout(text);
  // Exit 2 says why on stderr too, one line per workload, as compare --expect does.
  if (code === EXIT.badInput)
    for (const w of report.workloads)
      if (w.outcome.status === 'ERROR')
        ctx.io.stderr(`infercost: ${escapeControl(w.workload)}: ${escapeControl(w.outcome.detail)}\n`);
  return code;
}
