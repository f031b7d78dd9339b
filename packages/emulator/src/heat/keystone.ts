import { randomUUID } from 'node:crypto';
import type { EmulatorReply, EmulatorRequest } from '../harness.js';

/** Users of the emulated Keystone. */
export interface KeystoneOptions {
  users: Array<{
    name: string;
    password: string;
    project: string;
    projectId: string;
    /** Application credentials of this user (id + secret), scoped to its project. */
    applicationCredentials?: Array<{ id: string; name: string; secret: string }>;
  }>;
  ttlMs?: number;
}

type User = KeystoneOptions['users'][number];
type Identity = {
  methods?: string[];
  password?: { user?: { name?: string; password?: string } };
  token?: { id?: string };
  application_credential?: { id?: string; name?: string; secret?: string; user?: { name?: string } };
};

const unauthorized = (origin: string): EmulatorReply => ({
  status: 401,
  headers: { 'WWW-Authenticate': `Keystone uri="${origin}/v3"`, 'x-openstack-request-id': `req-${randomUUID()}` },
  body: { error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' } },
});

/** A Keystone v3 token endpoint and keystonemiddleware's token check, for a Heat emulator. */
export class EmulatedKeystone {
  readonly tokens = new Map<string, { projectId: string; expiresAt: number }>();
  /** Bodies of every `POST /v3/auth/tokens`, oldest first (secrets included: test-only). */
  readonly authRequests: unknown[] = [];
  tokensIssued = 0;

  constructor(private readonly opts: KeystoneOptions | undefined) {}

  get enabled(): boolean {
    return this.opts !== undefined;
  }

  /** keystonemiddleware: undefined when the request may pass. */
  check(req: EmulatorRequest, origin: string, fault403: () => EmulatorReply): EmulatorReply | undefined {
    if (!this.opts) return undefined;
    const t = req.headers['x-auth-token'];
    const tok = typeof t === 'string' ? this.tokens.get(t) : undefined;
    if (!tok || tok.expiresAt <= Date.now()) {
      return {
        status: 401,
        headers: { 'X-Openstack-Request-Id': `req-${randomUUID()}`, 'Www-Authenticate': `Keystone uri="${origin}/v3"` },
        body: {
          error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' },
        },
      };
    }
    return req.params.tenant !== tok.projectId ? fault403() : undefined;
  }

  private userOf(id: Identity | undefined): User | undefined {
    const users = this.opts?.users ?? [];
    const method = id?.methods?.[0];
    if (method === 'password') {
      const u = id?.password?.user;
      return users.find((x) => x.name === u?.name && x.password === u?.password);
    }
    if (method === 'token') {
      const t = this.tokens.get(id?.token?.id ?? '');
      return t && t.expiresAt > Date.now() ? users.find((x) => x.projectId === t.projectId) : undefined;
    }
    if (method === 'application_credential') {
      const c = id?.application_credential;
      return users.find((x) =>
        (x.applicationCredentials ?? []).some(
          (a) => a.secret === c?.secret && (a.id === c?.id || (a.name === c?.name && x.name === c?.user?.name)),
        ),
      );
    }
    return undefined;
  }

  /** `POST /v3/auth/tokens`. */
  issue(req: EmulatorRequest, origin: string): EmulatorReply {
    let body: { auth?: { identity?: Identity } };
    try {
      body = JSON.parse(req.body);
    } catch {
      return {
        status: 400,
        body: { error: { code: 400, title: 'Bad Request', message: 'Expecting to find auth in request body.' } },
      };
    }
    this.authRequests.push(body);
    const user = this.userOf(body.auth?.identity);
    if (!user) return unauthorized(origin);
    const token = `gAAAA${randomUUID().replace(/-/g, '')}${randomUUID().replace(/-/g, '')}`;
    const expiresAt = Date.now() + (this.opts?.ttlMs ?? 3_600_000);
    this.tokens.set(token, { projectId: user.projectId, expiresAt });
    this.tokensIssued++;
    return {
      status: 201,
      headers: { 'X-Subject-Token': token, 'x-openstack-request-id': `req-${randomUUID()}` },
      body: { token: tokenBody(user, expiresAt, origin) },
    };
  }
}

function tokenBody(user: User, expiresAt: number, origin: string) {
  const endpoint = (i: string, url: string) => ({ interface: i, region_id: 'RegionOne', region: 'RegionOne', url });
  return {
    methods: ['password'],
    user: { domain: { id: 'default', name: 'Default' }, id: `u-${user.name}`, name: user.name },
    expires_at: new Date(expiresAt).toISOString().replace('Z', '000Z'),
    issued_at: new Date().toISOString(),
    project: { domain: { id: 'default', name: 'Default' }, id: user.projectId, name: user.project },
    catalog: [
      { type: 'identity', name: 'keystone', endpoints: [endpoint('public', `${origin}/v3/`)] },
      {
        type: 'orchestration',
        name: 'heat',
        endpoints: ['public', 'internal', 'admin'].map((i) => endpoint(i, `${origin}/v1/${user.projectId}`)),
      },
    ],
  };
}
