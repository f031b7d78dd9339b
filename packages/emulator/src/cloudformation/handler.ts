import { randomUUID } from 'node:crypto';
import type { EmulatorReply, EmulatorRequest, Fault, Handler } from '../harness.js';
import { type CfnEvent, type CfnStore, type StackView, cfnEventMembers } from './store.js';
import { el, list, xml } from './xml.js';

/**
 * CloudFormation's awsQuery wire protocol (API 2010-05-15) over a {@link CfnStore}: POST form bodies
 * `Action=…&Version=2010-05-15&…`, XML answers `<XResponse><XResult>…</XResult><ResponseMetadata>`,
 * XML errors `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
 * Operations: DescribeStacks, DescribeStackEvents, DescribeStackResource, DescribeStackResources, ListStacks.
 */
export interface CloudFormationHandlerOptions {
  /** Events per DescribeStackEvents page (CloudFormation sends about 100). */
  eventsPageSize?: number;
  /** Stacks per DescribeStacks page (default 100). */
  stacksPageSize?: number;
  /** Summaries per ListStacks page (default 100). */
  listStacksPageSize?: number;
  /** Called before each request (e.g. to advance a scenario clock). */
  onRequest?: (req: EmulatorRequest) => void;
}

const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const XML_HEADERS = { 'content-type': 'text/xml' };

class QueryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

/** The XML error body CloudFormation sends. */
export function cloudFormationErrorReply(code: string, message: string, status = 400, type = 'Sender'): EmulatorReply {
  const requestId = randomUUID();
  return {
    status,
    headers: { ...XML_HEADERS, 'x-amzn-requestid': requestId },
    body: `<ErrorResponse xmlns="${NS}">${el('Error', xml(el('Type', type), el('Code', code), el('Message', message)))}${el('RequestId', requestId)}</ErrorResponse>`,
  };
}

/** A harness fault answering with a CloudFormation error, e.g. `cloudFormationFault('Throttling', 'Rate exceeded')`. */
export function cloudFormationFault(code: string, message = `injected ${code}`, status = 400): Fault {
  const r = cloudFormationErrorReply(code, message, status);
  return { kind: 'status', status: r.status, headers: r.headers as Record<string, string>, body: r.body };
}

function ok(action: string, result: string): EmulatorReply {
  const requestId = randomUUID();
  return {
    status: 200,
    headers: { ...XML_HEADERS, 'x-amzn-requestid': requestId },
    body: `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result>${el(
      'ResponseMetadata',
      xml(el('RequestId', requestId)),
    )}</${action}Response>`,
  };
}

const encodeToken = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
function decodeToken<T>(t: string): T {
  try {
    return JSON.parse(Buffer.from(t, 'base64url').toString('utf8')) as T;
  } catch {
    throw new QueryError(400, 'ValidationError', 'Invalid NextToken');
  }
}

function stackXml(v: StackView): string {
  return [
    el('StackId', v.id),
    el('StackName', v.name),
    el('Description', v.description),
    list('Parameters', 'member', Object.entries(v.parameters), ([k, val]) =>
      [el('ParameterKey', k), el('ParameterValue', val)].join(''),
    ),
    el('CreationTime', new Date(v.createdAt)),
    v.deletedAt !== undefined ? el('DeletionTime', new Date(v.deletedAt)) : '',
    v.lastUpdatedAt !== undefined ? el('LastUpdatedTime', new Date(v.lastUpdatedAt)) : '',
    el('StackStatus', v.status),
    el('StackStatusReason', v.reason),
    el('DisableRollback', false),
    list('Tags', 'member', Object.entries(v.tags), ([k, val]) => [el('Key', k), el('Value', val)].join('')),
    el('ParentId', v.parentId),
    el('RootId', v.rootId),
  ].join('');
}

function eventXml(e: CfnEvent): string {
  return cfnEventMembers(e)
    .map(([name, value]) => el(name, value))
    .join('');
}

