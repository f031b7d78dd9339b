import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { HEAT_PEER_DIR, HEAT_PEER_SCRIPTS, heatAnswers, heatPeerUrl } from './heat-peer.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The real Heat peer's project URL (noauth), or why there is none (the real-Heat fleet test then fails with it). */
    heatPeer: { url?: string; error?: string };
  }
}

/**
 * Makes sure the real Heat peer answers before the fleet's suites run: one already running (CI's
 * `.ci/run`, or a workstation's) is used as it is; otherwise up.sh starts it (idempotent). With
 * `CI` set, a peer this setup started is stopped again at the end; a workstation keeps it running.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const peer: { url?: string; error?: string } = {};
  let started = false;
  if (!(await heatAnswers(heatPeerUrl()))) {
    const script = join(HEAT_PEER_SCRIPTS, 'up.sh');
    if (!existsSync(script)) peer.error = `${script} not found: the shared/ checkout must sit next to the repository`;
    else {
      const r = spawnSync('bash', [script], {
        env: { ...process.env, HEAT_PEER_DIR },
        encoding: 'utf8',
        timeout: 600_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      if (r.status === 0) started = true;
      else {
        const tail = `${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
        peer.error = `${script} failed (exit ${r.status ?? r.signal ?? r.error?.message}):\n${tail}`;
      }
    }
  }
  const url = heatPeerUrl();
  if (!peer.error && !(await heatAnswers(url))) peer.error = `the Heat peer at ${url} does not answer after up.sh`;
  if (!peer.error) peer.url = url;
  project.provide('heatPeer', peer);
  return () => {
    if (!started || !process.env.CI || process.env.STACKFEED_KEEP_HEAT_PEERS) return;
    spawnSync('bash', [join(HEAT_PEER_SCRIPTS, 'down.sh')], {
      env: { ...process.env, HEAT_PEER_DIR },
      stdio: 'ignore',
    });
  };
}
