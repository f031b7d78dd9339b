import { createServer } from 'node:net';
import { expect } from 'vitest';
import { BufferWriter, run } from '../src/index.js';

/**
 * The first port of a block of 40 free loopback ports (`stackfeed emulator --port-base`: base …
 * base + 39), below the ephemeral range (Linux hands out 32768+, others 49152+): a fixed base inside
 * it (47310) was once taken by another test's outgoing connection in a parallel run (EADDRINUSE).
 */
export async function freePortBase(): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + 40 * Math.floor(Math.random() * 300);
    let ok = true;
    for (let port = base; port < base + 40 && ok; port++) ok = await free(port);
    if (ok) return base;
  }
  throw new Error('no free block of 40 ports between 20000 and 32000');
}

/** `stackfeed emulator` in this process on a free port block, once its banner says it is running. */
export async function startEmulatorCommand(): Promise<{
  base: number;
  banner: BufferWriter;
  stop: () => Promise<number>;
}> {
  const base = await freePortBase();
  const banner = new BufferWriter();
  const ac = new AbortController();
  const emulators = run(['emulator', '--port-base', String(base), '--speed', '20'], {
    stdout: banner,
    stderr: new BufferWriter(),
    env: {},
    signal: ac.signal,
  });
  const stop = () => {
    ac.abort();
    return emulators;
  };
  for (let i = 0; i < 2000 && !banner.text.includes('running on'); i++) await new Promise((r) => setTimeout(r, 10));
  expect(banner.text).toContain('running on');
  return { base, banner, stop };
}
