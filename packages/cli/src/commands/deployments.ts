import type { Deployment } from '@stackfeed/core';
import type { Ctx } from '../context.js';
import { deploymentTable } from '../format/boxes.js';
import { deploymentRecord, toJson } from '../format/records.js';
import { parseCount, parseOutput } from '../options.js';
import { EXIT } from '../usage.js';

interface DeploymentFlags {
  output?: string;
  limit?: string;
}

/** `stackfeed deployments <provider> <target>`: the target's operations, newest first, with root causes. */
export async function deploymentsCommand(
  ctx: Ctx,
  providerName: string,
  target: string,
  flags: DeploymentFlags,
): Promise<number> {
  const output = parseOutput(flags.output, 'deployments');
  const limit = parseCount(flags.limit, '--limit', 'deployments') ?? 20;
  const plugin = await ctx.plugin(providerName, 'deployments');
  const session = await ctx.connect(plugin, 'deployments', true, { key: 'listDeployments', what: 'deployments' });
  const list = ctx.need(session, plugin, 'listDeployments', 'deployments', 'deployments');
  const items: Deployment[] = [];
  for await (const d of list(target, { maxItems: limit, signal: ctx.signal })) {
    items.push(d);
    if (items.length >= limit) break;
  }
  if (output === 'json') ctx.out.write(`${toJson(items.map(deploymentRecord), 2)}\n`);
  else if (output === 'ndjson') for (const d of items) ctx.out.write(`${toJson(deploymentRecord(d))}\n`);
  else if (items.length === 0) ctx.err.write('no deployments\n');
  else ctx.out.write(deploymentTable(items, ctx.colors, ctx.out.isTTY ? ctx.out.columns : undefined));
  return EXIT.OK;
}
