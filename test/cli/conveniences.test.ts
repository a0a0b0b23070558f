// infercost init and bundled workloads by name (issue 14's conveniences).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';

describe('conveniences', () => {
  it('init writes a starter workload whose schema line resolves; it validates; a second init refuses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-init-'));
    const r = spawnCli(['init'], { cwd: dir });
    expect([r.code, r.stderr]).toEqual([
      0,
      'wrote workload.yaml: edit it, then run infercost compare workload.yaml\n',
    ]);
    const text = readFileSync(join(dir, 'workload.yaml'), 'utf8');
    const schema = /^# yaml-language-server: \$schema=(.+)$/m.exec(text)?.[1] ?? '';
    expect(existsSync(resolve(dirname(join(dir, 'workload.yaml')), schema))).toBe(true);
    expect(spawnCli(['validate', 'workload.yaml'], { cwd: dir }).code).toBe(0);
    const again = spawnCli(['init'], { cwd: dir });
    expect([again.code, again.stderr]).toEqual([
      2,
      'infercost: workload.yaml already exists; give another file name (init never overwrites)\n',
    ]);
    expect(readFileSync(join(dir, 'workload.yaml'), 'utf8')).toBe(text);
  });

  it('a bundled workload by name from any directory; an unknown name suggests the nearest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-name-'));
    const r = spawnCli(['compare', 'chat', '--format', 'json', '--accelerators', 'h100-sxm'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).results[0].workload.name).toBe('chat');
    const bad = spawnCli(['compare', 'chta'], { cwd: dir });
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'infercost: chta no such file, and no bundled workload of that name; did you mean "chat"? (bundled: agentic-coding, chat, production-mix, rag, summarization)\n',
    ]);
  });
});
