/**
 * The contract (issue 14) beyond stack events, on spec-built fixtures: every documented status of
 * a stack, an image, an execution or a workflow step maps to a real state/phase (R-enum), a step
 * without a time is not an event and PENDING is not IN_PROGRESS (R-time), and a numeric string in
 * a string-typed time member is INVALID_RESPONSE (R-time).
 */
import type { ImageBuilderClient } from '@stackfeed/aws-imagebuilder';
import type { ParallelClusterClient } from '@stackfeed/aws-parallelcluster';
import { StackfeedError } from '@stackfeed/core';
import type { RfsClient } from '@stackfeed/huawei-rfs';
import type { HeatClient } from '@stackfeed/openstack-heat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  botoEnum,
  heatStackShowSample,
  heatStatuses,
  pcEnum,
  pcMinimalInstance,
  rfsEnums,
} from '../spec-fixtures/specs.js';
import { title } from './rules.js';
import { type LiveTarget, TARGETS, type TargetId } from './targets.js';

const UNKNOWN_LITERAL = 'ZZZ_NOVEL_STATUS';

interface StateCase {
  label: string;
  values: string[];
  /** Serve a record with `status`, read it back: its state (or phase) and status literal. */
  read(t: LiveTarget, status: string): Promise<{ state: string; status: string }>;
}

const serveOnce = async <T>(t: LiveTarget, path: string, body: unknown, call: () => Promise<T>): Promise<T> => {
  t.serveWhere((p) => p === path || p.endsWith(path), { body });
  try {
    return await call();
  } finally {
    t.restore();
  }
};

const IB_ARN = 'arn:aws:imagebuilder:us-east-1:123456789012:image/fixture/1.0.0/1';
const WF_ID = 'wf-00000000-0000-4000-8000-000000000001';

const stepsPage = (steps: Array<Record<string, unknown>>) => ({
  workflowExecutionId: WF_ID,
  imageBuildVersionArn: IB_ARN,
  workflowBuildVersionArn: 'arn:aws:imagebuilder:us-east-1:aws:workflow/build/build-image/1.0.0/1',
  steps,
});

const listSteps = (t: LiveTarget, steps: Array<Record<string, unknown>>) => {
  // The execution itself, should the client ask for it (e.g. for the workflow's own times).
  t.serveWhere((p) => p === '/GetWorkflowExecution', {
    body: {
      workflowExecutionId: WF_ID,
      imageBuildVersionArn: IB_ARN,
      workflowBuildVersionArn: 'arn:aws:imagebuilder:us-east-1:aws:workflow/build/build-image/1.0.0/1',
      type: 'BUILD',
      status: 'RUNNING',
      startTime: '2026-01-15T11:59:00.000Z',
    },
  });
  return serveOnce(t, '/ListWorkflowStepExecutions', stepsPage(steps), () =>
    (t.client as ImageBuilderClient).listWorkflowStepEvents(WF_ID).toArray({ limit: 1000 }),
  );
};

const HEAT_STACK_ID = '11111111-1111-4111-8111-111111111111';

