import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// What importing core loads, read from Node's module hooks in a child process (the built package,
// as a user gets it). No timing: the modules a program pays for are the thing checked.
const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const dist = join(pkgDir, 'dist', 'index.js');
const tmp = mkdtempSync(join(tmpdir(), 'core-import-'));
let runs = 0;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

beforeAll(() => {
  const fresh = existsSync(dist) && statSync(dist).mtimeMs >= newestMtime(join(pkgDir, 'src'));
  if (!fresh) execFileSync('pnpm', ['--filter', '@stackfeed/core', 'build'], { cwd: pkgDir, stdio: 'ignore' });
}, 180_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface ChildReport {
  afterImport: string[];
  afterAction: string[];
  detail: unknown;
}

function child(specifier: string, action?: 'request' | 'schema'): ChildReport {
  const file = join(tmp, `modules-${runs++}.txt`);
  const out = execFileSync(
    process.execPath,
    [join(pkgDir, 'test', 'fixtures', 'import-cost-child.mjs'), file, specifier, ...(action ? [action] : [])],
    // No @stackfeed/source condition: the child loads dist/, as a user would.
    { cwd: join(pkgDir, 'test', 'fixtures'), encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
  );
  return JSON.parse(out) as ChildReport;
}

const gotModules = (urls: string[]) => urls.filter((u) => /\/node_modules\/(got|http2-wrapper)\//.test(u));
const named = (urls: string[], pkg: string) => urls.some((u) => u.includes(`/node_modules/${pkg}/`));

describe('import cost of core', () => {
  it.each(['@stackfeed/core', '@stackfeed/core/adapter', '@stackfeed/core/schemas'])(
    'importing %s loads neither got nor http2-wrapper',
    (spec) => {
      const r = child(spec);
      expect(r.afterImport.some((u) => u.includes('/core/dist/'))).toBe(true); // the recorder saw core itself
      expect(gotModules(r.afterImport)).toEqual([]);
    },
  );

  it('the first request loads got and http2-wrapper, and it answers', () => {
    const r = child('@stackfeed/core/adapter', 'request');
    expect(gotModules(r.afterImport)).toEqual([]);
    expect(named(r.afterAction, 'got')).toBe(true);
    expect(named(r.afterAction, 'http2-wrapper')).toBe(true);
    expect(r.detail).toEqual({ ok: true });
  });

  it('importing @stackfeed/core loads no zod; the schemas entry does, and its schema works when first used', () => {
    const main = child('@stackfeed/core');
    expect(main.afterImport.some((u) => u.includes('/core/dist/'))).toBe(true);
    expect(main.afterImport.filter((u) => /\/node_modules\/zod\//.test(u))).toEqual([]);
    const r = child('@stackfeed/core/schemas', 'schema');
    expect(named(r.afterImport, 'zod')).toBe(true); // the recorder sees zod where it is loaded
    expect(r.detail).toBe(false); // {} is not a StackEvent: the stand-in built the schema
  });
});

describe('model schemas are built on first use', () => {
  it('importing the schemas builds none; the first parse builds what it needs', async () => {
    vi.resetModules();
    const schemas = await import('../src/models/schemas.js');
    expect(schemas.schemasBuilt()).toBe(0);
    const ok = schemas.StackEventSchema.safeParse({
      provider: 'openstack-heat',
      id: 'e1',
      timestamp: '2024-05-01T10:00:00Z',
      stack: {},
      resource: {},
      action: 'CREATE',
      phase: 'NEW-PHASE',
      status: 'CREATE_NEW',
      raw: {},
    });
    expect(ok.success && ok.data.phase).toBe('UNKNOWN');
    expect(ok.success && ok.data.timestamp).toEqual(new Date('2024-05-01T10:00:00Z'));
    const built = schemas.schemasBuilt();
    expect(built).toBeGreaterThan(0);
    schemas.StackEventSchema.parse(ok.success ? ok.data : undefined);
    expect(schemas.schemasBuilt()).toBe(built); // built once
  });

  it('a stand-in behaves as the schema: instanceof, nesting, extend, keys, and a bad record fails with its path', async () => {
    const z = await import('zod');
    const { ImageArtifactSchema, PhaseSchema, StackRefSchema } = await import('../src/models/schemas.js');
    expect(StackRefSchema instanceof z.ZodObject).toBe(true);
    expect(Object.keys(StackRefSchema.shape)).toEqual(['name', 'id']);
    expect(z.array(PhaseSchema).parse(['COMPLETE', 'weird'])).toEqual(['COMPLETE', 'UNKNOWN']);
    const Extended = ImageArtifactSchema.extend({ extra: z.number() });
    expect(Extended.parse({ kind: 'ami', id: 'ami-1', extra: 1 })).toEqual({ kind: 'ami', id: 'ami-1', extra: 1 });
    const bad = z.object({ ref: StackRefSchema }).safeParse({ ref: { name: 7 } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['ref', 'name']);
  });
});
