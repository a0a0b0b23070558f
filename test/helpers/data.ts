import type { Accelerator, Workload } from '../../src/engine/types.js';
import { type Catalog, loadCatalog } from '../../src/io/catalog.js';
import { toAccelerator, toModel, toWorkload } from '../../src/schema/convert.js';
import type { WorkloadFile } from '../../src/schema/workload.js';

let catalog: Catalog | undefined;
export function bundled(): Catalog {
  catalog ??= loadCatalog([]);
  return catalog;
}

export function accelerator(id: string): Accelerator {
  const e = bundled().accelerators.get(id);
  if (!e) throw new Error(`no profile ${id}`);
  return toAccelerator(e.value);
}

/** Every correction of docs/model.md sections 3a and 3b off: the engine exactly as section 3 writes it. */
export const SECTION_3 = {
  per_operator_roofline: false,
  prefill_memory: false,
  all_reduce_bf16: false,
  embedding_lookup: false,
  attention_bf16: false,
  mla_absorbed: false,
  steady_state_kv: false,
  chunked_prefill: false,
  dp_attention: false,
  per_layer_overhead: false,
  power_under_load: false,
  expert_parallel: false,
  disaggregation: false,
  expert_gemm_tiles: false,
  pipeline_parallel: false,
  torus_collectives: false,
  attention_efficiency: false,
} as const;

/**
 * A workload from file-format fields, its model from the bundled catalog. The hand-computed
 * cases check section 3 as written, so every correction is off unless the fields switch it on.
 */
export function workload(fields: Omit<WorkloadFile, 'model'> & { model: string }): Workload {
  const m = bundled().models.get(fields.model);
  if (!m) throw new Error(`no model ${fields.model}`);
  const draft = fields.speculative ? bundled().models.get(fields.speculative.draft) : undefined;
  return toWorkload(
    { ...fields, mechanisms: { ...SECTION_3, ...fields.mechanisms } },
    toModel(m.value, fields.model),
    'test',
    draft && fields.speculative ? toModel(draft.value, fields.speculative.draft) : undefined,
  );
}

/** The efficiency factors the hand-computed cases use, pinned so calibration cannot move them. */
export const PINNED_EFFICIENCY = {
  eta_mem: 0.8,
  eta_prefill: 0.6,
  eta_decode: 0.35,
  eta_link: 0.7,
  t_step0_ms: 2,
};

/** The twelve accelerators the bundled profiles must cover (issue 2). */
export const REQUIRED_ACCELERATORS = [
  'maia-200',
  'tpu-v7-ironwood',
  'tpu-v6e-trillium',
  'tpu-v5e',
  'trainium2',
  'trainium3',
  'h100-sxm',
  'h200-sxm',
  'b200',
  'gb200',
  'mi300x',
  'mi355x',
] as const;
