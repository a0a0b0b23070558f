// The GitHub Action's step (action.yml -> bin/github-action.sh) in a simulated job: the step
// summary gets the Markdown, failed claims become ::error annotations, the exit code is check's.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, REPO } from '../helpers/cli.js';

function step(expectLines: string) {
  const dir = mkdtempSync(join(tmpdir(), 'infercost-action-'));
  const summary = join(dir, 'summary.md');
  const r = spawnSync('bash', [join(REPO, 'bin/github-action.sh')], {
    cwd: REPO,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      NO_COLOR: '1',
      // what action.yml passes, with the local build in place of npx infercost@VERSION
      INFERCOST: `node ${BIN}`,
      WORKLOADS: 'chat',
      EXPECT: expectLines,
      AGAINST: '',
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
    },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, summary: readFileSync(summary, 'utf8') };
}

describe('the GitHub Action step', () => {
  it('a failing claim: exit 1, an ::error annotation, the table in the step summary', () => {
    const r = step('h100-sxm usd_per_mtok_output <= 1\nb200/h100-sxm throughput >= 0.5\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^::error title=infercost check::FAIL chat: h100-sxm usd_per_mtok_output <= 1: /m,
    );
    expect(r.summary).toContain('### infercost check');
    expect(r.summary).toMatch(/\| \*\*FAIL\*\* \| chat \| `h100-sxm usd_per_mtok_output <= 1` \|/);
    expect(r.summary).toMatch(/\| PASS \| chat \| `b200\/h100-sxm throughput >= 0.5` \|/);
    expect(r.summary).toContain('1 passed, 1 failed, 0 uncertain, 0 not measurable');
  });

  it('passing claims: exit 0 and no annotation', () => {
    const r = step('b200/h100-sxm throughput >= 0.5');
    expect([r.code, r.stderr]).toEqual([0, '']);
  });

  it('diff --format markdown marks the breaches of --fail-above', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-diff-'));
    const [a, b] = [join(dir, 'a.json'), join(dir, 'b.json')];
    const run = (args: string[], env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [BIN, ...args], {
        cwd: REPO,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', ...env },
      });
    run(['compare', 'chat', '--format', 'json', '-o', a, '--accelerators', 'h100-sxm']);
    run([
      'compare',
      'chat',
      '--format',
      'json',
      '-o',
      b,
      '--accelerators',
      'h100-sxm',
      '--set',
      'h100-sxm.price.on_demand=13.76',
    ]);
    const d = run(['diff', a, b, '--format', 'markdown', '--fail-above', '5%'], { GITHUB_ACTIONS: 'true' });
    expect(d.status).toBe(1);
    // price 6.88 -> 13.76 doubles: tokens per dollar -50%
    expect(d.stdout).toContain('| chat | h100-sxm | output_tokens_per_usd |');
    expect(d.stdout).toContain('**-50.00%**');
    expect(d.stdout).toContain('**1 over the 5% limit on tokens per dollar.**');
    expect(d.stderr).toMatch(
      /^::error title=infercost diff::chat\/h100-sxm: output_tokens_per_usd moved -50\.00%25 \(limit 5%25\)$/m,
    );
  });
});

/**
 * The PR-comment recipe (bin/pr-comment.sh) against a fake `gh` that keeps the pull request's
 * comments in a JSON file: the first run creates one comment, the next edits that same comment.
 */
describe('one updated PR comment with the cost diff', () => {
  it('creates the comment once, then updates it in place', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infercost-pr-'));
    const store = join(dir, 'comments.json');
    writeFileSync(store, JSON.stringify([{ id: 7, body: 'an unrelated comment' }]));
    const fakeBin = join(dir, 'bin');
    mkdirSync(fakeBin);
    // gh api [-X METHOD] PATH [--paginate] [--jq EXPR] [-f body=...]: enough of it for the recipe.
    writeFileSync(
      join(fakeBin, 'gh'),
      `#!/usr/bin/env node
const fs = require('fs');
const args = process.argv.slice(3);
const store = ${JSON.stringify(store)};
const comments = JSON.parse(fs.readFileSync(store, 'utf8'));
const method = args[0] === '-X' ? args[1] : 'GET';
const rest = args[0] === '-X' ? args.slice(2) : args;
const body = rest.find((a) => a.startsWith('body='))?.slice(5);
if (method === 'GET') {
  const marker = /startswith\\("([^"]+)"\\)/.exec(rest[rest.indexOf('--jq') + 1])[1];
  for (const c of comments) if (c.body.startsWith(marker)) console.log(c.id);
} else if (method === 'POST') {
  comments.push({ id: 100 + comments.length, body });
} else if (method === 'PATCH') {
  const id = Number(rest[0].split('/').pop());
  comments.find((c) => c.id === id).body = body;
}
fs.writeFileSync(store, JSON.stringify(comments));
`,
      { mode: 0o755 },
    );
    const before = join(dir, 'before.json');
    const after = join(dir, 'after.json');
    const compare = (out: string, price: string) =>
      spawnSync(
        process.execPath,
        [BIN, 'compare', 'chat', '--set', `h100-sxm.price.on_demand=${price}`, '--format', 'json', '-o', out],
        {
          cwd: REPO,
        },
      );
    compare(before, '6.88');
    compare(after, '7.50');
    const run = () =>
      spawnSync('bash', [join(REPO, 'bin/pr-comment.sh'), before, after], {
        cwd: REPO,
        encoding: 'utf8',
        env: {
          PATH: `${fakeBin}:${process.env.PATH ?? ''}`,
          INFERCOST: `node ${BIN}`,
          PR: '12',
          REPO: 'me/mine',
          NO_COLOR: '1',
        },
      });
    const first = run();
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('created a comment on #12\n');
    const second = run();
    expect(second.stdout).toBe('updated comment 101\n');
    const comments = JSON.parse(readFileSync(store, 'utf8')) as { id: number; body: string }[];
    expect(comments.map((c) => c.id)).toEqual([7, 101]);
    expect(comments[1]?.body.startsWith('<!-- infercost-cost-diff -->\n')).toBe(true);
    expect(comments[1]?.body).toContain('h100-sxm');
  });
});
