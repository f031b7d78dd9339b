import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StackfeedError } from '@stackfeed/core';
import type { LifecycleDeprecateDeleteTruth } from '@stackfeed/emulator/imagebuilder';
import { afterEach, describe, expect, it } from 'vitest';
import { ImageBuilderClient } from '../src/index.js';
import { CREDS, type Setup, setup } from './helpers.js';

let s: Setup | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

async function caught(p: Promise<unknown>): Promise<StackfeedError> {
  try {
    await p;
  } catch (err) {
    if (StackfeedError.is(err)) return err;
    throw err;
  }
  throw new Error('expected a StackfeedError');
}

const listPath = '/ListLifecycleExecutionResources';

async function lifecycle(opts: Parameters<typeof setup>[0] = {}, clientOpts: Parameters<typeof setup>[1] = {}) {
  s = await setup({ scenarios: ['lifecycleDeprecateThenDelete'], ...opts }, clientOpts);
  const t = s.emu.truth.lifecycleDeprecateThenDelete as LifecycleDeprecateDeleteTruth;
  s.clock.set(t.endAt + 1000);
  return { s, t };
}

describe('an empty 200 is not the last page', () => {
  it('an empty body on the 2nd page: INVALID_RESPONSE, not a list cut short (list and resume)', async () => {
    const { s, t } = await lifecycle();
    // The second page's request gets a 200 with an empty body.
    let n = 0;
    s.emu.server.faults.inject({ kind: 'empty' }, { match: (r) => r.rawPath === listPath && ++n === 2, times: 1 });
    const err = await caught(
      s.client.listLifecycleExecutionEvents(t.executionId, { pageSize: 10 }).toArray({ limit: 10_000 }),
    );
    expect(err).toMatchObject({
      code: 'INVALID_RESPONSE',
      operation: 'listLifecycleExecutionEvents',
      httpStatus: 200,
      retryable: false,
    });
    expect(err.message).toMatch(/empty body/);
    expect(err.requestId).toBeUndefined();
    // Resuming from a continuation token hits the same check.
    const first = await s.client.listLifecycleExecutionEvents(t.executionId, { pageSize: 10 }).byPage().next();
    const token = first.done ? undefined : first.value.continuationToken;
    expect(token).toBeDefined();
    s.emu.server.faults.inject({ kind: 'empty' }, { match: (r) => r.rawPath === listPath, times: 1 });
    const err2 = await caught(
      (async () => {
        for await (const _ of s.client
          .listLifecycleExecutionEvents(t.executionId)
          .byPage({ continuationToken: token as string })) {
          /* drain */
        }
      })(),
    );
    expect(err2.code).toBe('INVALID_RESPONSE');
  });

  it('the other lists, the gets and the watch refuse an empty body too', async () => {
    s = await setup({ scenarios: ['imageBuildAvailable', 'lifecycleDeprecateThenDelete'] });
    const t = s.emu.truth.lifecycleDeprecateThenDelete as LifecycleDeprecateDeleteTruth;
    const img = s.emu.truth.imageBuildAvailable as { imageArn: string };
    s.clock.set(t.endAt + 3_600_000);
    const c = s.client;
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['listImages', () => c.listImages().toArray({ limit: 10_000 })],
      ['listImageBuildVersions', () => c.listImageBuildVersions().toArray({ limit: 10_000 })],
      ['listWorkflowExecutions', () => c.listWorkflowExecutions(img.imageArn).toArray({ limit: 10_000 })],
      ['listLifecycleExecutions', () => c.listLifecycleExecutions(img.imageArn).toArray({ limit: 10_000 })],
      ['getImage', () => c.getImage(img.imageArn)],
      ['getLifecycleExecution', () => c.getLifecycleExecution(t.executionId)],
      [
        'watchLifecycleExecution',
        async () => {
          for await (const _ of c.watchLifecycleExecution(t.executionId, { pollIntervalMs: 10 })) {
            /* drain */
          }
        },
      ],
    ];
    for (const [op, call] of calls) {
      s.emu.server.faults.inject({ kind: 'empty' }, { times: 1 });
      const err = await caught(call());
      expect(err.code, op).toBe('INVALID_RESPONSE');
      expect(err.operation, op).toBe(op);
      s.emu.server.faults.clear();
    }
  });

  it('empty pages that carry a nextToken are paged through: nothing lost, nothing twice', async () => {
    // An empty page (with a token) before every other page, starting with the first one.
    const { s, t } = await lifecycle({ emptyPageBefore: (_op, offset) => offset % 20 === 0 });
    const events = await s.client
      .listLifecycleExecutionEvents(t.executionId, { pageSize: 10 })
      .toArray({ limit: 10_000 });
    const ids = events.map((e) => e.resource.physicalId);
    expect(ids.sort()).toEqual(t.amis.map((a) => a.resourceId).sort());
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    // Read to its end (pages of 25, the empty ones followed by their token), handed out in pages of 10.
    const reqs = s.emu.server.requests.filter((r) => r.path === listPath);
    expect(reqs.length).toBeGreaterThan(2);
    const pages: number[] = [];
    for await (const p of s.client.listLifecycleExecutionEvents(t.executionId).byPage({ pageSize: 10 }))
      pages.push(p.items.length);
    expect(pages).toEqual([10, 10, 10, 10]);
    // The watch's own paging loop too.
    const watched: string[] = [];
    for await (const ev of s.client.watchLifecycleExecution(t.executionId, { pollIntervalMs: 10 })) watched.push(ev.id);
    expect(new Set(watched).size).toBe(t.amis.length);
  });
});

