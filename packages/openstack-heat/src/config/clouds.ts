import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { StackfeedError } from '@stackfeed/core';
import type { EndpointInterface, HeatAuth } from '../auth/types.js';

/**
 * `yaml` is needed only when a clouds.yaml file is read, so it is loaded then (synchronously: the
 * config loader is sync), not when the adapter is imported: ≈ 60–90 ms of cold start otherwise.
 */
let yamlParse: ((text: string) => unknown) | undefined;
function parseYaml(text: string): unknown {
  yamlParse ??= (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse;
  return yamlParse(text);
}

/** Where and how to look for OpenStack configuration. Everything defaults to the process's own. */
export interface LoadConfigOptions {
  /** Cloud name in clouds.yaml (default: `OS_CLOUD`). */
  cloud?: string | undefined;
  /** Environment to read `OS_*` from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Current directory, first place searched (default `process.cwd()`). */
  cwd?: string | undefined;
  /** Home directory (default `os.homedir()`). */
  homeDir?: string | undefined;
  /** Replace the whole search path (directories), e.g. in tests. */
  searchDirs?: readonly string[] | undefined;
}

/** The resolved settings a HeatClient is built from. */
export interface ResolvedCloudConfig {
  /** Which cloud was used: its clouds.yaml name, or `envvars` for `OS_*` variables. */
  cloudName: string;
  /** The file it came from, if any. */
  configFile?: string | undefined;
  auth: HeatAuth;
  endpoint?: string | undefined;
  region?: string | undefined;
  interface?: EndpointInterface | undefined;
  /** PEM contents of `cacert`. */
  ca?: string | undefined;
  insecure?: boolean | undefined;
}

const FILE_NAMES = ['clouds.yaml', 'clouds.yml', 'clouds.json'];
const SECURE_NAMES = ['secure.yaml', 'secure.yml', 'secure.json'];
/** OS_* variables that select a cloud but do not make an `envvars` cloud on their own (openstacksdk). */
const SELECTOR_VARS = new Set([
  'OS_CLOUD',
  'OS_REGION_NAME',
  'OS_CLIENT_CONFIG_FILE',
  'OS_CLIENT_SECURE_FILE',
  'OS_CLOUD_NAME',
]);
/** Keys that belong under `auth:` (openstacksdk moves them there from the top level, as OS_* gives them). */
const AUTH_KEYS = new Set([
  'auth_url',
  'username',
  'user_id',
  'password',
  'project_name',
  'project_id',
  'tenant_name',
  'tenant_id',
  'user_domain_name',
  'user_domain_id',
  'project_domain_name',
  'project_domain_id',
  'domain_name',
  'domain_id',
  'token',
  'application_credential_id',
  'application_credential_name',
  'application_credential_secret',
  'endpoint',
  'system_scope',
]);

type Dict = Record<string, unknown>;

/**
 * The directories searched, in order, like openstacksdk: the current directory,
 * `$XDG_CONFIG_HOME/openstack`, `~/.config/openstack`, `/etc/xdg/openstack`, `/etc/openstack`.
 */
export function configSearchDirs(opts: LoadConfigOptions = {}): string[] {
  if (opts.searchDirs) return [...opts.searchDirs];
  const env = opts.env ?? process.env;
  const home = opts.homeDir ?? homedir();
  const dirs = [opts.cwd ?? process.cwd()];
  if (env.XDG_CONFIG_HOME) dirs.push(join(env.XDG_CONFIG_HOME, 'openstack'));
  dirs.push(join(home, '.config', 'openstack'));
  const site = (env.XDG_CONFIG_DIRS ?? '/etc/xdg').split(':')[0] || '/etc/xdg';
  dirs.push(join(site, 'openstack'), '/etc/openstack');
  return [...new Set(dirs)];
}

function firstExisting(
  explicit: string | undefined,
  dirs: readonly string[],
  names: readonly string[],
): string | undefined {
  const candidates = [...(explicit ? [explicit] : []), ...dirs.flatMap((d) => names.map((n) => join(d, n)))];
  return candidates.find((p) => existsSync(p));
}

function readConfigFile(path: string): Dict {
  let data: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    data = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new StackfeedError({
      code: 'CONFIG',
      provider: 'openstack-heat',
      message: `cannot read ${path}: ${(e as Error).message}`,
      cause: e,
    });
  }
  if (data == null) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new StackfeedError({ code: 'CONFIG', provider: 'openstack-heat', message: `${path} is not a mapping` });
  }
  return data as Dict;
}

