import { basename, join, resolve } from 'node:path';
import { parseMechanisms, resolveRows } from '../../api/backtest.js';
import {
  type CalibrateOptions,
  calibrate,
  calibratedProfileText,
  fittedFactorSpread,
  intervalText,
  round,
  stacksProfileText,
} from '../../api/calibrate.js';
import { factorsAtEdge } from '../../engine/calibrate.js';
import { profileEfficiency, rowEfficiency } from '../../fidelity/backtest.js';
import {
  asMeasured,
  crossValidate,
  defaultStack,
  fitPowerModel,
  stackCalibrations,
} from '../../fidelity/cv.js';
import { assertCanWrite, assertOutputDir, writeFileAtomic, writeFilesAtomic } from '../../io/atomic.js';
import { UsageError } from '../../io/errors.js';
import { assertStdinOnce, readTextFile } from '../../io/files.js';
import { bundledMeasuredDir, loadMeasured } from '../../io/measured.js';
import { unknownAccelerator } from '../../io/workload.js';
import { MAX_FILE_BYTES } from '../../io/yaml.js';
import { wrapIndented } from '../../render/table.js';
import { fileFactorName, toAccelerator } from '../../schema/convert.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit.js';
import { withFitProgress } from '../progress.js';

export type { CalibrateOptions } from '../../api/calibrate.js';

/** An input as the profile's provenance names it: `-` is stdin. */
const shownInput = (f: string) => (f === '-' ? '<stdin>' : f);

export function calibrateCommand(ctx: Context, files: string[], opts: CalibrateOptions): number {
  assertStdinOnce(files);
  // A path that cannot be written is refused before the fit, not after its report.
  if (opts.output !== undefined) assertCanWrite(opts.output, files);
  const c = calibrate(ctx.catalog(), files, opts, ctx.io.readStdin);
  const entry = ctx.catalog().accelerators.get(opts.accelerator);
  if (!entry) throw new UsageError(unknownAccelerator(ctx.catalog(), opts.accelerator));
  const text = calibratedProfileText(
    readTextFile(entry.file, entry.file, MAX_FILE_BYTES),
    c,
    files.map(shownInput),
  );
  const lines = [
    `calibrated ${opts.accelerator} on ${c.cases.length} row(s): ${c.cases.map((x) => x.id).join(', ')}`,
    `  ${c.note}`,
    ...c.fit.fitted.map((f) => {
      const before = toAccelerator(entry.value, c.stack).efficiency[f];
      const after = c.fit.efficiency[f];
      const scale = f === 'tStep0S' ? 1000 : 1;
      return `  ${fileFactorName(f)}: ${round(before * scale)} -> ${round(after * scale)}`;
    }),
    `  median |error| ${c.before.medianAbsErrorPct?.toFixed(1)}% -> ${c.after.medianAbsErrorPct?.toFixed(1)}%, max ${c.before.maxAbsErrorPct?.toFixed(1)}% -> ${c.after.maxAbsErrorPct?.toFixed(1)}%`,
  ];
  // Section 12: a factor fitted to the wall of its range is not a measurement of the chip.
  const walled = factorsAtEdge(c.fit);
  if (walled.length > 0)
    lines.push(
      `  warning: ${walled.map(fileFactorName).join(', ')} ran to the edge of ${walled.length > 1 ? 'their' : 'its'} physical range (an eta 0 or 1, t_step0 0 or 50 ms): these rows do not pin ${walled.length > 1 ? 'them' : 'it'}; give more rows or fewer --factors before using this profile`,
    );
  // On a terminal each line wraps to its width (the row ids ran to 1,285 columns); piped, a line
  // stays whole for whatever reads it. stderrColumns is set only when stderr is a terminal.
  ctx.io.stderr(`${lines.flatMap((l) => wrapIndented(l, ctx.io.stderrColumns)).join('\n')}\n`);
  // The profile may be calibrated in place (-o its own file); never over another input.
  if (opts.output !== undefined) writeFileAtomic(opts.output, text, files, entry.file);
  else ctx.io.stdout(text);
  return EXIT.ok;
}

/**
 * `calibrate --all`: the hierarchy of fits on every measured row (docs/model.md section 12a) and
 * the cross-validated intervals, written into each accelerator profile as `stacks:`.
 */
