import { resolve } from 'node:path';
import { validateMix } from '../../api/compare.js';
import { fleetProblemFor } from '../../api/fleet.js';
import { displayPath, kindOf, parseAccelerator, parseModel } from '../../io/catalog.js';
import { InputError } from '../../io/errors.js';
import { assertStdinOnce } from '../../io/files.js';
import { loadWorkload, readWorkloadYaml } from '../../io/workload.js';
import { readYamlFile } from '../../io/yaml.js';
import { escapeText } from '../../render/text.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit.js';

/** Validates each file; one line per file, errors on stderr; exit 2 if any is bad. */
export function validateCommand(ctx: Context, files: string[]): number {
  let bad = 0;
  const seen = new Map<string, string>();
  assertStdinOnce(files);
  for (const file of files) {
    const shown = file === '-' ? '<stdin>' : displayPath(resolve(file));
    try {
      const y = file === '-' ? readWorkloadYaml('-', ctx.io.readStdin) : readYamlFile(file, shown);
      const kind = kindOf(file, y.data);
      let label: string;
      if (kind === 'accelerator' || kind === 'model') {
        const id = (kind === 'accelerator' ? parseAccelerator(y, ctx.io.today) : parseModel(y)).id;
        const key = `${kind}:${id}`;
        const other = seen.get(key);
        if (other) {
          const { line, col } = y.locate(['id']);
          throw new InputError(shown, line, col, 'id', `duplicate ${kind} id "${id}" (also in ${other})`);
        }
        seen.set(key, shown);
        label = `${kind} ${id}`;
      } else if (kind === 'workload') {
        const env = { catalog: ctx.catalog(), today: ctx.io.today, readStdin: ctx.io.readStdin };
        const mix = validateMix(env, y);
        if (mix !== undefined) label = mix;
        else {
          const w = loadWorkload(y, ctx.catalog(), [], ctx.io.today);
          label = `workload ${w.workload.name} (model ${w.modelId})`;
        }
      } else if (kind === 'fleet') {
        const { problem } = fleetProblemFor(
          { catalog: ctx.catalog(), today: ctx.io.today, readStdin: ctx.io.readStdin },
          file,
          y,
        );
        label = `fleet (${problem.workloads.length} workloads, ${problem.chips.length} chips)`;
      } else {
        throw new InputError(
          shown,
          1,
          1,
          '',
          'cannot tell what kind of file this is (an accelerator profile has memory:, a model has layers:, a workload has input_tokens: or mix:, a fleet has chips: and workloads:)',
        );
      }
      ctx.io.stdout(escapeText(`ok ${shown}: ${label}\n`));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      bad += 1;
      ctx.io.stderr(`${e.message}\n`);
    }
  }
  return bad > 0 ? EXIT.badInput : EXIT.ok;
}
