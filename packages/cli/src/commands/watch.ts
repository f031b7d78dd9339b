import type { Ctx } from '../context.js';
import { EXIT, formatError, UsageError } from '../errors.js';
import { findProvider } from '../providers/registry.js';
import { endedBadly, type TailSource, tail } from '../tail.js';
import { parseDuration } from '../options.js';
import { type EventsFlags, eventSettings } from './events.js';

/** `provider:target`; the target may itself contain colons (ARNs). */
export function parseSpec(spec: string): { provider: string; target: string } {
  const i = spec.indexOf(':');
  if (i <= 0 || i === spec.length - 1) {
    throw new UsageError(`"${spec}" is not PROVIDER:TARGET (e.g. heat:web, rfs:my-stack)`, 'watch');
  }
  return { provider: spec.slice(0, i), target: spec.slice(i + 1) };
}

/** `stackfeed watch heat:web rfs:db ...`: several deployments as one time-ordered tail. */
export async function watchCommand(ctx: Ctx, specs: readonly string[], flags: EventsFlags & { lateness?: string }) {
  const s = eventSettings(flags, 'watch');
  // An event waits for earlier ones from providers polled later: about one poll interval.
  const lateness =
    parseDuration(flags.lateness, '--lateness', 'watch') ?? Math.min(15_000, (s.pollIntervalMs ?? 5000) + 1000);
  const parsed = specs.map(parseSpec);
  ctx.following = true;
  for (const p of parsed) {
    if (!findProvider(ctx.providers, p.provider)) await ctx.plugin(p.provider, 'watch'); // throws the usage error
  }
  const sources: TailSource[] = [];
  // `--endpoint URL` without `provider=` is fine when every target is on the same provider.
  const providerIds = new Set<string>();
  for (const p of parsed) providerIds.add((await ctx.plugin(p.provider, 'watch')).id);
  for (const p of parsed) {
    const plugin = await ctx.plugin(p.provider, 'watch');
    const session = await ctx.connect(plugin, 'watch', providerIds.size === 1, {
      key: 'followEvents',
      what: 'live event tail',
    });
    const follow = ctx.need(session, plugin, 'followEvents', 'live event tail', 'watch');
    sources.push({
      provider: plugin.id,
      target: p.target,
      stream: follow(p.target, {
        ...(s.since ? { since: s.since } : {}),
        ...(s.phase ? { phase: s.phase } : {}),
        ...(s.resourceName ? { resourceName: s.resourceName } : {}),
        ...(s.nestedDepth !== undefined ? { nestedDepth: s.nestedDepth } : {}),
        pollIntervalMs: s.pollIntervalMs,
        timeoutMs: s.timeoutMs,
        signal: ctx.signal,
      }),
    });
  }
  const outcomes = await tail(ctx, sources, {
    output: s.output,
    raw: s.raw,
    limit: s.limit,
    latenessMs: lateness,
    finals: true,
    filter: s.resourceMatch,
  });
  let code: number = EXIT.OK;
  for (const o of outcomes) {
    if (o.error !== undefined) {
      ctx.err.write(`${formatError(o.error)}\n`);
      code = EXIT.CALL_FAILED;
    }
  }
  if (code === EXIT.OK && outcomes.some(endedBadly)) code = EXIT.DEPLOYMENT_FAILED;
  return code;
}
