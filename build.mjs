// Bundles the CLI into a CommonJS file (dist/cli/main.cjs) that src/cli/launch.cts compiles
// through a V8 code cache: one script to load instead of several hundred modules is most of
// infercost's cold start. zod and yaml go into a second bundle (dist/cli/deps.cjs) loaded on first
// use (see lazyDeps below). zod's translated error messages are left out (infercost writes its
// own messages), which drops a third of zod.
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { build } from 'esbuild';

const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes('/zod/') ? { path: 'zod-locales', namespace: 'stub' } : undefined,
    );
    b.onLoad({ filter: /^zod-locales$/, namespace: 'stub' }, () => ({
      contents: 'export {};',
      loader: 'js',
    }));
  },
};

// Two Node modules that cost every start ~5 ms each (node:child_process and node:tty each pull in
// node:net and the stream machinery) for things the CLI never does at start-up. commander needs
// child_process only to spawn executable subcommands, which infercost has none of: it is required
// when first touched. chalk's supports-color asks tty.isatty(1) and (2) as it loads, to set the
// level of its default instance; infercost never uses that instance (src/render/table.ts builds
// `new Chalk({ level })` from its own TTY, NO_COLOR and FORCE_COLOR rules), so it sees no TTY.
const noStartupBuiltins = {
  name: 'no-startup-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes('/commander/') ? { path: 'lazy-child-process', namespace: 'stub' } : undefined,
    );
    b.onResolve({ filter: /^node:tty$/ }, (args) =>
      args.importer.includes('/chalk/') ? { path: 'chalk-tty', namespace: 'stub' } : undefined,
    );
    b.onLoad({ filter: /^lazy-child-process$/, namespace: 'stub' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
    b.onLoad({ filter: /^chalk-tty$/, namespace: 'stub' }, () => ({
      contents: 'export default { isatty: () => false };',
      loader: 'js',
    }));
  },
};

// cli-table3 measures every cell with string-width, which runs its emoji regular expression on
// each; src/render/width.ts answers for printable ASCII (nearly every cell) and hands anything
// else to string-width itself, loaded then.
const fastStringWidth = {
  name: 'fast-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, (args) =>
      args.importer.includes('/cli-table3/') ? { path: 'fast-string-width', namespace: 'stub' } : undefined,
    );
    b.onLoad({ filter: /^fast-string-width$/, namespace: 'stub' }, () => ({
      contents: `
        const { asciiWidth } = require(${JSON.stringify(resolve('src/render/width.ts'))});
        let slow;
        const width = (s) => {
          if (typeof s !== 'string') return 0;
          const w = asciiWidth(s);
          return w !== undefined ? w : (slow ??= require('string-width'))(s);
        };
        module.exports = width;
        module.exports.default = width;`,
      resolveDir: resolve('node_modules/cli-table3'),
      loader: 'js',
    }));
  },
};

// zod and yaml are half the CLI's code, and a command that reads only the bundled profiles and
// workloads (validated when dist/bundled.json was made) uses neither. They go into their own
// bundle, dist/cli/deps.cjs, with its own code cache; in the main bundle each import of them is a
// stub whose exports are proxies that ask src/cli/launch.cts's loadDeps() for the real export on
// first use (a call, `new`, or a property: `z.object`, `visit.BREAK`).
const LAZY_DEPS = ['zod', 'yaml'];
const lazyDeps = {
  name: 'lazy-deps',
  setup(b) {
    const filter = new RegExp(`^(${LAZY_DEPS.join('|')})$`);
    b.onResolve({ filter }, (args) =>
      args.importer.includes('/node_modules/') ? undefined : { path: args.path, namespace: 'lazy-dep' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-dep' }, (args) => {
      const names = Object.keys(createRequire(import.meta.url)(args.path)).filter((n) =>
        /^[A-Za-z_$][\w$]*$/.test(n),
      );
      return {
        contents: `
          let real;
          // Required through a variable so that esbuild leaves it to Node: dist/cli/launch.cjs.
          const load = () => (real ??= [require][0]('./launch.cjs').loadDeps()[${JSON.stringify(args.path)}]);
          const lazy = (k) =>
            new Proxy(function () {}, {
              apply: (_, self, a) => Reflect.apply(load()[k], self, a),
              construct: (_, a) => Reflect.construct(load()[k], a),
              get: (_, p) => load()[k][p],
              has: (_, p) => p in load()[k],
            });
          ${names.map((n, i) => `const e${i} = /* @__PURE__ */ lazy(${JSON.stringify(n)});`).join('\n')}
          export { ${names.map((n, i) => `e${i} as ${n}`).join(', ')} };`,
        loader: 'js',
      };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minifySyntax: true,
  minifyWhitespace: !process.env.INFERCOST_NO_MINIFY,
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli/main.cjs',
  plugins: [lazyDeps, noStartupBuiltins, fastStringWidth],
  // vega renders the report's charts and HiGHS solves fleets; each is required by its command
  // alone, never at start-up.
  external: ['vega', 'vega-lite', 'highs'],
  // The sources locate profiles/ and data/ from import.meta.url; in the bundle that is its own file.
  define: { 'import.meta.url': '__infercostModuleUrl' },
  banner: { js: "const __infercostModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});

await build({
  ...common,
  stdin: {
    contents: LAZY_DEPS.map((d) => `export * as ${d} from '${d}';`).join('\n'),
    resolveDir: resolve('.'),
    loader: 'js',
  },
  outfile: 'dist/cli/deps.cjs',
  plugins: [zodEnglishOnly],
});

// Each bundle's SHA-1 as its last line: src/cli/launch.cts matches its code cache against it.
for (const bundle of ['dist/cli/main.cjs', 'dist/cli/deps.cjs']) {
  appendFileSync(
    bundle,
    `\n//# infercost-build ${createHash('sha1').update(readFileSync(bundle)).digest('hex')}\n`,
  );
}
