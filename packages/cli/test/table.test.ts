import type { StackEvent } from '@stackfeed/core';
import { describe, expect, it } from 'vitest';
import { colorsFor } from '../src/format/colors.js';
import { eventLayout, eventStreamHeader, eventStreamRow, eventTable } from '../src/format/table.js';

const plain = colorsFor({ write: () => true, isTTY: false }, { NO_COLOR: '1' }, false);

function ev(
  over: Partial<StackEvent> & { resource?: StackEvent['resource']; stack?: StackEvent['stack'] },
): StackEvent {
  return {
    provider: 'aws-imagebuilder',
    id: Math.random().toString(36).slice(2),
    timestamp: new Date('2026-11-23T19:31:32Z'),
    stack: { name: 'web' },
    resource: { logicalId: 'server' },
    action: 'CREATE',
    phase: 'COMPLETE',
    status: 'CREATE_COMPLETE',
    raw: {},
    ...over,
  };
}

const longName = 'InfrastructureConfiguration';
const longStack = 'production-web-frontend-eu-west-1-blue';
const failure =
  'Resource CREATE failed: InvalidParameterValue: the instance type m7i.48xlarge is not supported in the availability zone eu-west-1c; choose another instance type or zone';

describe('event tables: one style, sized to the terminal or to the content', () => {
  it('a list has no borders, one line an event, columns sized to the content when piped (nothing cut)', () => {
    const events = [ev({ resource: { logicalId: longName } }), ev({ stack: { name: longStack } })];
    const out = eventTable(events, plain);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(out).not.toMatch(/[│┌─]/);
    expect(lines[0]).toMatch(/^time \(UTC\) +provider +stack +resource +action +phase +reason$/);
    expect(out).toContain(longName);
    expect(out).toContain(longStack);
    // Aligned: the action column starts at the same offset on every line.
    const at = lines.map((l) => l.indexOf('CREATE'));
    expect(at[1]).toBe(at[2]);
    expect(lines[0]!.indexOf('action')).toBe(at[1]);
  });

  it('a long resource name does not shift the rest of the row in a live tail either', () => {
    const layout = eventLayout(undefined, undefined);
    const a = eventStreamRow(ev({ resource: { logicalId: longName } }), plain, undefined, layout);
    const b = eventStreamRow(ev({ resource: { logicalId: 'net' } }), plain, undefined, layout);
    expect(a.indexOf('CREATE')).toBe(b.indexOf('CREATE'));
    expect(eventStreamHeader(plain, layout).indexOf('action')).toBe(b.indexOf('CREATE'));
  });

  it('a wide terminal gives the stack column the room it needs; a narrow one cuts it with …', () => {
    const wide = eventTable([ev({ stack: { name: longStack } })], plain, 160);
    expect(wide).toContain(longStack);
    const narrow = eventTable([ev({ stack: { name: longStack }, message: 'ok' })], plain, 90);
    expect(narrow).not.toContain(longStack);
    expect(narrow).toContain('…');
    for (const line of narrow.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(90);
  });

  it('the reason of a FAILED event is kept whole on a terminal, wrapped under the reason column', () => {
    const out = eventTable([ev({ phase: 'FAILED', status: 'CREATE_FAILED', message: failure })], plain, 100);
    const lines = out.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    const reasonAt = lines[0]!.indexOf('reason');
    const text = lines
      .slice(1)
      .map((l) => l.slice(reasonAt))
      .join(' ');
    expect(text).toBe(failure);
    for (const cont of lines.slice(2)) expect(cont.slice(0, reasonAt).trim()).toBe('');
  });

  it('an ordinary long reason is cut at the edge (one line an event); piped it is whole', () => {
    const tty = eventTable([ev({ message: failure })], plain, 100);
    expect(tty.trimEnd().split('\n')).toHaveLength(2);
    expect(tty).toContain('…');
    const piped = eventTable([ev({ message: failure })], plain);
    expect(piped).toContain(failure);
  });
});
