/**
 * Whole-process benchmarks: spawn a command, its wall and CPU time; run contenders in rotating
 * rounds; per pair the median of the per-round ratios with its spread. Used by cli-cold-start.ts,
 * cli-compile-cache.ts, heat/cli-vs-curl.ts and heat/cli.ts.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { median, quantile, round } from './lib.ts';

/** CPU time (user + system, ms) of this process's waited-for children so far (Linux). */
export function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(rest[13]) + Number(rest[14])) * 1000) / 100; // USER_HZ is 100 on Linux
}

export interface Sample {
  wallMs: number;
  cpuMs: number;
}

/** One child process, asynchronously (an in-process emulator must keep serving): wall and CPU ms. */
export function spawnTimed(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Sample & { out: string }> {
  return new Promise((resolve, reject) => {
    const c0 = childrenCpuMs();
    const t0 = performance.now();
    execFile(
      cmd,
      args,
      { encoding: 'utf8', maxBuffer: 64 << 20, env: { PATH: process.env.PATH ?? '', ...env } },
      (err, out, stderr) => {
        const wallMs = performance.now() - t0;
        if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message} ${stderr}`));
        else resolve({ wallMs, cpuMs: childrenCpuMs() - c0, out });
      },
    );
  });
}

export type Contenders = Record<string, [cmd: string, args: string[], env?: Record<string, string>]>;

/** Every contender once per round, in a rotating order, after one untimed warm-up round. */
export async function rotate(contenders: Contenders, rounds: number): Promise<Record<string, Sample[]>> {
  const names = Object.keys(contenders);
  const samples = Object.fromEntries(names.map((n) => [n, [] as Sample[]]));
  for (let r = -1; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + Math.max(r, 0)) % names.length] as string;
      const [cmd, args, env] = contenders[name] as Contenders[string];
      const s = await spawnTimed(cmd, args, env);
      if (r >= 0) samples[name]?.push({ wallMs: s.wallMs, cpuMs: s.cpuMs });
    }
  }
  return samples;
}

/** `a` against `b`: the median of per-round wall ratios with IQR and range, and CPU as a ratio of medians. */
export function ratioOf(samples: Record<string, Sample[]>, a: string, b: string) {
  const wall = samples[a]?.map((s, i) => s.wallMs / Math.max(samples[b]?.[i]?.wallMs ?? 1, 1)) ?? [];
  return {
    of: a,
    to: b,
    wall: round(median(wall), 2),
    wallIqr: [round(quantile(wall, 0.25), 2), round(quantile(wall, 0.75), 2)],
    wallRange: [round(Math.min(...wall), 2), round(Math.max(...wall), 2)],
    // CPU comes in 10 ms ticks: a ratio of the medians (curl often shows 0 or 1 tick).
    cpu: round(
      median(samples[a]?.map((s) => s.cpuMs) ?? []) / Math.max(median(samples[b]?.map((s) => s.cpuMs) ?? []), 10),
      2,
    ),
  };
}

/** Per contender, the median wall and CPU ms. */
export const medians = (samples: Record<string, Sample[]>) =>
  Object.fromEntries(
    Object.entries(samples).map(([n, s]) => [
      n,
      { wallMs: round(median(s.map((x) => x.wallMs)), 1), cpuMs: round(median(s.map((x) => x.cpuMs)), 1) },
    ]),
  );
