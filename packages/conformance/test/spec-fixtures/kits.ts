/**
 * Spec-built wire fixtures, one kit per provider target: event records in the provider's own
 * member names, built at test time from the official shapes in ../shared/specs (member lists,
 * required members, enums). The values are ours; nothing here comes from a client's tables.
 */
import type { TargetId, WirePage } from '../contract/targets.js';
import {
  botoEnum,
  botoStructure,
  heatListEventSample,
  heatStatuses,
  pcEnum,
  rfsEnums,
  rfsEventsExample,
} from './specs.js';

type Json = Record<string, unknown>;

export interface FixtureKit {
  /** Statuses the official specs document for this listing's events. */
  statuses: string[];
  /** Statuses documented for hook events (CloudFormation), put in the hook status member alone. */
  hookStatuses?: string[];
  /** A record with every member the official shape has (hook members aside), for event #i. */
  full(i: number, status: string, at: Date): Json;
  /** The same event with every optional member removed. */
  minimal(i: number, at: Date): Json;
  /** Members the official model requires (the ones whose absence is INVALID_RESPONSE). */
  required: string[];
  /** The time member(s) of a record. */
  timeMembers: string[];
  /** Put `status` in a hook-only event. */
  hook?(i: number, hookStatus: string, at: Date): Json;
  /** The time as this wire writes it. */
  time(at: Date): unknown;
  page(records: Json[]): WirePage;
}

const isoSeconds = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

// ------------------------------------------------------------------------------------------

const heatKit: FixtureKit = {
  statuses: heatStatuses(),
  required: ['id', 'event_time', 'resource_status'],
  timeMembers: ['event_time'],
  time: isoSeconds,
  full(i, status, at) {
    const e = heatListEventSample();
    e.id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    e.event_time = isoSeconds(at);
    e.resource_status = status;
    e.resource_name = `res${i}`;
    e.logical_resource_id = `res${i}`;
    e.physical_resource_id = `phys-${i}`;
    e.resource_status_reason = `reason ${i}`;
    return e;
  },
  minimal(i, at) {
    // The api-ref's sample sends physical_resource_id as null: that is what "optional" means here.
    const sample = heatListEventSample();
    const e = heatKit.full(i, 'CREATE_COMPLETE', at);
    for (const [k, v] of Object.entries(sample)) if (v === null) e[k] = null;
    return e;
  },
  page: (records) => ({ body: { events: records } }),
};

// ------------------------------------------------------------------------------------------

function rfsFull(i: number, status: string, at: Date): Json {
  // Every member the constructed SDK-model example carries, with our values.
  const members = new Set(rfsEventsExample().stack_events.flatMap((e) => Object.keys(e)));
  const e: Json = {};
  for (const m of members) e[m] = `${m}-${i}`;
  e.event_type = status;
  e.time = isoSeconds(at);
  e.resource_type = 'huaweicloud_vpc';
  e.resource_name = `res${i}`;
  e.elapsed_seconds = i;
  e.event_message = `message ${i}`;
  if (members.has('resource_key')) e.resource_key = String(i);
  return e;
}

const rfsKit: FixtureKit = {
  statuses: rfsEnums().eventTypes,
  // The Go SDK model marks every StackEvent member optional (`omitempty`).
  required: [],
  timeMembers: ['time'],
  time: isoSeconds,
  full: rfsFull,
  minimal: () => ({}),
  page: (records) => ({ body: { stack_events: records, page_info: { current_count: records.length } } }),
};

// ------------------------------------------------------------------------------------------
// CloudFormation's StackEvent (direct mode: PascalCase XML; API mode: the same keys, camelCase JSON)

const CFN_EVENT = botoStructure('cloudformation', 'StackEvent');
const HOOK_MEMBERS = Object.keys(CFN_EVENT.members).filter((m) => m.startsWith('Hook'));

function cfnFull(i: number, status: string, at: Date): Json {
  const e: Json = {};
  for (const m of Object.keys(CFN_EVENT.members)) {
    if (HOOK_MEMBERS.includes(m)) continue;
    e[m] = `${m}-${i}`;
  }
  e.StackId = 'arn:aws:cloudformation:us-east-1:123456789012:stack/fixture/00000000-0000-4000-8000-000000000001';
  e.StackName = 'fixture';
  e.EventId = `evt-${i}`;
  e.LogicalResourceId = `Res${i}`;
  e.ResourceType = 'AWS::EC2::Instance';
  e.ResourceStatus = status;
  e.Timestamp = at.toISOString();
  if ('DetailedStatus' in e) e.DetailedStatus = undefined;
  if ('ResourceProperties' in e) e.ResourceProperties = '{}';
  return e;
}

