#!/usr/bin/env node
// Prints the API changes between the committed spec (git HEAD:openapi/openapi.json, or the file given as the first
// argument) and the working tree's openapi/openapi.json, classified by openapi-diff (breaking / non-breaking /
// unclassified). `npm run openapi` runs it after regenerating the spec, so every API change is visible before it is
// committed. It prints and never fails: a breaking change may be intended; the reader decides.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const openapiDiff = require('openapi-diff');
const root = new URL('..', import.meta.url).pathname;
const current = 'openapi/openapi.json';

let before;
try {
  before = process.argv[2] ? readFileSync(process.argv[2], 'utf8') : execFileSync('git', ['show', `HEAD:${current}`], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
} catch {
  process.stdout.write('openapi diff: no committed spec to compare with\n');
  process.exit(0);
}
const after = readFileSync(`${root}${current}`, 'utf8');
const result = await openapiDiff.diffSpecs({
  sourceSpec: { content: before, location: 'committed', format: 'openapi3' },
  destinationSpec: { content: after, location: 'working tree', format: 'openapi3' },
});
const line = (d) => {
  const where = [...d.sourceSpecEntityDetails, ...d.destinationSpecEntityDetails].map((e) => e.location)[0] ?? '';
  return `  ${d.action.padEnd(6)} ${d.code.padEnd(36)} ${where}`;
};
const groups = [
  ['BREAKING', result.breakingDifferencesFound ? result.breakingDifferences : []],
  ['non-breaking', result.nonBreakingDifferences ?? []],
  ['unclassified', result.unclassifiedDifferences ?? []],
];
const total = groups.reduce((n, [, g]) => n + g.length, 0);
process.stdout.write(`openapi diff (committed -> working tree): ${total ? '' : 'no changes'}\n`);
for (const [name, g] of groups) if (g.length) process.stdout.write(`${name} (${g.length}):\n${g.map(line).join('\n')}\n`);
