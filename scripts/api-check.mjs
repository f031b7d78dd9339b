// API reports: every `packages/*/api-extractor*.json` compares the built .d.ts of one package entry
// with its report checked in under packages/<name>/review/. `pnpm api:check` fails on a difference
// (CI); `pnpm api:update` rewrites the reports (commit them with the API change they show).
// Packages are built first (tsup), since API Extractor reads the published declarations.
// Add a package by putting an api-extractor.<entry>.json next to its package.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const update = process.argv.includes('--update');
const root = new URL('..', import.meta.url).pathname;
const configs = [];
for (const pkg of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', pkg);
  let files;
  try {
    files = readdirSync(dir).filter((f) => /^api-extractor.*\.json$/.test(f));
  } catch {
    continue;
  }
  if (files.length === 0) continue;
  if (!process.argv.includes('--no-build')) {
    execFileSync('pnpm', ['--filter', `./packages/${pkg}`, 'build'], { cwd: root, stdio: 'inherit' });
  }
  // A new package's first report needs its folder.
  if (update) mkdirSync(join(dir, 'review'), { recursive: true });
  for (const f of files) configs.push(join(dir, f));
}

let failed = 0;
for (const path of configs) {
  const config = ExtractorConfig.loadFileAndPrepare(path);
  const result = Extractor.invoke(config, { localBuild: update, showVerboseMessages: false });
  const name = path.slice(root.length);
  if (result.succeeded && !result.apiReportChanged) {
    console.log(`api: ${name} unchanged`);
  } else if (update && result.succeeded) {
    console.log(`api: ${name} report updated`);
  } else {
    failed++;
    console.error(
      `api: ${name}: ${result.apiReportChanged ? 'the API differs from the checked-in report (run pnpm api:update and commit the review/ change)' : `${result.errorCount} errors`}`,
    );
  }
}
if (failed) process.exit(1);
