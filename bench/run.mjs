// npm run bench: infercost's speed goals, measured on this machine, side by side in one run.
// Targets (issue 5): cold start <= 2.5x `node -e 0` (issue 12: <= 2.0x, issue 14: <= 1.5x); >= 1M fixed-(N, B) evaluations/s per core;
// >= 20k deployment searches/s; a 1M-row NDJSON sweep < 30 s, peak RSS < 150 MB and no growth
// from 100k to 1M rows. Issue 9: a 1M-row CSV sweep < 10 s at flat memory; a 10-million-value
// axis with --limit 2 in < 1 s and < 150 MB. Issue 15: the report of the four bundled workloads
// under 2 MB and rendered in under 2 s (made by the CLI, then loaded in headless Chromium).
// Issue 13: the mixed-fleet optimizer under 200 ms for 12 chips x 10 workloads.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fleetProblemFor, loadSolver, solveFleet, surenessOf } from '../dist/api/fleet.js';
import { chooseDeployment, replicaFor, replicaPoint, setupFor } from '../dist/engine/index.js';
import { loadCatalog } from '../dist/io/catalog.js';
import { toAccelerator, toModel, toWorkload } from '../dist/schema/convert.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/infercost', import.meta.url));
const CHAT = 'profiles/workloads/chat.yaml';

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function wallMs(args, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    times.push(performance.now() - t);
  }
  return median(times);
}

/**
 * Runs a command with stdout to /dev/null, sampling its resident memory from /proc: the peak
 * (VmHWM) and the current RSS over time, so growth along the run shows.
 */
function measured(args) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    let peakKb = 0;
    const samples = [];
    const sample = () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
        const rss = /VmRSS:\s+(\d+) kB/.exec(status);
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
        if (rss) samples.push([performance.now() - t, Number(rss[1])]);
      } catch {
        // exited between samples
      }
    };
    const timer = setInterval(sample, 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code !== 0) reject(new Error(`${args.join(' ')} exited ${code}`));
      else {
        const total = performance.now() - t;
        // rows arrive at a steady rate, so a tenth of the run's time is about a tenth of its rows
        const at = (fraction) => {
          const near = samples.filter(([ms]) => Math.abs(ms / total - fraction) < 0.05).map(([, kb]) => kb);
          return near.length > 0 ? Math.max(...near) / 1024 : Number.NaN;
        };
        resolve({
          seconds: total / 1000,
          peakMb: peakKb / 1024,
          rssAtTenthMb: at(0.1),
          rssAtEndMb: at(0.95),
        });
      }
    });
  });
}

function perSecond(fn, ms = 1500) {
  for (let i = 0; i < 10_000; i++) fn(i);
  let n = 0;
  const t = performance.now();
  while (performance.now() - t < ms) {
    for (let i = 0; i < 1000; i++) fn(n + i);
    n += 1000;
  }
  return n / ((performance.now() - t) / 1000);
}

const rows = [];
const row = (what, value, target, ok) => rows.push({ what, value, target, ok: ok ? 'yes' : 'NO' });
const fmt = (n) => Math.round(n).toLocaleString('en-US');

// Cold start
const floor = wallMs(['-e', '0'], 15);
const cold = wallMs([BIN, 'compare', CHAT, '--format', 'json'], 15);
row('node -e 0 (the floor), median of 15', `${floor.toFixed(0)} ms`, '', true);
row(
  'compare chat.yaml --format json, median of 15',
  `${cold.toFixed(0)} ms = ${(cold / floor).toFixed(2)}x floor`,
  '<= 2.5x',
  cold / floor <= 2.5,
);
// Issue 12 asks that the serving-model search keep it at or under 2.0x, issue 14 for 1.5x.
row('  the same, against issue 12', `${(cold / floor).toFixed(2)}x floor`, '<= 2.0x', cold / floor <= 2.0);
row('  the same, against issue 14', `${(cold / floor).toFixed(2)}x floor`, '<= 1.5x', cold / floor <= 1.5);
// The README's first command prints the table; a bundled workload comes validated from the build,
// a user's own file is parsed and validated (src/io/catalog.ts bundledWorkload).
const coldTable = wallMs([BIN, 'compare', CHAT], 15);
row(
  'compare chat.yaml (the table), median of 15',
  `${coldTable.toFixed(0)} ms = ${(coldTable / floor).toFixed(2)}x floor`,
  '<= 2.5x',
  coldTable / floor <= 2.5,
);
const userChat = join(mkdtempSync(`${os.tmpdir()}/infercost-bench-`), 'chat.yaml');
copyFileSync(join(ROOT, CHAT), userChat);
const coldUser = wallMs([BIN, 'compare', userChat, '--format', 'json'], 15);
row(
  'compare of a copy of chat.yaml, --format json, median of 15',
  `${coldUser.toFixed(0)} ms = ${(coldUser / floor).toFixed(2)}x floor`,
  '<= 2.5x',
  coldUser / floor <= 2.5,
);

