// harper.js, the WebAssembly build of the checker groundwork-notes uses natively, on the
// same notes as bench/notes.sh: the reference point the notes issue names.
//
// Usage: node check.mjs DIR   (DIR holds the notes as *.md, written by notes_bench with
// DUMP_NOTES=DIR). One LocalLinter (American English, markdown, overlapping lints removed,
// as ours), warmed up on the first note; then every other note is checked once and timed.
// Prints the same table row shape as notes_bench.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalLinter } from 'harper.js';
import { binary } from 'harper.js/binary';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node check.mjs DIR');
  process.exit(2);
}
const files = readdirSync(dir).filter((f) => f.endsWith('.md')).sort();
if (files.length < 2) {
  console.error(`need at least two notes in ${dir}`);
  process.exit(2);
}
const notes = files.map((f) => readFileSync(join(dir, f), 'utf8'));

const linter = new LocalLinter({ binary });
let start = performance.now();
await linter.setup();
const first = await linter.lint(notes[0], { language: 'markdown' });
console.error(
  `harper.js ${JSON.parse(readFileSync(new URL('./node_modules/harper.js/package.json', import.meta.url))).version}: ` +
    `first check (setup included): ${(performance.now() - start).toFixed(0)} ms, ${first.length} issues`,
);

const samples = [];
for (const text of notes.slice(1)) {
  start = performance.now();
  const lints = await linter.lint(text, { language: 'markdown' });
  samples.push(performance.now() - start);
  if (lints.length === 0) throw new Error('the generated notes carry mistakes; harper.js found none');
}
samples.sort((a, b) => a - b);
const at = (p) => samples[Math.round((samples.length - 1) * p)];
console.log(
  `| grammar check, a different note each time (harper.js, WebAssembly) | ${samples.length} | ${at(0.5).toFixed(2)} | ${at(0.99).toFixed(2)} |`,
);
