import { type CompareOptions, runCompare } from '../../api/compare.js';
import { type ExpectationOutcome, outcomeLine } from '../../api/expect.js';
import { UsageError } from '../../io/errors.js';
import { readResultFile } from '../../io/result.js';
import { escapeText, safeJson } from '../../render/text.js';
import type { Context } from '../context.js';
import { gateCode } from '../gate.js';

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
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format ${format}: check writes text or json`);
  const saved = opts.against === undefined ? undefined : readResultFile(opts.against);
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
  } else {
    const lines = run.outcomes.map((o) => escapeText(outcomeLine(o)));
    ctx.io.stdout(
      `${lines.join('\n')}\n${summary.passed} passed, ${summary.failed} failed${summary.uncertain > 0 ? `, ${summary.uncertain} uncertain` : ''}${summary.errors > 0 ? `, ${summary.errors} not measurable` : ''}\n`,
    );
  }
  return gateCode(run.outcomes, opts.strict);
}
