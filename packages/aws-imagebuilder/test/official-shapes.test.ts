/**
 * Issue 14: required-ness follows the official model. Every list output is built at test time from
 * the Image Builder model in ../shared/specs (all members filled, strings from their enums), then
 * each member of a list item, at every depth, is removed in turn, and finally all of them: no page
 * may fail INVALID_RESPONSE (the model marks every member optional). Real SDK client, loopback server.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StackfeedError } from '@stackfeed/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageBuilderClient } from '../src/index.js';
import { CREDS } from './helpers.js';

interface Shape {
  type: string;
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  value?: { shape: string };
  enum?: string[];
}
const here = dirname(fileURLToPath(import.meta.url));
const model = JSON.parse(
  readFileSync(resolve(here, '../../../../shared/specs/imagebuilder/service-2.json'), 'utf8'),
) as {
  shapes: Record<string, Shape>;
  operations: Record<string, { output: { shape: string } }>;
};

const LCE = 'lce-00000000-0000-4000-8000-000000000001';
const WF = 'wf-00000000-0000-4000-8000-000000000002';
const ARN = 'arn:aws:imagebuilder:us-east-1:123456789012:image/recipe/1.0.0/1';

/** A filled example of a shape, as rest-json sends it (timestamps as epoch seconds). */
function example(name: string, depth = 0): unknown {
  const s = model.shapes[name] as Shape;
  switch (s.type) {
    case 'structure': {
      const o: Record<string, unknown> = {};
      if (depth > 8) return o;
      for (const [k, m] of Object.entries(s.members ?? {})) if (k !== 'nextToken') o[k] = example(m.shape, depth + 1);
      return o;
    }
    case 'list':
      return [example((s.member as { shape: string }).shape, depth + 1)];
    case 'map':
      return { key: example((s.value as { shape: string }).shape, depth + 1) };
    case 'string':
      if (s.enum) return s.enum[0];
      if (name === 'DateTime') return '2026-01-15T12:00:00.000Z';
      if (/LifecycleExecutionId/.test(name)) return LCE;
      if (/WorkflowExecutionId/.test(name)) return WF;
      if (/Arn$/.test(name)) return ARN;
      return 'ami-0123456789abcdef0';
    case 'timestamp':
      return 1_768_478_400;
    case 'integer':
    case 'long':
      return 1;
    case 'boolean':
      return true;
    default:
      return 'x';
  }
}

/** Every path to a member inside the first list item of `listKey`, depth first. */
function memberPaths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.length ? memberPaths(value[0], [...prefix, 0]) : [];
  if (value === null || typeof value !== 'object') return [];
  const out: Array<Array<string | number>> = [];
  for (const [k, v] of Object.entries(value)) {
    out.push([...prefix, k]);
    out.push(...memberPaths(v, [...prefix, k]));
  }
  return out;
}

function without(doc: unknown, path: Array<string | number>): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const p of path.slice(0, -1)) at = at[p] as Record<string | number, unknown>;
  delete at[path[path.length - 1] as string | number];
  return copy;
}

let body: unknown = {};
let server: Server;
let client: ImageBuilderClient;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new ImageBuilderClient({
    region: 'us-east-1',
    endpoint: url,
    credentials: CREDS,
    retry: { maxAttempts: 1 },
  });
});
afterAll(async () => {
  client.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const cases: Array<{ op: string; listKey: string; call: () => Promise<unknown[]> }> = [
  {
    op: 'ListLifecycleExecutionResources',
    listKey: 'resources',
    call: () => client.listLifecycleExecutionEvents(LCE).toArray({ limit: 5 }),
  },
  {
    op: 'ListLifecycleExecutions',
    listKey: 'lifecycleExecutions',
    call: () => client.listLifecycleExecutions(ARN).toArray({ limit: 5 }),
  },
  {
    op: 'ListImages',
    listKey: 'imageVersionList',
    call: () => client.listImages({ withBuildState: false }).toArray({ limit: 5 }),
  },
  {
    op: 'ListImageBuildVersions',
    listKey: 'imageSummaryList',
    call: () => client.listImageBuildVersions().toArray({ limit: 5 }),
  },
  {
    op: 'ListWorkflowExecutions',
    listKey: 'workflowExecutions',
    call: () => client.listWorkflowExecutions(ARN).toArray({ limit: 5 }),
  },
  {
    op: 'ListWorkflowStepExecutions',
    listKey: 'steps',
    call: () => client.listWorkflowStepEvents(WF).toArray({ limit: 5 }),
  },
];

describe('every optional member of the official list shapes may be missing', () => {
  for (const c of cases) {
    it(`${c.op}: each member removed, then all of them`, async () => {
      const full = example(model.operations[c.op]?.output.shape as string) as Record<string, unknown>;
      const paths = memberPaths(full[c.listKey], [c.listKey]);
      expect(paths.length).toBeGreaterThan(3);
      body = full;
      expect((await c.call()).length).toBe(1);
      const failures: string[] = [];
      for (const path of [...paths, [c.listKey, 0]]) {
        body = path.length === 2 ? { ...full, [c.listKey]: [{}] } : without(full, path);
        try {
          await c.call();
        } catch (err) {
          failures.push(
            `${path.join('.')}: ${StackfeedError.is(err) ? `${err.code} ${err.fieldPath ?? ''}` : String(err)}`,
          );
        }
      }
      expect(failures).toEqual([]);
    });
  }
});
