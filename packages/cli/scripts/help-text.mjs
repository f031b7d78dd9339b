// Build step (after tsup): runs the built CLI's commander once per help request and writes what it
// prints to dist/bin/help.json, which the launcher (bin/stackfeed.js) answers `--help` from without
// loading the CLI. test/help-table.test.ts checks the file equals what the sources print.
import { writeFileSync } from 'node:fs';
import { helpTable } from '../dist/help-table.js';
import { run } from '../dist/index.js';
import { VERSION } from '../dist/version.js';

const table = await helpTable(run, VERSION);
writeFileSync(new URL('../dist/bin/help.json', import.meta.url), `${JSON.stringify(table)}\n`);
