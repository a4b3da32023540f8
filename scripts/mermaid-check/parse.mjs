// Parses each file named on the command line with mermaid.parse() and
// reports the ones Mermaid rejects; exits 1 if any. Mermaid sanitises
// labels with DOMPurify, which needs a DOM: jsdom provides one.
import { readFile } from 'node:fs/promises';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');

let failed = 0;
for (const path of process.argv.slice(2)) {
  const text = await readFile(path, 'utf8');
  try {
    const res = await mermaid.parse(text);
    if (!res || res.diagramType !== 'flowchart-v2') {
      throw new Error(`parsed as ${res && res.diagramType}, not a flowchart`);
    }
    console.log(`ok   ${path}`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${path}: ${String(err.message || err).split('\n').slice(0, 4).join(' | ')}`);
  }
}
if (process.argv.length <= 2) {
  console.log('usage: node parse.mjs FILE.mmd...');
  process.exit(2);
}
process.exit(failed ? 1 : 0);
