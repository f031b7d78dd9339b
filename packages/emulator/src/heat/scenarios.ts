import type { ScriptedEvent } from './store.js';

/** Build a typical create script: stack IN_PROGRESS, each resource IN_PROGRESS → COMPLETE/FAILED, stack COMPLETE/FAILED. */
export function createScript(
  stackName: string,
  resources: Array<{ name: string; type?: string; fail?: boolean; properties?: Record<string, unknown> }>,
  opts: { startMs?: number; stepMs?: number; action?: string } = {},
): ScriptedEvent[] {
  const action = opts.action ?? 'CREATE';
  const step = opts.stepMs ?? 1000;
  let t = opts.startMs ?? 0;
  const out: ScriptedEvent[] = [
    { atMs: t, resource: stackName, status: `${action}_IN_PROGRESS`, reason: `Stack ${action} started` },
  ];
  let failed: string | undefined;
  for (const r of resources) {
    t += step;
    const base = {
      resource: r.name,
      ...(r.type ? { type: r.type } : {}),
      ...(r.properties ? { properties: r.properties } : {}),
    };
    out.push({ atMs: t, ...base, status: `${action}_IN_PROGRESS`, reason: 'state changed', physicalId: null });
    t += step;
    if (r.fail) {
      failed = r.name;
      const reason = `Error: resources.${r.name}: Test Resource failed`;
      out.push({ atMs: t, ...base, status: `${action}_FAILED`, reason, physicalId: `${stackName}-${r.name}` });
      break;
    }
    out.push({
      atMs: t,
      ...base,
      status: `${action}_COMPLETE`,
      reason: 'state changed',
      physicalId: `${stackName}-${r.name}`,
    });
  }
  t += step;
  out.push(
    failed
      ? {
          atMs: t,
          resource: stackName,
          status: `${action}_FAILED`,
          reason: `Resource ${action} failed: Error: resources.${failed}: Test Resource failed`,
        }
      : {
          atMs: t,
          resource: stackName,
          status: `${action}_COMPLETE`,
          reason: `Stack ${action} completed successfully`,
        },
  );
  return out;
}