/** `StackStatusFilter.member.1=…` → values. */
function members(params: URLSearchParams, prefix: string): string[] {
  const out: Array<[number, string]> = [];
  for (const [k, v] of params) {
    const m = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.member\\.(\\d+)$`).exec(k);
    if (m) out.push([Number(m[1]), v]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** One page of `items` at the offset `NextToken` holds, and the token of the next page. */
function offsetPage<T>(items: T[], token: string | null, size: number): { page: T[]; next: string | undefined } {
  const start = token ? decodeToken<{ o: number }>(token).o : 0;
  const next = start + size < items.length ? encodeToken({ o: start + size }) : undefined;
  return { page: items.slice(start, start + size), next };
}

/** DescribeStacks: one stack by `StackName`, else every stack but deleted ones, a page at a time. */
function describeStacks(store: CfnStore, p: URLSearchParams, pageSize: number): EmulatorReply {
  const name = p.get('StackName');
  if (name) {
    const st = store.find(name);
    const v = st ? store.view(st) : undefined;
    if (!v) throw new QueryError(400, 'ValidationError', `Stack with id ${name} does not exist`);
    return ok('DescribeStacks', el('Stacks', xml(el('member', xml(stackXml(v))))));
  }
  const live: StackView[] = [];
  for (const st of store.allStacks()) {
    const v = store.view(st);
    if (v && v.status !== 'DELETE_COMPLETE') live.push(v);
  }
  const { page, next } = offsetPage(live, p.get('NextToken'), pageSize);
  return ok(
    'DescribeStacks',
    (page.length > 0 ? list('Stacks', 'member', page, stackXml) : '<Stacks/>') + el('NextToken', next),
  );
}

/** DescribeStackEvents: one page of a stack's events, newest first. */
function describeStackEvents(store: CfnStore, p: URLSearchParams, pageSize: number): EmulatorReply {
  const name = p.get('StackName');
  if (!name) throw new QueryError(400, 'ValidationError', 'StackName is required');
  const st = store.find(name);
  if (!st) throw new QueryError(400, 'ValidationError', `Stack [${name}] does not exist`);
  let page: { events: CfnEvent[]; next?: string };
  try {
    page = store.eventsPage(st, p.get('NextToken') ?? undefined, pageSize);
  } catch {
    throw new QueryError(400, 'ValidationError', 'Invalid NextToken');
  }
  return ok('DescribeStackEvents', list('StackEvents', 'member', page.events, eventXml) + el('NextToken', page.next));
}

/** DescribeStackResource: one resource of a stack by logical id. */
function describeStackResource(store: CfnStore, p: URLSearchParams): EmulatorReply {
  const name = p.get('StackName') ?? '';
  const logical = p.get('LogicalResourceId') ?? '';
  const st = store.find(name);
  if (!st) throw new QueryError(400, 'ValidationError', `Stack '${name}' does not exist`);
  const r = store.resources(st).find((x) => x.logicalId === logical);
  if (!r) throw new QueryError(400, 'ValidationError', `Resource ${logical} does not exist for stack ${name}`);
  return ok(
    'DescribeStackResource',
    el(
      'StackResourceDetail',
      xml(
        el('StackName', st.name),
        el('StackId', st.id),
        el('LogicalResourceId', r.logicalId),
        el('PhysicalResourceId', r.physicalId),
        el('ResourceType', r.type),
        el('LastUpdatedTimestamp', new Date(r.updatedAt)),
        el('ResourceStatus', r.status),
        el('ResourceStatusReason', r.reason),
      ),
    ),
  );
}

/** DescribeStackResources: a stack's resources (or the one `LogicalResourceId` names). */
function describeStackResources(store: CfnStore, p: URLSearchParams): EmulatorReply {
  const name = p.get('StackName') ?? '';
  const st = store.find(name);
  if (!st) throw new QueryError(400, 'ValidationError', `Stack with id ${name} does not exist`);
  const logical = p.get('LogicalResourceId');
  const resources = store.resources(st).filter((r) => !logical || r.logicalId === logical);
  return ok(
    'DescribeStackResources',
    list('StackResources', 'member', resources, (r) =>
      [
        el('StackName', st.name),
        el('StackId', st.id),
        el('LogicalResourceId', r.logicalId),
        el('PhysicalResourceId', r.physicalId),
        el('ResourceType', r.type),
        el('Timestamp', new Date(r.updatedAt)),
        el('ResourceStatus', r.status),
        el('ResourceStatusReason', r.reason),
      ].join(''),
    ),
  );
}

/** ListStacks: every stack, deleted ones too, newest first, filtered by `StackStatusFilter`. */
function listStacks(store: CfnStore, p: URLSearchParams, pageSize: number): EmulatorReply {
  const filter = new Set(members(p, 'StackStatusFilter'));
  const all: StackView[] = [];
  for (const st of store.allStacks()) {
    const v = store.view(st);
    if (v && (filter.size === 0 || filter.has(v.status))) all.push(v);
  }
  all.reverse(); // newest first
  const { page, next } = offsetPage(all, p.get('NextToken'), pageSize);
  return ok(
    'ListStacks',
    list('StackSummaries', 'member', page, (v) =>
      [
        el('StackId', v.id),
        el('StackName', v.name),
        el('TemplateDescription', v.description),
        el('CreationTime', new Date(v.createdAt)),
        v.lastUpdatedAt !== undefined ? el('LastUpdatedTime', new Date(v.lastUpdatedAt)) : '',
        v.deletedAt !== undefined ? el('DeletionTime', new Date(v.deletedAt)) : '',
        el('StackStatus', v.status),
        el('StackStatusReason', v.reason),
        el('ParentId', v.parentId),
        el('RootId', v.rootId),
      ].join(''),
    ) + el('NextToken', next),
  );
}

/** The CloudFormation query handler. */
export function createCloudFormationHandler(store: CfnStore, opts: CloudFormationHandlerOptions = {}): Handler {
  const eventsPage = opts.eventsPageSize ?? 100;
  const stacksPage = opts.stacksPageSize ?? 100;
  const summariesPage = opts.listStacksPageSize ?? 100;

  const actions: Record<string, (p: URLSearchParams) => EmulatorReply> = {
    DescribeStacks: (p) => describeStacks(store, p, stacksPage),
    DescribeStackEvents: (p) => describeStackEvents(store, p, eventsPage),
    DescribeStackResource: (p) => describeStackResource(store, p),
    DescribeStackResources: (p) => describeStackResources(store, p),
    ListStacks: (p) => listStacks(store, p, summariesPage),
  };

  return (req) => {
    try {
      opts.onRequest?.(req);
      if (req.method !== 'POST') throw new QueryError(400, 'InvalidAction', 'CloudFormation query requests are POSTs');
      if (!req.headers.authorization)
        throw new QueryError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
      const p = new URLSearchParams(req.body);
      const action = p.get('Action') ?? '';
      if (p.get('Version') !== '2010-05-15')
        throw new QueryError(400, 'InvalidParameterValue', `Version ${p.get('Version')} is not 2010-05-15`);
      const fn = actions[action];
      if (!fn) throw new QueryError(400, 'InvalidAction', `Could not find operation ${action} for version 2010-05-15`);
      return fn(p);
    } catch (err) {
      if (err instanceof QueryError) return cloudFormationErrorReply(err.code, err.message, err.status, err.type);
      return cloudFormationErrorReply('InternalFailure', String(err), 500, 'Receiver');
    }
  };
}
