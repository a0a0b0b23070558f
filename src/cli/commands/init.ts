import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { writeFileAtomic } from '../../io/atomic.js';
import { bundledSchemaFile } from '../../io/catalog.js';
import { UsageError } from '../../io/errors.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit.js';

/** The starter workload: every field a first comparison needs, commented. */
export function starterWorkload(schemaPath: string): string {
  return `# yaml-language-server: $schema=${schemaPath}
# A workload: the model, the request shape, the latency you promise, how prices are read.
# infercost compare THIS_FILE   (docs/model.md explains every field)
name: my-workload
model: llama-3.3-70b           # infercost models lists the bundled ones; or write one inline
precision: { weights: fp8, activations: fp8, kv_cache: fp8 }
input_tokens: 1000             # mean prompt length
output_tokens: 300             # mean answer length
slo: { ttft_ms: 1000, tpot_ms: 50 }   # time to first token, time per output token
utilization: 0.7               # share of paid time doing useful work
pricing: { plan: on_demand, basis: hyperscaler }   # one price basis for every chip
baseline: h100-sxm             # the ratios are against this chip
# stack: vllm                  # serving stack to assume (default: each chip's best calibrated one)
# expect:                      # claims to check (infercost check THIS_FILE)
#   - "b200/h100-sxm tokens_per_dollar >= 1.2"
`;
}

/** `infercost init [file]`: writes a starter workload; never overwrites. */
export function initCommand(ctx: Context, file: string | undefined): number {
  const path = file ?? 'workload.yaml';
  if (path.trim() === '')
    throw new UsageError(`init ${JSON.stringify(path)}: expected a file name, e.g. my-workload.yaml`);
  if (path === '-') {
    // To stdout, with the schema line relative to here: `infercost init - > my.yaml`.
    ctx.io.stdout(
      starterWorkload(relative(process.cwd(), bundledSchemaFile('workload')).split('\\').join('/')),
    );
    return EXIT.ok;
  }
  if (existsSync(path))
    throw new UsageError(`${path} already exists; give another file name (init never overwrites)`);
  const schema = relative(dirname(resolve(path)), bundledSchemaFile('workload'))
    .split('\\')
    .join('/');
  writeFileAtomic(path, starterWorkload(schema), [], undefined, () =>
    ctx.io.stderr(`wrote ${path}: edit it, then run infercost compare ${path}\n`),
  );
  return EXIT.ok;
}
