// Fixes from a review of flags and inputs: each case failed before the fix it names.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, spawnCli } from '../helpers/cli.js';

const CHAT = 'profiles/workloads/chat.yaml';

describe('an error in a --set value names the flag, not the workload file', () => {
  it('compare --set pricing.provider=foo blames the flag, exit 2, one line', () => {
    const r = spawnCli(['compare', CHAT, '--set', 'pricing.provider=foo']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `infercost: --set pricing.provider=foo pricing.provider: no profile has a quote from "foo" (see 'infercost profiles show <id>')\n`,
    );
  });

  it('compare chat rag --set name=x blames the flag for the clash of names', () => {
    const r = spawnCli(['compare', 'chat', 'rag', '--set', 'name=x']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `infercost: --set name=x name: workload "x" has the name of ${CHAT}'s workload; a result pairs workloads by name, so give each its own\n`,
    );
  });

  it('a --set baseline, stack or accelerators naming nothing blames the flag', () => {
    const baseline = spawnCli(['compare', CHAT, '--set', 'baseline=zz']);
    expect(baseline.code).toBe(2);
    expect(baseline.stderr).toBe(
      `infercost: --set baseline=zz baseline: unknown accelerator "zz" (see 'infercost profiles')\n`,
    );
    const stack = spawnCli(['compare', CHAT, '--set', 'stack=zz']);
    expect(stack.code).toBe(2);
    expect(stack.stderr).toMatch(
      /^infercost: --set stack=zz stack: unknown serving stack "zz" \(known: [^\n]*\)\n$/,
    );
    const ids = spawnCli(['compare', CHAT, '--set', 'accelerators=[zz]']);
    expect(ids.code).toBe(2);
    expect(ids.stderr).toBe(
      `infercost: --set accelerators=[zz] accelerators[0]: unknown accelerator "zz" (see 'infercost profiles')\n`,
    );
  });

  it("a --set of one field is not blamed for another field's error in the file", () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-draft-'));
    const file = join(dir, 'draft.yaml');
    writeFileSync(
      file,
      'name: d\nmodel: llama-3.3-70b\ninput_tokens: 800\noutput_tokens: 300\nspeculative: { draft: llama-3.1-405b, tokens: 4, acceptance: 0.7 }\n',
    );
    const r = spawnCli(['compare', file, '--set', 'speculative.tokens=3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `infercost: ${file}:5:23 speculative.draft: llama-3.1-405b (405.9B parameters, 405.9B active) is not smaller than the target llama-3.3-70b (70.6B, 70.6B active): a draft must be the smaller model (docs/model.md 3c)\n`,
    );
  });

  it('a --set name on a mix names every class: the flag is blamed, not the mix file', () => {
    const r = spawnCli(['compare', 'production-mix', '--set', 'name=x']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'infercost: --set name=x name: gives every class of profiles/workloads/production-mix.yaml the name "x"; a result pairs workloads by name, so name each in its own file\n',
    );
  });

  it('the same error from the file itself is still located in the file', () => {
    const r = spawnCli(['compare', CHAT, join(REPO, CHAT)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^infercost: profiles\/workloads\/chat\.yaml:4:7 name: workload "chat" has the name/,
    );
  });
});
