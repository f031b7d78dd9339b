import { type Activity, type ActivityOptions, type ActivityTarget, activityPlan } from '../activity.js';
import { createScript, deleteScript } from './scenarios.js';
import type { EmulatedStack, ScriptedEvent } from './store.js';

/** What {@link heatActivity} needs of a Heat emulator. */
export interface HeatActivityHost {
  now(): number;
  addStack(name: string, script: ScriptedEvent[], opts?: { createdAtMs?: number }): EmulatedStack;
}

const TYPES = ['OS::Heat::RandomString', 'OS::Heat::TestResource', 'OS::Nova::Server', 'OS::Neutron::Port'];

/**
 * Add `count` stacks whose creates start staggered over the span; some fail (CREATE_FAILED),
 * some are updated after a gap (UPDATE_IN_PROGRESS … UPDATE_COMPLETE) and some then deleted
 * (DELETE_IN_PROGRESS … DELETE_COMPLETE). Event times are on the emulator's clock; with a
 * `clock` that runs by itself the activity plays on its own. The truth is Heat's event log.
 */
export function heatActivity(emu: HeatActivityHost, o: ActivityOptions): Activity {
  const plan = activityPlan(o, emu.now());
  const prefix = o.prefix ?? 'heat';
  const targets: ActivityTarget[] = [];
  const stacks = new Map<string, EmulatedStack>();
  let endsAt = 0;
  for (let i = 0; i < o.count; i++) {
    const name = `${prefix}-${String(i).padStart(5, '0')}`;
    const n = 2 + Math.floor(plan.random() * 5);
    const fails = plan.fails();
    const resources = Array.from({ length: n }, (_, k) => ({
      name: `r${k}`,
      type: TYPES[k % TYPES.length] as string,
      ...(fails && k === n - 1 ? { fail: true } : {}),
    }));
    const stepMs = plan.stepMs();
    const start = plan.startOf(i);
    const script = createScript(name, resources, { startMs: start, stepMs });
    const operations: ActivityTarget['operations'] = [
      { action: 'CREATE', startAt: start, endsAt: lastAt(script), fails },
    ];
    if (!fails && plan.updates()) {
      const update = createScript(name, resources.slice(0, 2), {
        startMs: lastAt(script) + plan.gapMs,
        stepMs,
        action: 'UPDATE',
      });
      operations.push({ action: 'UPDATE', startAt: firstAt(update), endsAt: lastAt(update), fails: false });
      script.push(...update);
    }
    if (!fails && plan.deletes()) {
      const del = deleteScript(name, resources, { startMs: lastAt(script) + plan.gapMs, stepMs });
      operations.push({ action: 'DELETE', startAt: firstAt(del), endsAt: lastAt(del), fails: false });
      script.push(...del);
    }
    const stack = emu.addStack(name, script, { createdAtMs: start });
    stacks.set(stack.id, stack);
    endsAt = Math.max(endsAt, lastAt(script));
    targets.push({ provider: 'openstack-heat', kind: 'stack', name, id: stack.id, operations });
  }
  return {
    targets,
    truth: 'log',
    endsAt,
    events: (id) => {
      const s = stacks.get(id);
      if (!s) return [];
      const now = emu.now();
      return s.events.filter((e) => e.atMs <= now && !s.pruned.has(e.id)).map((e) => ({ key: e.id, at: e.atMs }));
    },
  };
}

const firstAt = (s: ScriptedEvent[]) => Math.min(...s.map((e) => e.atMs));
const lastAt = (s: ScriptedEvent[]) => Math.max(...s.map((e) => e.atMs));
