import { type CompareOptions, runCompare } from '../../api/compare.js';
import { type ExpectationOutcome, outcomeLine } from '../../api/expect.js';
import { UsageError } from '../../io/errors.js';
import { assertStdinOnce } from '../../io/files.js';
import { readResultFile } from '../../io/result.js';
import { escapeControl, markdownCell, safeJson } from '../../render/text.js';
import type { Context } from '../context.js';
import { gateCode, workflowMessage } from '../gate.js';

export interface CheckOptions extends CompareOptions {
  readonly against?: string;
}

export function checkSummary(outcomes: readonly ExpectationOutcome[]) {
  const count = (s: ExpectationOutcome['status']) => outcomes.filter((o) => o.status === s).length;
  return {
    passed: count('PASS'),
    failed: count('FAIL'),
    uncertain: count('UNCERTAIN'),
    errors: count('ERROR'),
  };
}

/** Expectations as a CI gate: one line each, a summary, exit 1 when any fails. */
export function checkCommand(ctx: Context, workloads: string[], opts: CheckOptions): number {
  const format = opts.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'markdown')
    throw new UsageError(`--format ${format}: check writes text, json or markdown`);
  if (opts.against !== undefined) assertStdinOnce([...workloads, opts.against]);
  const saved = opts.against === undefined ? undefined : readResultFile(opts.against, ctx.io.readStdin);
  const run = runCompare(
    { catalog: ctx.catalog(), today: ctx.io.today, readStdin: ctx.io.readStdin },
    workloads,
    opts,
    saved,
  );
  if (run.outcomes.length === 0) {
    throw new UsageError('nothing to check: give --expect "<claim>" or an expect: list in the workload');
  }
  const summary = checkSummary(run.outcomes);
  if (format === 'json') {
    const outcomes = run.outcomes.map((o) => ({
      workload: o.workload,
      expectation: o.expectation.text,
      status: o.status,
      measured: o.measured,
      threshold: o.expectation.threshold,
      relative: o.expectation.relative,
      low: o.bounds?.[0] ?? null,
      high: o.bounds?.[1] ?? null,
      detail: o.detail,
    }));
    ctx.io.stdout(`${safeJson(JSON.stringify({ schema_version: 1, outcomes, summary }, null, 2))}\n`);
  } else if (format === 'markdown') {
    ctx.io.stdout(checkMarkdown(run.outcomes, summary));
  } else {
    // One line each, whatever a name holds: its line breaks are shown as escapes too.
    const lines = run.outcomes.map((o) => escapeControl(outcomeLine(o)));
    ctx.io.stdout(
      `${lines.join('\n')}\n${summary.passed} passed, ${summary.failed} failed${summary.uncertain > 0 ? `, ${summary.uncertain} uncertain` : ''}${summary.errors > 0 ? `, ${summary.errors} not measurable` : ''}\n`,
    );
  }
  annotate(ctx, run.outcomes);
  return gateCode(run.outcomes, opts.strict);
}

const cellText = markdownCell;

/** A step summary: one row per claim, then the counts (for $GITHUB_STEP_SUMMARY or a PR comment). */
export function checkMarkdown(
  outcomes: readonly ExpectationOutcome[],
  summary: ReturnType<typeof checkSummary>,
): string {
  const icon = { PASS: 'PASS', FAIL: '**FAIL**', UNCERTAIN: '_UNCERTAIN_', ERROR: '**ERROR**' } as const;
  return [
    '### infercost check',
    '',
    '| result | workload | claim | detail |',
    '|---|---|---|---|',
    ...outcomes.map(
      (o) =>
        `| ${icon[o.status]} | ${cellText(o.workload)} | \`${cellText(o.expectation.text)}\` | ${cellText(o.detail)} |`,
    ),
    '',
    `${summary.passed} passed, ${summary.failed} failed, ${summary.uncertain} uncertain, ${summary.errors} not measurable`,
    '',
  ].join('\n');
}

/** Under GitHub Actions, a failed or unmeasurable claim is an ::error annotation, an uncertain one a ::warning. */
function annotate(ctx: Context, outcomes: readonly ExpectationOutcome[]): void {
  if (ctx.io.env.GITHUB_ACTIONS !== 'true') return;
  for (const o of outcomes) {
    const kind =
      o.status === 'FAIL' || o.status === 'ERROR'
        ? 'error'
        : o.status === 'UNCERTAIN'
          ? 'warning'
          : undefined;
    if (kind) ctx.io.stderr(`::${kind} title=infercost check::${workflowMessage(outcomeLine(o))}\n`);
  }
}
