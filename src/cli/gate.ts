import type { ExpectationOutcome } from '../api/expect.js';
import type { ResultDoc } from '../schema/result.js';
import { EXIT } from './exit.js';

/** A gate that cannot measure what it checks is misconfigured (2); else 1 on any failure. */
export function gateCode(outcomes: readonly ExpectationOutcome[], strict: boolean): number {
  if (outcomes.some((o) => o.status === 'ERROR')) return EXIT.badInput;
  const failed = outcomes.some((o) => o.status === 'FAIL' || (strict && o.status === 'UNCERTAIN'));
  return failed ? EXIT.checkFailed : EXIT.ok;
}

/** GitHub workflow commands (`::error::`) escape %, CR and LF in their message. */
export function workflowMessage(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * One stderr line per workload no chip can run, each chip named with its reason: compare and
 * report both write the result and then say this, and exit 1 when there is any.
 */
export function nothingRunsLines(doc: ResultDoc): string[] {
  return doc.results
    .filter((r) => r.accelerators.every((a) => a.status !== 'ok'))
    .map(
      (r) =>
        `infercost: no accelerator can run workload ${r.workload.name}: ${r.accelerators.map((a) => `${a.id} ${a.reason ?? a.status}`).join('; ')}\n`,
    );
}