const CASES: Partial<Record<TargetId, StateCase[]>> = {
  'openstack-heat': [
    {
      label: 'stack_status → StackInfo.state',
      values: heatStatuses(),
      read: async (t, status) => {
        const body = heatStackShowSample();
        const stack = body.stack as Record<string, unknown>;
        stack.stack_status = status;
        stack.stack_name = 'web';
        stack.id = HEAT_STACK_ID;
        const s = await serveOnce(t, `/stacks/web/${HEAT_STACK_ID}`, body, () =>
          (t.client as HeatClient).getStack({ name: 'web', id: HEAT_STACK_ID }),
        );
        return { state: s.state, status: s.status };
      },
    },
  ],
  'huawei-rfs': [
    {
      label: 'stack status → StackInfo.state',
      values: rfsEnums().stackStatuses,
      read: async (t, status) => {
        const s = await serveOnce(
          t,
          '/stacks/big/metadata',
          {
            stack_id: '00000000-0000-4000-8000-000000000001',
            stack_name: 'big',
            status,
            create_time: '2026-01-15T12:00:00Z',
            update_time: '2026-01-15T12:01:00Z',
          },
          () => (t.client as RfsClient).getStack('big'),
        );
        return { state: s.state, status: s.status };
      },
    },
  ],
  'pcluster-api': [
    {
      label: 'imageBuildStatus → ImageInfo.state',
      values: pcEnum('ImageBuildStatus'),
      read: async (t, status) => {
        const body = pcMinimalInstance('DescribeImageResponseContent', {
          imageId: 'img-conf',
          imageBuildStatus: status,
        });
        const i = await serveOnce(t, '/v3/images/custom/img-conf', body, () =>
          (t.client as ParallelClusterClient).describeImage('img-conf'),
        );
        return { state: i.state, status: i.status };
      },
    },
  ],
  'aws-imagebuilder': [
    {
      label: 'ImageStatus → ImageInfo.state',
      values: botoEnum('imagebuilder', 'ImageStatus'),
      read: async (t, status) => {
        const body = { image: { arn: IB_ARN, name: 'fixture', version: '1.0.0/1', state: { status } } };
        const i = await serveOnce(t, '/GetImage', body, () => (t.client as ImageBuilderClient).getImage(IB_ARN));
        return { state: i.state, status: i.status };
      },
    },
    {
      label: 'LifecycleExecutionStatus → ExecutionInfo.state',
      values: botoEnum('imagebuilder', 'LifecycleExecutionStatus'),
      read: async (t, status) => {
        const id = 'lce-00000000-0000-4000-8000-000000000001';
        const body = { lifecycleExecution: { lifecycleExecutionId: id, state: { status }, startTime: 1_768_478_400 } };
        const x = await serveOnce(t, '/GetLifecycleExecution', body, () =>
          (t.client as ImageBuilderClient).getLifecycleExecution(id),
        );
        return { state: x.state, status: x.status };
      },
    },
    {
      label: 'WorkflowStepExecutionStatus → StackEvent.phase',
      values: botoEnum('imagebuilder', 'WorkflowStepExecutionStatus'),
      read: async (t, status) => {
        const [ev] = await listSteps(t, [
          {
            stepExecutionId: 'step-00000000-0000-4000-8000-000000000001',
            name: 'BuildStep',
            action: 'RunCommand',
            status,
            startTime: '2026-01-15T12:00:00.000Z',
            endTime: '2026-01-15T12:00:30.000Z',
          },
        ]);
        if (!ev) throw new Error(`${status}: no event`);
        return { state: ev.phase, status: ev.status };
      },
    },
  ],
};

describe.each(TARGETS.filter((t) => CASES[t.id]).map((t) => [t.id, t] as const))('%s', (id, target) => {
  let t: LiveTarget;
  beforeAll(async () => {
    t = await target.start();
  });
  afterAll(async () => {
    await t?.close();
  });

  for (const c of CASES[id] ?? []) {
    it(title('enum', `${c.label}: every documented value is a real state (${c.values.length} values)`), async () => {
      const problems: string[] = [];
      for (const v of c.values) {
        try {
          const got = await c.read(t, v);
          if (got.state === 'UNKNOWN') problems.push(`${v}: UNKNOWN`);
          if (got.status !== v) problems.push(`${v}: status ${JSON.stringify(got.status)}`);
        } catch (err) {
          problems.push(`${v}: ${String(err)}`);
        }
      }
      expect(problems, problems.join(' | ')).toEqual([]);
    });

    it(title('enum', `${c.label}: an unknown literal is UNKNOWN with the literal kept`), async () => {
      expect(await c.read(t, UNKNOWN_LITERAL)).toEqual({ state: 'UNKNOWN', status: UNKNOWN_LITERAL });
    });
  }

  if (id === 'aws-imagebuilder') {
    it(
      title('time', 'a workflow step that has not started is not an event, and PENDING is not IN_PROGRESS'),
      async () => {
        const events = await listSteps(t, [
          {
            stepExecutionId: 'step-1',
            name: 'Done',
            action: 'RunCommand',
            status: 'COMPLETED',
            startTime: '2026-01-15T12:00:00.000Z',
            endTime: '2026-01-15T12:00:30.000Z',
          },
          { stepExecutionId: 'step-2', name: 'Waiting', action: 'RunCommand', status: 'PENDING' },
        ]);
        expect(events.map((e) => e.resource.name ?? e.status)).toEqual(['Done']);
        for (const e of events) expect(e.timestamp.getTime()).toBeGreaterThan(Date.UTC(2000, 0, 1));
        const pending = await listSteps(t, [
          {
            stepExecutionId: 'step-3',
            name: 'Queued',
            action: 'RunCommand',
            status: 'PENDING',
            startTime: '2026-01-15T12:00:00.000Z',
          },
        ]);
        expect(pending.map((e) => e.phase)).not.toContain('IN_PROGRESS');
      },
    );

    it(title('time', 'a numeric string in a step time is INVALID_RESPONSE naming it'), async () => {
      let err: unknown;
      try {
        await listSteps(t, [{ stepExecutionId: 'step-1', name: 'S', status: 'COMPLETED', startTime: '20260101' }]);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StackfeedError);
      const e = err as StackfeedError & { fieldPath?: string };
      expect(e.code).toBe('INVALID_RESPONSE');
      expect(`${e.fieldPath ?? ''} ${e.message}`).toContain('startTime');
    });
  }
});