/** A bare HTTP server answering ListLifecycleExecutionResources with scripted bodies. */
async function scripted(
  answer: (n: number, body: string, res: ServerResponse) => void,
): Promise<{ url: string; close(): Promise<void>; bodies: string[] }> {
  const bodies: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      bodies.push(body);
      answer(bodies.length, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const LCE = 'lce-00000000-0000-4000-8000-000000000001';
const resource = (i: number) => ({
  resourceId: `ami-${String(i).padStart(17, '0')}`,
  state: { status: 'SUCCESS' },
  action: { name: 'DELETE' },
  startTime: 1_768_478_400 + i,
  endTime: 1_768_478_460 + i,
});

describe('what the service model allows (every output member is optional)', () => {
  it('a page without `resources` but with a nextToken is an empty page, and paging goes on', async () => {
    const srv = await scripted((n, _b, res) => {
      res.setHeader('content-type', 'application/json');
      if (n === 1) res.end(JSON.stringify({ lifecycleExecutionId: LCE, nextToken: 'page-2' }));
      else res.end(JSON.stringify({ lifecycleExecutionId: LCE, resources: [resource(1), resource(2)] }));
    });
    const c = new ImageBuilderClient({ region: 'us-east-1', endpoint: srv.url, credentials: CREDS });
    try {
      const events = await c.listLifecycleExecutionEvents(LCE).toArray({ limit: 10_000 });
      expect(events.map((e) => e.resource.physicalId)).toEqual([resource(1).resourceId, resource(2).resourceId]);
      expect(JSON.parse(srv.bodies[1] as string)).toMatchObject({ nextToken: 'page-2' });
    } finally {
      c.close();
      await srv.close();
    }
  });

  it('a chunked 200 with no bytes is refused; a chunked JSON body is read as usual', async () => {
    const srv = await scripted((n, _b, res) => {
      // No Content-Length: Node sends Transfer-Encoding: chunked.
      res.writeHead(200, { 'content-type': 'application/json' });
      if (n === 1) res.end();
      else {
        res.write(`{"lifecycleExecutionId":"${LCE}",`);
        res.end(`"resources":[${JSON.stringify(resource(7))}]}`);
      }
    });
    const c = new ImageBuilderClient({ region: 'us-east-1', endpoint: srv.url, credentials: CREDS });
    try {
      const err = await caught(c.listLifecycleExecutionEvents(LCE).toArray({ limit: 10_000 }));
      expect(err).toMatchObject({ code: 'INVALID_RESPONSE', httpStatus: 200 });
      const events = await c.listLifecycleExecutionEvents(LCE).toArray({ limit: 10_000 });
      expect(events.map((e) => e.resource.physicalId)).toEqual([resource(7).resourceId]);
    } finally {
      c.close();
      await srv.close();
    }
  });

  it('a list member of the wrong type is INVALID_RESPONSE naming it', async () => {
    const srv = await scripted((_n, _b, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          lifecycleExecutionId: LCE,
          // resourceId is optional in the model, but a number is no string.
          resources: [{ resourceId: 42, state: { status: 'SUCCESS' }, startTime: 1_768_478_400 }],
        }),
      );
    });
    const c = new ImageBuilderClient({ region: 'us-east-1', endpoint: srv.url, credentials: CREDS });
    try {
      const err = await caught(c.listLifecycleExecutionEvents(LCE).toArray({ limit: 10_000 }));
      expect(err.code).toBe('INVALID_RESPONSE');
      expect(err.fieldPath).toBe('resources[0].resourceId');
    } finally {
      c.close();
      await srv.close();
    }
  });
});

describe('timeoutMs', () => {
  it('a response slower than timeoutMs is retried, and TIMEOUT when every attempt is slow', async () => {
    const { s, t } = await lifecycle({}, { timeoutMs: 150, maxAttempts: 2 });
    s.emu.server.faults.inject({ kind: 'delay', ms: 2000 }, { match: (r) => r.rawPath === listPath, times: 1 });
    const events = await s.client.listLifecycleExecutionEvents(t.executionId).toArray({ limit: 10_000 });
    expect(events.length).toBe(t.amis.length);
    expect(s.emu.server.faults.pending).toBe(0);

    s.emu.server.faults.inject({ kind: 'delay', ms: 2000 }, { times: Number.POSITIVE_INFINITY });
    const before = s.emu.server.requests.length;
    const err = await caught(s.client.getLifecycleExecution(t.executionId));
    expect(err).toMatchObject({ code: 'TIMEOUT', operation: 'getLifecycleExecution', retryable: true });
    expect(s.emu.server.requests.length - before).toBe(2);
  });

  it('without timeoutMs a slow answer is waited for; bad values and timeoutMs with { client } are CONFIG', async () => {
    const { s, t } = await lifecycle();
    s.emu.server.faults.inject({ kind: 'delay', ms: 300 }, { times: 1 });
    await expect(s.client.getLifecycleExecution(t.executionId)).resolves.toMatchObject({ id: t.executionId });
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '100'])
      expect(() => new ImageBuilderClient({ timeoutMs: bad as never })).toThrow(
        expect.objectContaining({ code: 'CONFIG' }),
      );
    expect(() => new ImageBuilderClient({ client: s.client.sdk, timeoutMs: 100 })).toThrow(/requestHandler/);
  });
});
