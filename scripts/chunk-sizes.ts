// After `vite build`: prints every chunk's size (raw and gzipped), works out the initial JS (the entry
// and what it imports statically) and fails the build when that exceeds the budget of issue 4.
// `--write` also puts the table into docs/performance.md under "## Client bundle".
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = resolve(ROOT, 'dist');
const ASSETS = resolve(DIST, 'assets');
const BUDGET_KB = 100;

interface Chunk { file: string; raw: number; gzip: number; initial: boolean }

const kb = (n: number) => (n / 1024).toFixed(1);
const gz = (buf: Buffer) => gzipSync(buf, { level: 9 }).length;

const html = readFileSync(resolve(DIST, 'index.html'), 'utf8');
const entries = [...html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]);

/** The entry's static imports, followed transitively: what the browser loads before the first render. */
const initial = new Set<string>();
const queue = [...entries];
while (queue.length) {
  const file = queue.pop()!;
  if (initial.has(file)) continue;
  initial.add(file);
  const code = readFileSync(resolve(ASSETS, file), 'utf8');
  for (const m of code.matchAll(/(?:^|[;}\s])import\s*(?:[^"'()]*?from\s*)?["']\.\/([^"']+\.js)["']/g)) queue.push(m[1]);
}

const chunks: Chunk[] = readdirSync(ASSETS)
  .filter((f) => f.endsWith('.js') || f.endsWith('.css'))
  .map((file) => {
    const buf = readFileSync(resolve(ASSETS, file));
    return { file, raw: buf.length, gzip: gz(buf), initial: initial.has(file) || (file.endsWith('.css') && html.includes(file)) };
  })
  .sort((a, b) => Number(b.initial) - Number(a.initial) || b.gzip - a.gzip);
const sw = ['sw.js', ...readdirSync(DIST).filter((f) => /^workbox-.*\.js$/.test(f))].map((file) => {
  const buf = readFileSync(resolve(DIST, file));
  return { file, raw: buf.length, gzip: gz(buf), initial: false };
});

const initialJs = chunks.filter((c) => c.initial && c.file.endsWith('.js')).reduce((n, c) => n + c.gzip, 0);
const lazyJs = chunks.filter((c) => !c.initial && c.file.endsWith('.js')).reduce((n, c) => n + c.gzip, 0);

const rows = [...chunks, ...sw].map((c) => `| ${c.file} | ${c.initial ? 'initial' : c.file.endsWith('.css') ? 'style' : sw.includes(c) ? 'service worker' : 'lazy'} | ${kb(c.raw)} | ${kb(c.gzip)} |`);
const table = [
  '| chunk | loaded | raw KB | gzip KB |',
  '|---|---|---:|---:|',
  ...rows,
  '',
  `Initial JS: **${kb(initialJs)} KB gzipped** (budget ${BUDGET_KB} KB). Lazy feature chunks: ${kb(lazyJs)} KB gzipped in all; every chunk is precached by the service worker.`,
  '',
  'The entry holds what the first screen needs offline: Preact and signals, Dexie, valibot with the shared mutators (the engine applies',
  'every change optimistically, so they cannot be lazy), the sync engine and scheduler, sign-in and the shell. Each page is a lazy chunk;',
  'workbox-window loads after the first render.',
].join('\n');

console.log('\nClient bundle (gzip level 9):');
for (const c of [...chunks, ...sw]) console.log(`  ${c.initial ? '*' : ' '} ${c.file.padEnd(48)} ${kb(c.raw).padStart(8)} KB  ${kb(c.gzip).padStart(7)} KB gz`);
console.log(`  initial JS (*): ${kb(initialJs)} KB gzipped of a ${BUDGET_KB} KB budget`);

if (process.argv.includes('--write')) {
  const doc = resolve(ROOT, 'docs/performance.md');
  const section = `## Client bundle\n\nMeasured by \`npm run build\` (\`scripts/chunk-sizes.ts --write\`) on ${new Date().toISOString().slice(0, 10)}; hashes change per build.\n\n${table}\n`;
  const current = existsSync(doc) ? readFileSync(doc, 'utf8') : '# Performance\n';
  const next = /## Client bundle\n[\s\S]*?(?=\n## |$)/.test(current)
    ? current.replace(/## Client bundle\n[\s\S]*?(?=\n## |$)/, section)
    : `${current.trimEnd()}\n\n${section}`;
  writeFileSync(doc, next);
  console.log(`  written to ${doc}`);
}

if (initialJs / 1024 > BUDGET_KB) {
  console.error(`The initial JS is ${kb(initialJs)} KB gzipped, over the ${BUDGET_KB} KB budget.`);
  process.exit(1);
}