// Engine
const catalog = loadCatalog([]);
const model = toModel(catalog.models.get('llama-3.3-70b').value, 'llama-3.3-70b');
const workload = toWorkload(
  {
    model: 'llama-3.3-70b',
    precision: { weights: 'fp8', activations: 'fp8', kv_cache: 'fp8' },
    input_tokens: 800,
    output_tokens: 300,
    slo: { ttft_ms: 500, tpot_ms: 40 },
  },
  model,
  'chat',
);
const h100 = toAccelerator(catalog.accelerators.get('h100-sxm').value);
const replica = replicaFor(h100, workload, setupFor(h100, workload), 2);
let sink = 0;
const evals = perSecond((i) => {
  sink += replicaPoint(replica, 1 + (i % replica.maxBatch)).outputTokensPerS;
});
row('fixed-(N, B) evaluations per second, one core', fmt(evals), '>= 1,000,000', evals >= 1e6);
const accelerators = [...catalog.accelerators.values()].map((e) => toAccelerator(e.value));
const searches = perSecond((i) => {
  const d = chooseDeployment(accelerators[i % accelerators.length], workload);
  sink += d.ok ? d.point.batch : 0;
});
row(
  `deployment searches per second (all ${accelerators.length} accelerators, chat)`,
  fmt(searches),
  '>= 20,000',
  searches >= 20_000,
);

// A 10-million-value axis, cut to two points: axes are counted, never expanded. Utilization
// below 1% is refused (exit 2) since the hardening of cefff23, so the axis starts just above it:
// 0.0100001 + 9,999,999 x 0.000000099 = 1.
const tinyAxis = await measured([
  BIN,
  'sweep',
  CHAT,
  '--vary',
  'utilization=0.0100001..1:0.000000099',
  '--limit',
  '2',
  '--format',
  'csv',
]);
row(
  'sweep, a 10,000,000-value axis with --limit 2',
  `${(tinyAxis.seconds * 1000).toFixed(0)} ms, peak RSS ${tinyAxis.peakMb.toFixed(0)} MB`,
  '< 1 s, < 150 MB',
  tinyAxis.seconds < 1 && tinyAxis.peakMb < 150,
);

// Sweep: about 1,000,000 rows whatever the number of bundled accelerators (a row per point and
// accelerator; 66,667 points x 15 = 1,000,005 with Inferentia2 and Trainium2's instance form).
const sweepPoints = Math.ceil(1_000_000 / accelerators.length);
const sweepAxis = `input_tokens=100..${99 + sweepPoints}:1`;
const csv = await measured([BIN, 'sweep', CHAT, '--vary', sweepAxis, '--format', 'csv']);
row(
  'sweep, 1M CSV rows to /dev/null',
  `${csv.seconds.toFixed(1)} s, peak RSS ${csv.peakMb.toFixed(0)} MB`,
  '< 10 s, < 150 MB',
  csv.seconds < 10 && csv.peakMb < 150,
);
const big = await measured([BIN, 'sweep', CHAT, '--vary', sweepAxis]);
row(
  'sweep, 1M NDJSON rows to /dev/null',
  `${big.seconds.toFixed(1)} s, peak RSS ${big.peakMb.toFixed(0)} MB`,
  '< 30 s, < 150 MB',
  big.seconds < 30 && big.peakMb < 150,
);
const growth = big.rssAtEndMb - big.rssAtTenthMb;
row(
  'RSS at ~100k rows -> at ~1M rows (same run)',
  `${big.rssAtTenthMb.toFixed(0)} -> ${big.rssAtEndMb.toFixed(0)} MB`,
  'no growth (within 5 MB)',
  growth <= 5,
);

