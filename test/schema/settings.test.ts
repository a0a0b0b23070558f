import { describe, expect, it } from 'vitest';
import {
  mechanismFileName,
  toMechanisms,
  workloadSettingDefault,
  workloadSettings,
} from '../../src/schema/convert.js';
import { WORKLOAD_DEFAULTS } from '../../src/schema/workload.js';
import { workload } from '../helpers/data.js';

describe("a result's settings: what moves the answer and has no field of its own", () => {
  it('every engine switch has its file name among the defaults, so none is listed or read wrongly', () => {
    const names = Object.keys(toMechanisms()).map(mechanismFileName).sort();
    expect(names).toEqual(Object.keys(WORKLOAD_DEFAULTS.mechanisms).sort());
  });

  it('the defaults list nothing; a cap, a switch, a factor and a batch are listed as the file writes them', () => {
    const base = { model: 'llama-3.1-8b', input_tokens: 800, output_tokens: 300 };
    // the helper switches section 3a off; as a file with no mechanisms: block runs, the defaults
    expect(workloadSettings(workload({ ...base, mechanisms: WORKLOAD_DEFAULTS.mechanisms }))).toEqual([]);
    const w = workload({
      ...base,
      site: { power_cap_w: 500 },
      deployment: { batch: 64, chunk_tokens: 4096 },
      efficiency: { eta_mem: 0.7, t_step0_ms: 2 },
      mechanisms: { ...WORKLOAD_DEFAULTS.mechanisms, expert_parallel: true, power_capped_clock: false },
    });
    expect(workloadSettings(w)).toEqual([
      'site.power_cap_w=500',
      'deployment.batch=64',
      'deployment.chunk_tokens=4096',
      'efficiency.eta_mem=0.7',
      'efficiency.t_step0_ms=2',
      'mechanisms.expert_parallel=true',
      'mechanisms.power_capped_clock=false',
    ]);
  });

  it('a setting left out reads as its default, or none', () => {
    expect(workloadSettingDefault('mechanisms.power_capped_clock')).toBe('true');
    expect(workloadSettingDefault('mechanisms.expert_parallel')).toBe('false');
    expect(workloadSettingDefault('deployment.chunk_tokens')).toBe('2048');
    expect(workloadSettingDefault('site.power_cap_w')).toBe('none');
    expect(workloadSettingDefault('mechanisms.constructor')).toBe('none');
  });
});
