/**
 * Issue 13: abort() while the IAM token request hangs rejects the caller at once AND cancels the
 * IAM request once no caller waits for it, so nothing keeps the process alive. Proven in a child
 * process that must exit on its own (the parent only waits for 'exit'; no timing is asserted).
 */
import { spawn } from 'node:child_process';
import { type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StackfeedError } from '@stackfeed/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IamTokenAuth } from '../src/index.js';

let server: Server;
let url: string;
let held: ServerResponse[] = [];
let closedByClient = 0;

beforeEach(async () => {
  held = [];
  closedByClient = 0;
  // An IAM that accepts the token request and never answers.
  server = createServer((req, res) => {
    held.push(res);
    req.on('close', () => {
      if (!res.writableEnded) closedByClient++;
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
};

describe('abort while the IAM token request hangs', () => {
  it('the child process exits on its own after abort (nothing keeps it alive)', async () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const r = await new Promise<{ code: number | null; out: string; killed: boolean }>((resolve) => {
      const p = spawn(
        process.execPath,
        ['--conditions=@stackfeed/source', '--import', 'tsx', join(here, 'fixtures', 'iam-abort-child.ts'), url],
        { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
      );
      const watcher = setInterval(() => {
        if (held.length > 0) {
          clearInterval(watcher);
          p.stdin.write('abort\n');
        }
      }, 10);
      let out = '';
      p.stdout.on('data', (d) => {
        out += String(d);
      });
      p.stderr.on('data', (d) => {
        out += String(d);
      });
      // Far below the child's 120 s timeout: a leaked IAM request would hold it until killed here.
      const guard = setTimeout(() => p.kill('SIGKILL'), 20_000);
      p.on('exit', (code, signal) => {
        clearTimeout(guard);
        clearInterval(watcher);
        resolve({ code, out, killed: signal === 'SIGKILL' });
      });
    });
    expect(r.killed, r.out).toBe(false);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('ABORTED');
    expect(held.length).toBe(1);
  }, 30_000);

  it('the shared IAM request is cancelled only when the last waiting caller gives up', async () => {
    const auth = new IamTokenAuth({
      password: { userName: 'u', password: 'Pa55word!long', domainName: 'd' },
      iamEndpoint: url,
      projectId: 'p',
      timeoutMs: 120_000,
    });
    const a = new AbortController();
    const b = new AbortController();
    const first = auth.prepare(a.signal).catch((e: unknown) => e);
    const second = auth.prepare(b.signal).catch((e: unknown) => e);
    await until(() => held.length === 1);
    a.abort();
    expect(StackfeedError.is(await first, 'ABORTED')).toBe(true);
    // The other caller still waits: the request is alive.
    await new Promise((r) => setTimeout(r, 50));
    expect(closedByClient).toBe(0);
    b.abort();
    expect(StackfeedError.is(await second, 'ABORTED')).toBe(true);
    await until(() => closedByClient === 1);
    expect(held.length).toBe(1);
  }, 30_000);
});