export function calibrateAllCommand(
  ctx: Context,
  files: string[],
  opts: { output?: string; mechanisms?: string },
): number {
  // The fit runs for minutes: a folder that is not there is refused before it, not after.
  if (opts.output !== undefined) assertOutputDir(opts.output);
  const catalog = ctx.catalog();
  assertStdinOnce(files);
  const located = loadMeasured(files.length > 0 ? files : [bundledMeasuredDir()], ctx.io.readStdin);
  const { cases } = resolveRows(catalog, located, parseMechanisms(opts.mechanisms));
  const cv = withFitProgress(ctx, (onStep) => crossValidate(cases, { onStep }));
  // Form factors share their base profile's factors (and its file): only profiles are fitted.
  const chips = [...catalog.accelerators.values()]
    .filter((e) => e.formOf === undefined)
    .map((e) => ({
      id: e.value.id,
      vendor: e.value.vendor,
      ...(e.value.serving_stacks ? { servingStacks: e.value.serving_stacks } : {}),
    }));
  const all = stackCalibrations(cases, chips, cv);
  const spread = fittedFactorSpread([...all.values()].flat());
  // The rows the fits came from, as the written sources and the summary name them.
  const from = files.length > 0 ? files.map(shownInput).join(', ') : 'data/measured';
  const lines: string[] = [];
  const outputs: { path: string; text: string; what: string; updates: string }[] = [];
  for (const [id, entries] of [...all.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const entry = catalog.accelerators.get(id);
    if (!entry) continue;
    for (const e of entries)
      lines.push(
        `${id} ${e.stack}${e.stack === defaultStack(entries) ? ' (default)' : ''}: ${e.level}${e.latent ? ' at estimated inputs (12c)' : ''}, ${e.ids.length} rows, interval ${intervalText(e)}`,
      );
    if (opts.output !== undefined)
      outputs.push({
        path: join(opts.output, basename(entry.file)),
        text: stacksProfileText(readTextFile(entry.file, entry.file, MAX_FILE_BYTES), entries, spread, from),
        what: id,
        updates: entry.file,
      });
  }
  writeFilesAtomic(outputs, files);
  // docs/model.md section 11, `unmeasured_bands`: the least an entry with no rows of its chip states.
  const ub = cv.unmeasuredBands;
  if (ub) {
    const band = cv.kindBands
      ? intervalText({ intervalLog: asMeasured(ub.dense), moeIntervalLog: asMeasured(ub.moe) })
      : intervalText({ intervalLog: asMeasured(ub.all) });
    lines.push(
      `a chip with no rows on a stack states at least ${band}: the spread of every chip's rows predicted with its own left out (docs/model.md 11, unmeasured_bands)`,
    );
  }
  // The power fit runs at each row's operating point, so it takes the factors just fitted, not
  // the ones the profiles held when the run started (one run, not two, gives the fixed point).
  const power = fitPowerModel(cases, (c) => {
    const e = all.get(c.row.accelerator)?.find((x) => x.stack === c.accelerator.stack);
    return e ? rowEfficiency(c, e.efficiency, e.moeAcross?.efficiency) : profileEfficiency(c);
  });
  lines.push(
    power.rows === 0
      ? 'power model (docs/model.md 6.1): no MLPerf Power rows (with system_power_w) among these, so not fitted'
      : `power model (docs/model.md 6.1) on ${power.rows} MLPerf Power rows: idle fraction ${power.idleFraction}, host load ${power.hostLoad}, rms log error ${power.rmsLogError.toFixed(3)} (set WORKLOAD_DEFAULTS.powerModel)`,
  );
  // A file of one's own replaces what data/measured gave every written profile: say so.
  const bundled = resolve(bundledMeasuredDir());
  if (opts.output !== undefined && files.length > 0 && !files.some((f) => resolve(f) === bundled))
    lines.push(
      `the profiles written hold fits on ${from} alone: their stacks replace the bundled ones fitted on data/measured (to fit on both, give the folder data/measured and your files outside it)`,
    );
  // Without a folder the run reports and keeps nothing: say so, not leave the fit to look saved.
  if (opts.output === undefined)
    lines.push(
      'no profile written: --output-dir DIR writes each fitted profile there (profiles/accelerators to update the bundled ones)',
    );
  // As for one chip: each line wraps to a terminal's width, whole when piped.
  ctx.io.stderr(`${lines.flatMap((l) => wrapIndented(l, ctx.io.stderrColumns)).join('\n')}\n`);
  return EXIT.ok;
}
