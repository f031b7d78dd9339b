/**
 * EC2 emulator (ec2Query XML, API 2016-11-15) for `@stackfeed/emulator/ec2`: DescribeImages over an
 * {@link Ec2Store} of AMIs that appear at a given instant, with the filters pcluster uses
 * (`tag:<key>`, `tag-key`, `name`, `state`, `image-id`, `architecture`), `Owner.N`, `ImageId.N`,
 * `MaxResults`/`NextToken` paging, and EC2's XML error shape.
 * @packageDocumentation
 */
import { randomUUID } from 'node:crypto';
import { el, list } from '../cloudformation/xml.js';
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

/** One AMI as seeded. */
export interface AmiSeed {
  imageId: string;
  name: string;
  description?: string;
  /** EC2 `ImageState` literal, lower case (`available`, `pending`, …). */
  state?: string;
  architecture?: string;
  /** ISO string as EC2 sends it (default: `registeredAt`). */
  creationDate?: string;
  ownerId?: string;
  tags?: Record<string, string>;
  /** Visible from this instant (default: always). */
  registeredAt?: number;
  /** Gone (deregistered) from this instant. */
  deregisteredAt?: number;
}

/** The AMIs of one account and region. */
export class Ec2Store {
  readonly clock: Clock;
  readonly accountId: string;
  private readonly images: AmiSeed[] = [];

  constructor(opts: { clock: Clock; accountId?: string }) {
    this.clock = opts.clock;
    this.accountId = opts.accountId ?? '123456789012';
  }

  addImage(seed: AmiSeed): string {
    this.images.push(seed);
    return seed.imageId;
  }

  /** AMIs visible now, in registration order. */
  visible(now = this.clock.now()): AmiSeed[] {
    return this.images.filter(
      (i) =>
        (i.registeredAt ?? Number.NEGATIVE_INFINITY) <= now &&
        (i.deregisteredAt === undefined || i.deregisteredAt > now),
    );
  }
}

export interface Ec2HandlerOptions {
  /** Called before each request (e.g. to advance a scenario clock). */
  onRequest?: (req: EmulatorRequest) => void;
}

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

