/**
 * CloudWatch Logs emulator (awsJson1.1, `X-Amz-Target: Logs_20140328.<Op>`) for
 * `@stackfeed/emulator/cloudwatch-logs`: DescribeLogGroups, DescribeLogStreams and GetLogEvents over
 * a {@link LogsStore} whose events appear at their timestamps. GetLogEvents returns the token it was
 * given once the end of the stream is reached, as CloudWatch does.
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';

const pad = (n: number) => n.toString().padStart(56, '0');
import {
  type EmulatorReply,
  type EmulatorRequest,
  type EmulatorServer,
  type Fault,
  type Handler,
  startEmulator,
} from '../harness.js';

/** Where "now" comes from. */
export interface Clock {
  now(): number;
}

interface Stream {
  name: string;
  createdAt: number;
  events: Array<{ timestamp: number; message: string }>;
}
interface Group {
  name: string;
  createdAt: number;
  streams: Map<string, Stream>;
}

/** Log groups, streams and events of one account and region. */
export class LogsStore {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  private readonly groups = new Map<string, Group>();

  constructor(opts: { clock: Clock; region?: string; accountId?: string }) {
    this.clock = opts.clock;
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '123456789012';
  }

  addGroup(name: string, createdAt: number): void {
    if (!this.groups.has(name)) this.groups.set(name, { name, createdAt, streams: new Map() });
  }

  /** Add events (each visible from its timestamp) to a stream, creating group and stream as needed. */
  addEvents(group: string, stream: string, events: Array<{ timestamp: number; message: string }>): void {
    const first = events[0]?.timestamp ?? this.clock.now();
    this.addGroup(group, first);
    const g = this.groups.get(group) as Group;
    let s = g.streams.get(stream);
    if (!s) {
      s = { name: stream, createdAt: first, events: [] };
      g.streams.set(stream, s);
    }
    s.events.push(...events);
    s.events.sort((a, b) => a.timestamp - b.timestamp);
  }

  group(name: string, now = this.clock.now()): Group | undefined {
    const g = this.groups.get(name);
    return g && g.createdAt <= now ? g : undefined;
  }

  allGroups(now = this.clock.now()): Group[] {
    return [...this.groups.values()].filter((g) => g.createdAt <= now).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  arn(group: string, stream?: string): string {
    const base = `arn:aws:logs:${this.region}:${this.accountId}:log-group:${group}`;
    return stream === undefined ? `${base}:*` : `${base}:log-stream:${stream}`;
  }

  /** Events of a stream visible now. */
  visibleEvents(s: Stream, now = this.clock.now()): Array<{ timestamp: number; message: string }> {
    let n = 0;
    while (n < s.events.length && (s.events[n] as { timestamp: number }).timestamp <= now) n++;
    return s.events.slice(0, n);
  }
}

/** What GetLogEvents answers (CloudWatch semantics: forward/backward tokens, same token at the end). */
export function getLogEventsPage(
  store: LogsStore,
  q: {
    logGroupName: string;
    logStreamName: string;
    startTime?: number | undefined;
    endTime?: number | undefined;
    limit?: number | undefined;
    startFromHead?: boolean | undefined;
    nextToken?: string | undefined;
  },
): {
  events: Array<{ timestamp: number; message: string; ingestionTime: number }>;
  nextForwardToken: string;
  nextBackwardToken: string;
} {
  const g = store.group(q.logGroupName);
  if (!g) throw new LogsError('ResourceNotFoundException', 'The specified log group does not exist.');
  const s = g.streams.get(q.logStreamName);
  if (!s || s.createdAt > store.clock.now())
    throw new LogsError('ResourceNotFoundException', 'The specified log stream does not exist.');
  const limit = q.limit ?? 10_000;
  if (limit < 1 || limit > 10_000)
    throw new LogsError('InvalidParameterException', '1 validation error detected: limit');
  let events = store.visibleEvents(s).map((e, i) => ({ ...e, i }));
  if (q.startTime !== undefined) events = events.filter((e) => e.timestamp >= (q.startTime as number));
  if (q.endTime !== undefined) events = events.filter((e) => e.timestamp < (q.endTime as number));
  const token = q.nextToken;
  let page: typeof events;
  let fwd: number;
  let back: number;
  const first = () => (page[0] as { i: number }).i;
  const last = () => (page[page.length - 1] as { i: number }).i;
  if (token) {
    const m = /^([fb])\/(\d+)$/.exec(token);
    if (!m) throw new LogsError('InvalidParameterException', 'The specified nextToken is invalid.');
    const at = Number(m[2]);
    if (m[1] === 'f') {
      page = events.filter((e) => e.i >= at).slice(0, limit);
      fwd = page.length > 0 ? last() + 1 : at;
      back = page.length > 0 ? first() : at;
    } else {
      const before = events.filter((e) => e.i < at);
      page = before.slice(Math.max(0, before.length - limit));
      fwd = at;
      back = page.length > 0 ? first() : at;
    }
  } else if (q.startFromHead) {
    page = events.slice(0, limit);
    fwd = page.length > 0 ? last() + 1 : 0;
    back = page.length > 0 ? first() : 0;
  } else {
    page = events.slice(Math.max(0, events.length - limit));
    fwd = page.length > 0 ? last() + 1 : 0;
    back = page.length > 0 ? first() : 0;
  }
  // At the end of the stream CloudWatch hands back the token it was given.
  const nextForwardToken = token?.startsWith('f/') && page.length === 0 ? token : `f/${pad(fwd)}`;
  return {
    events: page.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.timestamp + 5 })),
    nextForwardToken,
    nextBackwardToken: `b/${pad(back)}`,
  };
}