function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge, `b` wins (secure.yaml over clouds.yaml). */
function merge(a: Dict, b: Dict): Dict {
  const out: Dict = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isDict(v) && isDict(out[k]) ? merge(out[k] as Dict, v) : v;
  return out;
}

/** Keys as openstacksdk normalizes them: `-` → `_`, auth keys moved under `auth`. */
function normalize(cloud: Dict): Dict {
  const out: Dict = {};
  const auth: Dict = {};
  for (const [k, v] of Object.entries(cloud)) {
    const key = k.replace(/-/g, '_');
    if (key === 'auth' && isDict(v)) {
      for (const [ak, av] of Object.entries(v)) auth[ak.replace(/-/g, '_')] = av;
    } else out[key] = v;
  }
  for (const [k, v] of Object.entries(out)) {
    if (AUTH_KEYS.has(k) && auth[k] === undefined) {
      auth[k] = v;
      delete out[k];
    }
  }
  // Legacy v2 names.
  auth.project_name ??= auth.tenant_name;
  auth.project_id ??= auth.tenant_id;
  out.auth = auth;
  return out;
}

/** Every `OS_FOO` (but OS_TEST*, OS_STD*, OS_LOG* and the selectors) as key `foo`, or undefined when none. */
function envCloud(env: Readonly<Record<string, string | undefined>>): Dict | undefined {
  const out: Dict = {};
  let any = false;
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith('OS_') || v === undefined || v === '') continue;
    if (/^OS_(TEST|STD|LOG)/.test(k)) continue;
    out[k.slice(3).toLowerCase()] = v;
    if (!SELECTOR_VARS.has(k)) any = true;
  }
  return any ? out : undefined;
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
const bool = (v: unknown): boolean | undefined =>
  typeof v === 'boolean' ? v : typeof v === 'string' ? /^(1|true|yes|on)$/i.test(v) : undefined;

/**
 * Resolve OpenStack settings the way openstacksdk does: `clouds.yaml` (first found on the search
 * path, or `OS_CLIENT_CONFIG_FILE`) merged with `secure.yaml`; the cloud named by `cloud` /
 * `OS_CLOUD`; else the `envvars` cloud made from `OS_*` variables; else the only cloud in the file.
 */
export function loadCloudConfig(opts: LoadConfigOptions = {}): ResolvedCloudConfig {
  const env = opts.env ?? process.env;
  const dirs = configSearchDirs(opts);
  const file = firstExisting(env.OS_CLIENT_CONFIG_FILE, dirs, FILE_NAMES);
  const secureFile = firstExisting(env.OS_CLIENT_SECURE_FILE, dirs, SECURE_NAMES);
  let doc: Dict = file ? readConfigFile(file) : {};
  if (secureFile) doc = merge(doc, readConfigFile(secureFile));
  const clouds: Dict = isDict(doc.clouds) ? doc.clouds : {};
  const envName = env.OS_CLOUD_NAME || 'envvars';
  const fromEnv = envCloud(env);

  const wanted = opts.cloud ?? (env.OS_CLOUD || undefined);
  let name: string;
  let raw: Dict;
  let source: string | undefined;
  if (wanted !== undefined) {
    if (isDict(clouds[wanted])) {
      name = wanted;
      raw = clouds[wanted] as Dict;
      source = file;
    } else if (wanted === envName && fromEnv) {
      name = envName;
      raw = fromEnv;
    } else {
      const known = Object.keys(clouds);
      throw new StackfeedError({
        code: 'CONFIG',
        provider: 'openstack-heat',
        message: `cloud "${wanted}" is not defined${file ? ` in ${file}` : ' (no clouds.yaml found)'}${known.length ? `; known clouds: ${known.join(', ')}` : ''}`,
      });
    }
  } else if (fromEnv) {
    name = envName;
    raw = fromEnv;
  } else {
    const names = Object.keys(clouds);
    if (names.length !== 1) {
      throw new StackfeedError({
        code: 'CONFIG',
        provider: 'openstack-heat',
        message:
          names.length === 0
            ? `no OpenStack configuration: set OS_CLOUD with a clouds.yaml (searched ${dirs.join(', ')}), or OS_AUTH_URL and friends, or pass options`
            : `several clouds in ${file}; choose one with OS_CLOUD (${names.join(', ')})`,
      });
    }
    name = names[0] as string;
    raw = clouds[name] as Dict;
    source = file;
  }
  const cloud = normalize(raw);
  // Region from OS_REGION_NAME when the cloud does not set one.
  if (cloud.region_name === undefined && env.OS_REGION_NAME) cloud.region_name = env.OS_REGION_NAME;
  return { cloudName: name, configFile: source, ...toSettings(cloud) };
}