function cfnMinimal(i: number, at: Date): Json {
  const full = cfnFull(i, 'CREATE_COMPLETE', at);
  return Object.fromEntries(CFN_EVENT.required.map((m) => [m, full[m]]));
}

function cfnHook(i: number, hookStatus: string, at: Date): Json {
  const e = cfnMinimal(i, at);
  e.LogicalResourceId = `Res${i}`;
  e.ResourceType = 'AWS::EC2::Instance';
  e.HookType = 'Private::Guard::Hook';
  e.HookStatus = hookStatus;
  e.HookInvocationPoint = 'PRE_PROVISION';
  e.HookFailureMode = 'FAIL';
  return e;
}

const clean = (e: Json) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined));
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const cfnStatuses = () => [...new Set([...botoEnum('cloudformation', 'ResourceStatus')])];

const directKit: FixtureKit = {
  statuses: cfnStatuses(),
  hookStatuses: botoEnum('cloudformation', 'HookStatus'),
  required: CFN_EVENT.required,
  timeMembers: ['Timestamp'],
  time: (d) => d.toISOString(),
  full: (i, s, at) => clean(cfnFull(i, s, at)),
  minimal: cfnMinimal,
  hook: cfnHook,
  page(records) {
    const members = records
      .map(
        (r) =>
          `<member>${Object.entries(r)
            .map(([k, v]) => `<${k}>${xmlEscape(String(v))}</${k}>`)
            .join('')}</member>`,
      )
      .join('');
    return {
      headers: { 'content-type': 'text/xml' },
      body: `<DescribeStackEventsResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStackEventsResult><StackEvents>${members}</StackEvents></DescribeStackEventsResult><ResponseMetadata><RequestId>00000000-0000-4000-8000-00000000000f</RequestId></ResponseMetadata></DescribeStackEventsResponse>`,
    };
  },
};

const camel = (e: Json) => Object.fromEntries(Object.entries(e).map(([k, v]) => [lowerFirst(k), v]));

const apiKit: FixtureKit = {
  statuses: [...new Set([...pcEnum('CloudFormationResourceStatus'), ...cfnStatuses()])],
  hookStatuses: botoEnum('cloudformation', 'HookStatus'),
  required: CFN_EVENT.required.map(lowerFirst),
  timeMembers: ['timestamp'],
  time: (d) => d.toISOString(),
  full: (i, s, at) => clean(camel(cfnFull(i, s, at))),
  minimal: (i, at) => camel(cfnMinimal(i, at)),
  hook: (i, s, at) => camel(cfnHook(i, s, at)),
  page: (records) => ({ body: { events: records } }),
};

// ------------------------------------------------------------------------------------------
// Image Builder ListLifecycleExecutionResources (every member optional in the model)

const IB_RESOURCE = botoStructure('imagebuilder', 'LifecycleExecutionResource');

const ibKit: FixtureKit = {
  statuses: botoEnum('imagebuilder', 'LifecycleExecutionResourceStatus'),
  required: IB_RESOURCE.required,
  timeMembers: ['startTime', 'endTime'],
  // restJson1 timestamps are epoch seconds.
  time: (d) => d.getTime() / 1000,
  full(i, status, at) {
    return {
      accountId: '123456789012',
      resourceId: `ami-${String(i).padStart(17, '0')}`,
      state: { status, reason: `reason ${i}` },
      action: { name: botoEnum('imagebuilder', 'LifecycleExecutionResourceActionName')[0], reason: 'policy' },
      region: 'us-east-1',
      snapshots: [{ snapshotId: `snap-${i}`, state: { status } }],
      imageUris: [],
      startTime: at.getTime() / 1000 - 30,
      endTime: at.getTime() / 1000,
    };
  },
  minimal: () => ({}),
  page: (records) => ({
    body: {
      lifecycleExecutionId: 'lce-00000000-0000-4000-8000-000000000001',
      lifecycleExecutionState: { status: 'SUCCESS' },
      resources: records,
    },
  }),
};

export const KITS: Record<TargetId, FixtureKit> = {
  'openstack-heat': heatKit,
  'huawei-rfs': rfsKit,
  'pcluster-api': apiKit,
  'pcluster-direct': directKit,
  'aws-imagebuilder': ibKit,
};