/** A CloudWatch Logs error (`__type`, message). */
export class LogsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** CloudWatch Logs' JSON error body. */
export function logsErrorReply(type: string, message: string, status = 400): EmulatorReply {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify({ __type: type, message }),
  };
}

/** A harness fault answering with a CloudWatch Logs error, e.g. `logsFault('ThrottlingException')`. */
export function logsFault(type: string, message = `injected ${type}`, status = 400): Fault {
  const r = logsErrorReply(type, message, status);
  return { kind: 'status', status: r.status, headers: r.headers as Record<string, string>, body: r.body };
}

export interface LogsHandlerOptions {
  onRequest?: (req: EmulatorRequest) => void;
  /** Streams per DescribeLogStreams page (default 50, CloudWatch's default). */
  streamsPageSize?: number;
}

/** DescribeLogStreams of one group: its streams by name, `limit` (default `pageSize`) a page, offset tokens. */
function describeLogStreams(store: LogsStore, b: Record<string, unknown>, pageSize: number): Record<string, unknown> {
  const g = store.group(String(b.logGroupName ?? ''));
  if (!g) throw new LogsError('ResourceNotFoundException', 'The specified log group does not exist.');
  const size = typeof b.limit === 'number' ? b.limit : pageSize;
  const streams = [...g.streams.values()]
    .filter((s) => s.createdAt <= store.clock.now())
    .sort((a, c) => (a.name < c.name ? -1 : 1));
  const start = typeof b.nextToken === 'string' ? Number(Buffer.from(b.nextToken, 'base64url').toString()) : 0;
  if (!Number.isInteger(start)) throw new LogsError('InvalidParameterException', 'The specified nextToken is invalid.');
  const page = streams.slice(start, start + size);
  const out: Record<string, unknown> = {
    logStreams: page.map((s) => {
      const ev = store.visibleEvents(s);
      const o: Record<string, unknown> = {
        logStreamName: s.name,
        creationTime: s.createdAt,
        arn: store.arn(g.name, s.name),
        storedBytes: 0,
      };
      if (ev.length > 0) {
        o.firstEventTimestamp = (ev[0] as { timestamp: number }).timestamp;
        o.lastEventTimestamp = (ev[ev.length - 1] as { timestamp: number }).timestamp;
        o.lastIngestionTime = (ev[ev.length - 1] as { timestamp: number }).timestamp + 5;
      }
      return o;
    }),
  };
  if (start + size < streams.length) out.nextToken = Buffer.from(String(start + size)).toString('base64url');
  return out;
}

/** The CloudWatch Logs handler. */
export function createLogsHandler(store: LogsStore, opts: LogsHandlerOptions = {}): Handler {
  const reply = (body: unknown): EmulatorReply => ({
    status: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify(body),
  });
  const ops: Record<string, (b: Record<string, unknown>) => EmulatorReply> = {
    DescribeLogGroups(b) {
      const prefix = typeof b.logGroupNamePrefix === 'string' ? b.logGroupNamePrefix : '';
      const groups = store.allGroups().filter((g) => g.name.startsWith(prefix));
      return reply({
        logGroups: groups.map((g) => ({
          logGroupName: g.name,
          creationTime: g.createdAt,
          metricFilterCount: 0,
          arn: store.arn(g.name),
          logGroupArn: store.arn(g.name).slice(0, -2),
          storedBytes: 0,
          logGroupClass: 'STANDARD',
        })),
      });
    },
    DescribeLogStreams(b) {
      return reply(describeLogStreams(store, b, opts.streamsPageSize ?? 50));
    },
    GetLogEvents(b) {
      return reply(
        getLogEventsPage(store, {
          logGroupName: String(b.logGroupName ?? ''),
          logStreamName: String(b.logStreamName ?? ''),
          startTime: typeof b.startTime === 'number' ? b.startTime : undefined,
          endTime: typeof b.endTime === 'number' ? b.endTime : undefined,
          limit: typeof b.limit === 'number' ? b.limit : undefined,
          startFromHead: b.startFromHead === true,
          nextToken: typeof b.nextToken === 'string' ? b.nextToken : undefined,
        }),
      );
    },
  };
  return (req) => {
    try {
      opts.onRequest?.(req);
      if (!req.headers.authorization)
        throw new LogsError('MissingAuthenticationTokenException', 'Missing Authentication Token', 400);
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.startsWith('Logs_20140328.') ? target.slice('Logs_20140328.'.length) : '';
      const fn = ops[op];
      if (!fn) throw new LogsError('UnknownOperationException', `Unknown operation ${target}`);
      let body: Record<string, unknown>;
      try {
        body = req.body ? (JSON.parse(req.body) as Record<string, unknown>) : {};
      } catch {
        throw new LogsError('SerializationException', 'Could not parse the request body');
      }
      return fn(body);
    } catch (err) {
      if (err instanceof LogsError) return logsErrorReply(err.type, err.message, err.status);
      return logsErrorReply('ServiceUnavailableException', String(err), 500);
    }
  };
}

/** Serve a LogsStore on loopback. */
export async function startLogsEmulator(store: LogsStore, opts: LogsHandlerOptions = {}): Promise<EmulatorServer> {
  return startEmulator({ handler: createLogsHandler(store, opts) });
}
