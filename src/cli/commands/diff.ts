import { diffResults, FLEET_KEYS, isFleetKey } from '../../api/diff.js';
import { metricNames, nearlyEqual, resolveMetric } from '../../api/expect.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { UsageError } from '../../io/errors.js';
import { assertStdinOnce } from '../../io/files.js';
import { readResultFile } from '../../io/result.js';
import { csvLine } from '../../render/csv.js';
import { cell, diffMarkdown, signedPercent } from '../../render/diff.js';
import { sig } from '../../render/format.js';
import { fittedTable, hiddenLine } from '../../render/table.js';
import { escapeControl, safeJson } from '../../render/text.js';
import { didYouMean } from '../../schema/issues.js';
import type { MetricKey } from '../../schema/result.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit.js';
import { workflowMessage } from '../gate.js';

/** `5%`: the sign is required so that `5` (five percent? a ratio of five?) is never guessed. */
function parsePercent(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  const v = Number(m?.[1]);
  if (!m || !Number.isFinite(v))
    throw new UsageError(`--fail-above ${text}: expected a percentage such as 5%`);
  return v;
}

/** What --fail-above gates, whatever --metrics shows. */
const GATED_METRIC: MetricKey = 'output_tokens_per_usd';

export function diffCommand(
  ctx: Context,
  oldPath: string,
  newPath: string,
  opts: { format?: string; output?: string; failAbove?: string; metrics?: string },
): number {
  const format = opts.format ?? 'table';
  if (!['table', 'json', 'csv', 'markdown'].includes(format))
    throw new UsageError(`--format ${format}: expected table, json, csv or markdown`);
  const limit = parsePercent(opts.failAbove);
  // A metric key or alias, or a fleet figure as diff prints it (fleet_chips); an empty entry (a
  // trailing comma) names nothing and is skipped.
  const metrics = opts.metrics
    ?.split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '')
    .map((m) => {
      const k = isFleetKey(m) ? m : resolveMetric(m);
      if (!k)
        throw new UsageError(
          `--metrics ${m}: unknown metric${didYouMean(m, [...metricNames(), ...FLEET_KEYS])} (a key of a result's metrics, e.g. output_tokens_per_usd, or a fleet figure: ${FLEET_KEYS.join(', ')})`,
        );
      return k;
    });
  if (metrics?.length === 0) throw new UsageError('--metrics: give at least one metric');
  // Diff needs no profile: a named --config and each --profiles folder are checked for every
  // command before it runs (src/cli/program.ts), so a missing one is exit 2 here too.
  assertStdinOnce([oldPath, newPath]);
  const before = readResultFile(oldPath, ctx.io.readStdin);
  const after = readResultFile(newPath, ctx.io.readStdin);
  const changes = diffResults(before, after, metrics);
  // The gate reads its own diff: --metrics narrows what is shown, never what is checked. A chip
  // or workload that appears or disappears moved to or from no value, as a null does.
  const breaches =
    limit === undefined
      ? []
      : diffResults(before, after, [GATED_METRIC]).filter(
          (c) =>
            c.metric === 'presence' ||
            (c.metric === GATED_METRIC &&
              (c.percent === null ||
                (Math.abs(c.percent) > limit && !nearlyEqual(Math.abs(c.percent), limit)))),
        );
  let text: string;
  if (format === 'json') {
    text = `${safeJson(JSON.stringify({ schema_version: 1, changes, fail_above_pct: limit ?? null, breaches: breaches.length }, null, 2))}\n`;
  } else if (format === 'csv') {
    text =
      csvLine(['workload', 'accelerator', 'metric', 'old', 'new', 'delta', 'percent']) +
      changes
        .map((c) => csvLine([c.workload, c.accelerator, c.metric, c.old, c.new, c.delta, c.percent]))
        .join('');
  } else if (format === 'markdown') {
    text = diffMarkdown(changes, breaches, limit);
  } else if (changes.length === 0) {
    text = 'no changes\n';
  } else {
    // Escaped before the table lays them out: a raw escape sequence in a name is measured and
    // closed by the table as if it were colour.
    const rows = changes.map((c) => [
      escapeControl(c.workload),
      escapeControl(c.accelerator),
      c.metric,
      escapeControl(cell(c.old)),
      escapeControl(cell(c.new)),
      c.delta === null ? '-' : `${c.delta >= 0 ? '+' : ''}${sig(c.delta)}`,
      signedPercent(c.percent),
    ]);
    // On a terminal, the delta (the change says it in percent), then the old and new values, go
    // first; the workload stays, or two workloads' rows for one chip would read alike.
    const width = opts.output === undefined ? ctx.io.stdoutColumns : undefined;
    const t = fittedTable(
      ['workload', 'accelerator', 'metric', 'old', 'new', 'delta', 'change'],
      ['left', 'left', 'left', 'right', 'right', 'right', 'right'],
      rows,
      [5, 3, 4],
      width,
    );
    text = `${[t.text, ...hiddenLine(t.hidden, width)].join('\n')}\n`;
  }
  if (opts.output !== undefined) writeFileAtomic(opts.output, text, [oldPath, newPath]);
  else ctx.io.stdout(text);
  for (const b of breaches) {
    const what =
      b.metric === 'presence'
        ? `${b.old} -> ${b.new}, so output_tokens_per_usd moved to or from no value`
        : `output_tokens_per_usd moved ${b.percent === null ? 'to or from no value' : signedPercent(b.percent)}`;
    const line = `${b.workload}/${b.accelerator}: ${what} (limit ${limit}%)`;
    if (ctx.io.env.GITHUB_ACTIONS === 'true')
      ctx.io.stderr(`::error title=infercost diff::${workflowMessage(line)}\n`);
    ctx.io.stderr(`FAIL ${escapeControl(line)}\n`);
  }
  return breaches.length > 0 ? EXIT.checkFailed : EXIT.ok;
}