const reportFile = `${mkdtempSync(`${os.tmpdir()}/infercost-bench-`)}/report.html`;
const reportArgs = [BIN, 'report', 'chat', 'rag', 'summarization', 'agentic-coding'];
const reportMs = wallMs(reportArgs, 3); // to stdout, which is ignored
spawnSync(process.execPath, [...reportArgs, '-o', reportFile], { cwd: ROOT, stdio: 'ignore' });
const reportMb = statSync(reportFile).size / 1e6;
row(
  'report, 4 workloads: made by the CLI',
  `${(reportMs / 1000).toFixed(2)} s, ${reportMb.toFixed(2)} MB`,
  '< 2 MB',
  reportMb < 2,
);
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (existsSync(chromiumPath)) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  const loads = [];
  for (let i = 0; i < 3; i++) {
    const page = await browser.newPage();
    const t = performance.now();
    await page.goto(`file://${reportFile}`, { waitUntil: 'load' });
    loads.push(performance.now() - t);
    await page.close();
  }
  await browser.close();
  const loadMs = median(loads);
  row(
    'report: loaded in headless Chromium',
    `${(loadMs / 1000).toFixed(2)} s`,
    'made + loaded < 2 s',
    reportMs + loadMs < 2000,
  );
} else row('report: loaded in headless Chromium', `no browser at ${chromiumPath}`, '', '');

// Issue 13: a mixed fleet of 12 chips x 10 workloads (the four bundled ones and six chat
// variants from 200 to 6,400 input tokens), least cost under a power budget and caps.
{
  const dir = mkdtempSync(`${os.tmpdir()}/infercost-bench-fleet-`);
  const chat = readFileSync(`${ROOT}/${CHAT}`, 'utf8');
  const variants = [200, 400, 1600, 3200, 4800, 6400].map((input) => {
    const file = `${dir}/chat-${input}.yaml`;
    writeFileSync(
      file,
      chat
        .replace(/^input_tokens: .*$/m, `input_tokens: ${input}`)
        .replace(/^name: .*$/m, `name: chat-${input}`),
    );
    return file;
  });
  const catalog = loadCatalog([]);
  const chips = [...catalog.accelerators.keys()].filter((id) => id !== 'mi325x').slice(0, 12);
  const yaml = [
    'objective: min_cost',
    'plan: tco',
    'power_budget: 2GW',
    'workloads:',
    ...['chat', 'rag', 'summarization', 'agentic-coding', ...variants].map(
      (w) => `  - workload: ${w}\n    demand: { output_tokens_per_day: 1.0e12 }`,
    ),
    'chips:',
    ...chips.map((id) => `  - id: ${id}\n    max_chips: 100000`),
  ].join('\n');
  const file = `${dir}/fleet.yaml`;
  writeFileSync(file, `${yaml}\n`);
  const env = { catalog, today: new Date().toISOString().slice(0, 10), readStdin: () => '' };
  let t = performance.now();
  await loadSolver();
  const loadMs = performance.now() - t;
  t = performance.now();
  const { problem } = fleetProblemFor(env, file);
  const buildMs = performance.now() - t;
  const solves = [];
  const sureMs = [];
  let status = '';
  for (let i = 0; i < 5; i++) {
    const { plan, solveMs } = await solveFleet(problem);
    solves.push(solveMs);
    status = plan.status;
    // docs/model.md 8c: the plan re-solved at both ends of the ranges, and the margins
    t = performance.now();
    await surenessOf(problem, plan);
    sureMs.push(performance.now() - t);
  }
  const solveMs = median(solves);
  row(
    `fleet optimizer, ${chips.length} chips x 10 workloads (${problem.options.length} pairs), median of 5`,
    `solve ${solveMs.toFixed(0)} ms, ${status}; evaluate ${buildMs.toFixed(0)} ms, load HiGHS ${loadMs.toFixed(0)} ms; how sure (2 more solves) ${median(sureMs).toFixed(0)} ms`,
    'solve < 200 ms',
    solveMs < 200 && status === 'optimal',
  );
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `infercost bench on ${os.cpus().length} x ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`,
);
const w = [
  Math.max(...rows.map((r) => r.what.length)),
  Math.max(...rows.map((r) => r.value.length)),
  Math.max(...rows.map((r) => r.target.length)),
];
for (const r of rows)
  console.log(
    `${r.what.padEnd(w[0])}  ${r.value.padStart(w[1])}  ${r.target.padEnd(w[2])}  ${r.target ? r.ok : ''}`,
  );
if (sink === -1) console.log(sink);
