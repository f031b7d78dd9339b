import { beforeAll, inject, it } from 'vitest';
import type { PeerInfo } from '../support/peer.js';

/** The noauth Heat URL, or a thrown error saying why the real peer is not there (never a skip). */
export function noauthUrl(): string {
  const p = inject('heatPeers');
  if (!p?.noauth.url) {
    throw new Error(
      `real Heat peer unavailable: ${p?.noauth.error ?? 'globalSetup did not run'}\n` +
        'Start it with ../shared/real-peers/heat/up.sh (see its README).',
    );
  }
  return p.noauth.url;
}

/** The Keystone-mode peer, or a thrown error saying why it is not there. */
export function keystonePeer(): PeerInfo {
  const p = inject('heatPeers');
  if (!p?.keystone.peer) {
    throw new Error(
      `Keystone-mode Heat peer unavailable: ${p?.keystone.error ?? 'globalSetup did not run'}\n` +
        'Start it with HEAT_PEER_KEYSTONE=1 HEAT_PEER_DIR=/tmp/heat-peer-ks HEAT_PEER_PORT=8014 HEAT_PEER_KEYSTONE_PORT=5010 ../shared/real-peers/heat/up.sh',
    );
  }
  return p.keystone.peer;
}

/**
 * Integration tests FAIL (never skip) when the real peer is missing: a setup failure is kept and
 * re-thrown by every test, instead of letting a failed beforeAll mark the tests skipped.
 */
export function realPeerSuite(setup: () => Promise<void>, timeoutMs: number) {
  let failure: unknown;
  beforeAll(async () => {
    try {
      await setup();
    } catch (err) {
      failure = err;
    }
  }, timeoutMs);
  return (name: string, fn: () => Promise<void>, testTimeoutMs?: number) =>
    it(
      name,
      async () => {
        if (failure) throw failure;
        await fn();
      },
      testTimeoutMs,
    );
}
