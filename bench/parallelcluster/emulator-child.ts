/**
 * The emulator for the benchmarks, in its own process (so the benchmark process's CPU time is the
 * clients' alone). Prints one JSON line with the endpoints, then serves until stdin closes.
 */
import { bigStack, startParallelClusterEmulator } from '@stackfeed/emulator/parallelcluster';

const events = Number(process.env.EVENTS ?? 10_000);
const emu = await startParallelClusterEmulator();
const { stackId } = bigStack(emu.world, { name: 'bench-cluster', events });
process.stdout.write(
  `${JSON.stringify({ endpoints: emu.endpoints, region: emu.region, credentials: emu.credentials, stackId })}\n`,
);
process.stdin.resume();
process.stdin.on('end', () => {
  void emu.close().then(() => process.exit(0));
});