function toSettings(cloud: Dict): Omit<ResolvedCloudConfig, 'cloudName' | 'configFile'> {
  const auth = cloud.auth as Dict;
  const configured = str(cloud.orchestration_endpoint_override) ?? str(cloud.endpoint_override);
  const { heatAuth, endpoint } = heatAuthOf(authTypeOf(cloud), auth, configured);
  const iface = str(cloud.orchestration_interface) ?? str(cloud.interface);
  const out: Omit<ResolvedCloudConfig, 'cloudName' | 'configFile'> = { auth: heatAuth };
  if (endpoint) out.endpoint = endpoint;
  const region = str(cloud.region_name);
  if (region) out.region = region;
  if (iface) out.interface = iface.replace(/URL$/, '') as EndpointInterface;
  const cacert = str(cloud.cacert);
  if (cacert) out.ca = readFileSync(cacert, 'utf8');
  const verify = bool(cloud.verify);
  const insecure = bool(cloud.insecure);
  if (insecure === true || verify === false) out.insecure = true;
  return out;
}

/** `auth_type`, or what the auth section implies when it is not set (as keystoneauth guesses). */
function authTypeOf(cloud: Dict): string {
  const type = (str(cloud.auth_type) ?? '').toLowerCase();
  if (type) return type;
  const auth = cloud.auth as Dict;
  if (auth.application_credential_secret !== undefined) return 'v3applicationcredential';
  if (auth.token !== undefined && auth.password === undefined) return 'token';
  return 'password';
}

/**
 * The client's auth for one `auth_type`, and the endpoint (the configured override, else the one
 * an endpoint-style auth names). Throws CONFIG for a missing required field or an unknown type.
 */
function heatAuthOf(
  type: string,
  auth: Dict,
  configured: string | undefined,
): { heatAuth: HeatAuth; endpoint: string | undefined } {
  const authUrl = str(auth.auth_url);
  const scope = {
    projectId: str(auth.project_id),
    projectName: str(auth.project_name),
    projectDomainId: str(auth.project_domain_id),
    projectDomainName: str(auth.project_domain_name),
    domainId: str(auth.domain_id),
    domainName: str(auth.domain_name),
  };
  switch (type) {
    case 'password':
    case 'v3password': {
      const heatAuth: HeatAuth = {
        type: 'password',
        authUrl: need(authUrl, 'auth_url (OS_AUTH_URL)'),
        username: str(auth.username),
        userId: str(auth.user_id),
        password: need(str(auth.password), 'password (OS_PASSWORD)'),
        userDomainId: str(auth.user_domain_id),
        userDomainName: str(auth.user_domain_name),
        ...scope,
      };
      return { heatAuth, endpoint: configured };
    }
    case 'token':
    case 'v3token':
      return {
        heatAuth: { type: 'token', token: need(str(auth.token), 'token (OS_TOKEN)'), authUrl, ...scope },
        endpoint: configured,
      };
    case 'admin_token':
    case 'token_endpoint':
      return {
        heatAuth: { type: 'token', token: need(str(auth.token), 'token (OS_TOKEN)') },
        endpoint: configured ?? str(auth.endpoint) ?? str(auth.url),
      };
    case 'v3applicationcredential':
    case 'application_credential': {
      const heatAuth: HeatAuth = {
        type: 'v3applicationcredential',
        authUrl: need(authUrl, 'auth_url (OS_AUTH_URL)'),
        applicationCredentialId: str(auth.application_credential_id),
        applicationCredentialName: str(auth.application_credential_name),
        applicationCredentialSecret: need(str(auth.application_credential_secret), 'application_credential_secret'),
        userId: str(auth.user_id),
        username: str(auth.username),
        userDomainId: str(auth.user_domain_id),
        userDomainName: str(auth.user_domain_name),
      };
      return { heatAuth, endpoint: configured };
    }
    case 'none':
    case 'noauth':
      return { heatAuth: { type: 'none', token: str(auth.token) }, endpoint: configured ?? str(auth.endpoint) };
    default:
      throw new StackfeedError({
        code: 'CONFIG',
        provider: 'openstack-heat',
        message: `auth_type "${type}" is not supported (password, token, v3applicationcredential, none)`,
      });
  }
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) {
    throw new StackfeedError({
      code: 'CONFIG',
      provider: 'openstack-heat',
      message: `OpenStack config is missing ${what}`,
    });
  }
  return v;
}
