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

/** The scripts of {@link nestedUpdateRollbackScripts}: the parent stack's and its nested stack's. */
export interface NestedRollbackScripts {
  parent: ScriptedEvent[];
  nested: ScriptedEvent[];
}

/**
 * An UPDATE of `parent` whose nested stack (behind the parent's resource `resource`, Heat's
 * `OS::Heat::Stack` / template resource) fails on its own resource `failing`, followed by Heat's
 * rollback (legacy engine, rollback enabled): the parent goes ROLLBACK_IN_PROGRESS, the nested
 * resource and its stack are updated back to the previous template (events with action UPDATE),
 * and the parent ends ROLLBACK_COMPLETE. Each event is `stepMs` after the one before it, from
 * `startMs`. The failure reasons are Heat's wording for `OS::Heat::TestResource` with `fail: true`.
 */
export function nestedUpdateRollbackScripts(
  parent: string,
  resource: string,
  nested: string,
  failing: string,
  opts: { startMs?: number; stepMs?: number } = {},
): NestedRollbackScripts {
  const step = opts.stepMs ?? 1000;
  let t = opts.startMs ?? 0;
  const p: ScriptedEvent[] = [];
  const n: ScriptedEvent[] = [];
  const at = () => {
    const now = t;
    t += step;
    return now;
  };
  const inner = `resources.${failing}: Test Resource failed`;
  p.push({ atMs: at(), resource: parent, status: 'UPDATE_IN_PROGRESS', reason: 'Stack UPDATE started' });
  p.push({ atMs: at(), resource, status: 'UPDATE_IN_PROGRESS', reason: 'state changed', physicalId: null });
  n.push({ atMs: at(), resource: nested, status: 'UPDATE_IN_PROGRESS', reason: 'Stack UPDATE started' });
  n.push({
    atMs: at(),
    resource: failing,
    status: 'UPDATE_IN_PROGRESS',
    reason: 'state changed',
    type: 'OS::Heat::TestResource',
  });
  n.push({
    atMs: at(),
    resource: failing,
    status: 'UPDATE_FAILED',
    reason: `Error: ${inner}`,
    type: 'OS::Heat::TestResource',
  });
  n.push({ atMs: at(), resource: nested, status: 'UPDATE_FAILED', reason: `Resource UPDATE failed: Error: ${inner}` });
  const outer = `Error: resources.${resource}.${inner}`;
  p.push({ atMs: at(), resource, status: 'UPDATE_FAILED', reason: outer, type: 'OS::Heat::Stack' });
  p.push({ atMs: at(), resource: parent, status: 'UPDATE_FAILED', reason: `Resource UPDATE failed: ${outer}` });
  p.push({ atMs: at(), resource: parent, status: 'ROLLBACK_IN_PROGRESS', reason: 'Stack ROLLBACK started' });
  p.push({ atMs: at(), resource, status: 'UPDATE_IN_PROGRESS', reason: 'state changed', type: 'OS::Heat::Stack' });
  n.push({ atMs: at(), resource: nested, status: 'UPDATE_IN_PROGRESS', reason: 'Stack UPDATE started' });
  n.push({
    atMs: at(),
    resource: failing,
    status: 'UPDATE_IN_PROGRESS',
    reason: 'state changed',
    type: 'OS::Heat::TestResource',
  });
  n.push({
    atMs: at(),
    resource: failing,
    status: 'UPDATE_COMPLETE',
    reason: 'state changed',
    type: 'OS::Heat::TestResource',
  });
  n.push({ atMs: at(), resource: nested, status: 'UPDATE_COMPLETE', reason: 'Stack UPDATE completed successfully' });
  p.push({ atMs: at(), resource, status: 'UPDATE_COMPLETE', reason: 'state changed', type: 'OS::Heat::Stack' });
  p.push({
    atMs: at(),
    resource: parent,
    status: 'ROLLBACK_COMPLETE',
    reason: 'Stack ROLLBACK completed successfully',
  });
  return { parent: p, nested: n };
}

/** Build a stack delete script: DELETE_IN_PROGRESS, each resource deleted (last created first), DELETE_COMPLETE. */
export function deleteScript(
  stackName: string,
  resources: Array<{ name: string; type?: string }>,
  opts: { startMs?: number; stepMs?: number } = {},
): ScriptedEvent[] {
  const step = opts.stepMs ?? 1000;
  let t = opts.startMs ?? 0;
  const out: ScriptedEvent[] = [
    { atMs: t, resource: stackName, status: 'DELETE_IN_PROGRESS', reason: 'Stack DELETE started' },
  ];
  for (const r of [...resources].reverse()) {
    const base = { resource: r.name, ...(r.type ? { type: r.type } : {}), physicalId: `${stackName}-${r.name}` };
    t += step;
    out.push({ atMs: t, ...base, status: 'DELETE_IN_PROGRESS', reason: 'state changed' });
    t += step;
    out.push({ atMs: t, ...base, status: 'DELETE_COMPLETE', reason: 'state changed' });
  }
  t += step;
  out.push({ atMs: t, resource: stackName, status: 'DELETE_COMPLETE', reason: 'Stack DELETE completed successfully' });
  return out;
}
