import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { KS_PEER, PEER_DIR, type PeerInfo, heatAnswers, noauthPeerUrl, readPeerJson } from './support/peer.js';

/** What the integration suites get through `inject('heatPeers')`. */
export interface HeatPeers {
  noauth: { url?: string; error?: string };
  keystone: { peer?: PeerInfo; error?: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    heatPeers: HeatPeers;
  }
}

/** Run up.sh (idempotent: ~0.1 s when running, ~5 s noauth / ~25 s keystone from scratch). */
function upSh(env: Record<string, string>): string | undefined {
  const script = join(PEER_DIR, 'up.sh');
  if (!existsSync(script)) return `${script} not found: the shared/ checkout must sit next to the repository`;
  const r = spawnSync('bash', [script], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 600_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status === 0) return undefined;
  const tail = `${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
  return `${script} failed (exit ${r.status ?? r.signal ?? r.error?.message}):\n${tail}`;
}

/**
 * Makes sure the real Heat peers are up before the suites run: the noauth one on :8004 (or
 * HEAT_URL) and a Keystone-mode one beside it (own HEAT_PEER_DIR and ports, see KS_PEER). Failures
 * are handed to the integration tests, which then fail with this message; unit tests still run.
 * With `CI` set, the peers this setup started are stopped again at the end.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const peers: HeatPeers = { noauth: {}, keystone: {} };
  const started: Array<Record<string, string>> = [];
  const url = noauthPeerUrl();
  if (!(await heatAnswers(url))) {
    const env: Record<string, string> = { HEAT_PEER_DIR: process.env.HEAT_PEER_DIR ?? '/tmp/heat-peer' };
    const err = upSh(env);
    if (err) peers.noauth.error = err;
    else started.push(env);
  }
  const finalUrl = noauthPeerUrl();
  if (!peers.noauth.error && !(await heatAnswers(finalUrl))) {
    peers.noauth.error = `the Heat peer at ${finalUrl} does not answer after up.sh`;
  }
  if (!peers.noauth.error) peers.noauth.url = finalUrl;

  let ks = readPeerJson(KS_PEER.dir);
  const ksUp = async (p: PeerInfo | undefined) =>
    !!p && (await heatAnswers(p.heatUrl)) && (await heatAnswers(String(p.keystoneUrl)));
  if (!(await ksUp(ks))) {
    const env = {
      HEAT_PEER_DIR: KS_PEER.dir,
      HEAT_PEER_PORT: KS_PEER.port,
      HEAT_PEER_KEYSTONE: '1',
      HEAT_PEER_KEYSTONE_PORT: KS_PEER.keystonePort,
    };
    const err = upSh(env);
    if (err) peers.keystone.error = err;
    else started.push(env);
    ks = readPeerJson(KS_PEER.dir);
  }
  if (!peers.keystone.error) {
    if (ks && (await ksUp(ks))) peers.keystone.peer = ks;
    else peers.keystone.error = `the Keystone-mode Heat peer in ${KS_PEER.dir} does not answer after up.sh`;
  }
  project.provide('heatPeers', peers);
  // In CI, stop what this setup started (down.sh, by the recorded pids); on a workstation leave
  // the peers running so the next run starts in 0.1 s.
  return () => {
    if (!process.env.CI || process.env.STACKFEED_KEEP_HEAT_PEERS) return;
    for (const env of started.reverse()) {
      spawnSync('bash', [join(PEER_DIR, 'down.sh')], {
        env: { ...process.env, ...env },
        stdio: 'ignore',
        timeout: 60_000,
      });
    }
  };
}