class Ec2Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** EC2's XML error body. */
export function ec2ErrorReply(code: string, message: string, status = 400): EmulatorReply {
  const requestId = randomUUID();
  return {
    status,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>${el('Code', code)}${el('Message', message)}</Error></Errors>${el('RequestID', requestId)}</Response>`,
  };
}

/** A harness fault answering with an EC2 error, e.g. `ec2Fault('RequestLimitExceeded', 'Request limit exceeded.', 503)`. */
export function ec2Fault(code: string, message = `injected ${code}`, status = 400): Fault {
  const r = ec2ErrorReply(code, message, status);
  return { kind: 'status', status: r.status, headers: r.headers as Record<string, string>, body: r.body };
}

function indexed(p: URLSearchParams, prefix: string): string[] {
  const out: Array<[number, string]> = [];
  const re = new RegExp(`^${prefix}\\.(\\d+)$`);
  for (const [k, v] of p) {
    const m = re.exec(k);
    if (m) out.push([Number(m[1]), v]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

function filtersOf(p: URLSearchParams): Array<{ name: string; values: string[] }> {
  const names = new Map<number, string>();
  for (const [k, v] of p) {
    const m = /^Filter\.(\d+)\.Name$/.exec(k);
    if (m) names.set(Number(m[1]), v);
  }
  return [...names.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([i, name]) => ({ name, values: indexed(p, `Filter\\.${i}\\.Value`) }));
}

const wildcard = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

function matches(img: AmiSeed, f: { name: string; values: string[] }): boolean {
  const any = (v: string | undefined) => v !== undefined && f.values.some((pat) => wildcard(pat).test(v));
  if (f.name.startsWith('tag:')) return any(img.tags?.[f.name.slice(4)]);
  switch (f.name) {
    case 'tag-key':
      return Object.keys(img.tags ?? {}).some((k) => any(k));
    case 'name':
      return any(img.name);
    case 'state':
      return any(img.state ?? 'available');
    case 'image-id':
      return any(img.imageId);
    case 'architecture':
      return any(img.architecture ?? 'x86_64');
    case 'owner-id':
      return any(img.ownerId);
    default:
      throw new Ec2Error(400, 'InvalidParameterValue', `The filter '${f.name}' is invalid`);
  }
}

function imageXml(img: AmiSeed, accountId: string): string {
  const created = img.creationDate ?? new Date(img.registeredAt ?? 0).toISOString();
  return [
    el('imageId', img.imageId),
    el('imageLocation', `${img.ownerId ?? accountId}/${img.name}`),
    el('imageState', img.state ?? 'available'),
    el('imageOwnerId', img.ownerId ?? accountId),
    el('creationDate', created),
    el('isPublic', false),
    el('architecture', img.architecture ?? 'x86_64'),
    el('imageType', 'machine'),
    el('name', img.name),
    el('description', img.description),
    el('rootDeviceType', 'ebs'),
    el('rootDeviceName', '/dev/xvda'),
    el('virtualizationType', 'hvm'),
    list('tagSet', 'item', Object.entries(img.tags ?? {}), ([k, v]) => el('key', k) + el('value', v)),
    el('hypervisor', 'xen'),
    el('enaSupport', true),
  ].join('');
}

/** The EC2 query handler (DescribeImages). */
export function createEc2Handler(store: Ec2Store, opts: Ec2HandlerOptions = {}): Handler {
  return (req) => {
    try {
      opts.onRequest?.(req);
      if (req.method !== 'POST') throw new Ec2Error(400, 'InvalidAction', 'EC2 query requests are POSTs here');
      if (!req.headers.authorization)
        throw new Ec2Error(401, 'AuthFailure', 'AWS was not able to validate the provided access credentials');
      const p = new URLSearchParams(req.body);
      const action = p.get('Action');
      if (p.get('Version') !== '2016-11-15')
        throw new Ec2Error(400, 'InvalidParameterValue', `Version ${p.get('Version')} is not 2016-11-15`);
      if (action !== 'DescribeImages')
        throw new Ec2Error(400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
      const owners = indexed(p, 'Owner');
      const ids = indexed(p, 'ImageId');
      const filters = filtersOf(p);
      const maxResults = p.get('MaxResults');
      const max = maxResults === null ? undefined : Number(maxResults);
      if (max !== undefined && (!Number.isInteger(max) || max < 5 || max > 1000))
        throw new Ec2Error(
          400,
          'InvalidParameterValue',
          'Value for parameter maxResults is invalid. Must be between 5 and 1000.',
        );
      let images = store.visible().filter((img) => {
        const owner = img.ownerId ?? store.accountId;
        if (owners.length > 0 && !owners.some((o) => o === owner || (o === 'self' && owner === store.accountId)))
          return false;
        if (ids.length > 0 && !ids.includes(img.imageId)) return false;
        return filters.every((f) => matches(img, f));
      });
      if (ids.length > 0) {
        const missing = ids.find((id) => !store.visible().some((i) => i.imageId === id));
        if (missing) throw new Ec2Error(400, 'InvalidAMIID.NotFound', `The image id '[${missing}]' does not exist`);
      }
      const token = p.get('NextToken');
      let start = 0;
      if (token) {
        const m = /^o(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
        if (!m) throw new Ec2Error(400, 'InvalidParameterValue', 'The token is invalid');
        start = Number(m[1]);
      }
      let next: string | undefined;
      if (max !== undefined) {
        if (start + max < images.length) next = Buffer.from(`o${start + max}`).toString('base64url');
        images = images.slice(start, start + max);
      }
      const requestId = randomUUID();
      return {
        status: 200,
        headers: { 'content-type': 'text/xml;charset=UTF-8' },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeImagesResponse xmlns="${NS}">${el('requestId', requestId)}${
          images.length > 0 ? list('imagesSet', 'item', images, (i) => imageXml(i, store.accountId)) : '<imagesSet/>'
        }${el('nextToken', next)}</DescribeImagesResponse>`,
      };
    } catch (err) {
      if (err instanceof Ec2Error) return ec2ErrorReply(err.code, err.message, err.status);
      return ec2ErrorReply('InternalError', String(err), 500);
    }
  };
}

/** Serve an Ec2Store on loopback. */
export async function startEc2Emulator(store: Ec2Store, opts: Ec2HandlerOptions = {}): Promise<EmulatorServer> {
  return startEmulator({ handler: createEc2Handler(store, opts) });
}
