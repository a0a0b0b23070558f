import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('JSON Schemas', () => {
  for (const kind of ['accelerator', 'model', 'workload', 'mix', 'fleet', 'result']) {
    it(`schemas/${kind}.schema.json is what 'infercost schema ${kind}' prints (run npm run schemas)`, async () => {
      const r = await runCli(['schema', kind]);
      expect(r.code).toBe(0);
      expect(readFileSync(`schemas/${kind}.schema.json`, 'utf8')).toBe(r.stdout);
      expect(JSON.parse(r.stdout).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    });
  }

  it('an unknown kind is a usage error', async () => {
    const r = await runCli(['schema', 'accelerators']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'infercost: schema accelerators: expected one of accelerator, model, workload, mix, fleet, result\n',
    );
  });
});
