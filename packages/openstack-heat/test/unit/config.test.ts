import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSearchDirs, loadCloudConfig } from '../../src/config/clouds.js';
import { HeatClient } from '../../src/index.js';

let root: string;
let cwd: string;
let home: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'heat-cfg-'));
  cwd = join(root, 'cwd');
  home = join(root, 'home');
  mkdirSync(cwd, { recursive: true });
  mkdirSync(join(home, '.config', 'openstack'), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const CLOUDS = `
clouds:
  prod:
    auth:
      auth_url: https://keystone.example.com:5000/v3
      username: alice
      project_name: web
      user_domain_name: Default
      project_domain_id: default
    region_name: RegionTwo
    interface: internal
  lab:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://lab.example.com/identity
      application_credential_id: ac-123
      application_credential_secret: ac-secret-value
  standalone:
    auth_type: none
    auth:
      endpoint: http://127.0.0.1:8004/v1/admin
`;
const SECURE = `
clouds:
  prod:
    auth:
      password: s3cret-from-secure
`;

const base = () => ({ cwd, homeDir: home, env: {} as Record<string, string> });

describe('clouds.yaml', () => {
  it('searches like openstacksdk: cwd, XDG config, ~/.config/openstack, /etc/xdg/openstack, /etc/openstack', () => {
    expect(configSearchDirs({ cwd: '/w', homeDir: '/h', env: {} })).toEqual([
      '/w',
      '/h/.config/openstack',
      '/etc/xdg/openstack',
      '/etc/openstack',
    ]);
    expect(configSearchDirs({ cwd: '/w', homeDir: '/h', env: { XDG_CONFIG_HOME: '/x' } })[1]).toBe('/x/openstack');
  });

  it('reads ~/.config/openstack/clouds.yaml, merges secure.yaml, selects OS_CLOUD', () => {
    writeFileSync(join(home, '.config/openstack/clouds.yaml'), CLOUDS);
    writeFileSync(join(home, '.config/openstack/secure.yaml'), SECURE);
    const c = loadCloudConfig({ ...base(), env: { OS_CLOUD: 'prod' } });
    expect(c.cloudName).toBe('prod');
    expect(c.configFile).toBe(join(home, '.config/openstack/clouds.yaml'));
    expect(c.auth).toMatchObject({
      type: 'password',
      authUrl: 'https://keystone.example.com:5000/v3',
      username: 'alice',
      password: 's3cret-from-secure',
      projectName: 'web',
      userDomainName: 'Default',
      projectDomainId: 'default',
    });
    expect(c.region).toBe('RegionTwo');
    expect(c.interface).toBe('internal');
  });

  it('prefers the current directory over the home directory', () => {
    writeFileSync(join(home, '.config/openstack/clouds.yaml'), CLOUDS);
    writeFileSync(
      join(cwd, 'clouds.yml'),
      'clouds:\n  here:\n    auth_type: none\n    auth: {endpoint: "http://cwd/v1/x"}\n',
    );
    const c = loadCloudConfig(base());
    expect(c.cloudName).toBe('here');
    expect(c.endpoint).toBe('http://cwd/v1/x');
  });

  it('OS_CLIENT_CONFIG_FILE comes first; a missing cloud lists the known ones', () => {
    writeFileSync(join(home, '.config/openstack/clouds.yaml'), CLOUDS);
    const other = join(root, 'other.json');
    writeFileSync(other, JSON.stringify({ clouds: { j: { auth_type: 'none', endpoint: 'http://j/v1/a' } } }));
    const c = loadCloudConfig({ ...base(), env: { OS_CLIENT_CONFIG_FILE: other } });
    expect(c.cloudName).toBe('j');
    expect(c.auth).toEqual({ type: 'none', token: undefined });
    expect(c.endpoint).toBe('http://j/v1/a');
    expect(() => loadCloudConfig({ ...base(), cloud: 'nope', env: { OS_CLIENT_CONFIG_FILE: other } })).toThrow(
      /cloud "nope" is not defined.*known clouds: j/,
    );
  });

  it('reads application credentials and the none auth type', () => {
    writeFileSync(join(cwd, 'clouds.yaml'), CLOUDS);
    expect(loadCloudConfig({ ...base(), cloud: 'lab' }).auth).toMatchObject({
      type: 'v3applicationcredential',
      applicationCredentialId: 'ac-123',
      applicationCredentialSecret: 'ac-secret-value',
    });
    const s = loadCloudConfig({ ...base(), cloud: 'standalone' });
    expect(s.auth.type).toBe('none');
    expect(s.endpoint).toBe('http://127.0.0.1:8004/v1/admin');
  });

  it('asks for OS_CLOUD when several clouds exist, and explains when nothing is configured', () => {
    writeFileSync(join(cwd, 'clouds.yaml'), CLOUDS);
    expect(() => loadCloudConfig(base())).toThrow(/several clouds.*OS_CLOUD/);
    rmSync(join(cwd, 'clouds.yaml'));
    expect(() => loadCloudConfig({ ...base(), searchDirs: [cwd] })).toThrow(/no OpenStack configuration/);
  });

  it('reads cacert (as PEM text), verify: false and a json clouds file; keys may use dashes', () => {
    const pem = join(root, 'ca.pem');
    writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    writeFileSync(
      join(cwd, 'clouds.json'),
      JSON.stringify({
        clouds: { c: { 'auth-type': 'none', auth: { endpoint: 'https://h/v1/a' }, cacert: pem, verify: false } },
      }),
    );
    const c = loadCloudConfig(base());
    expect(c.ca).toContain('BEGIN CERTIFICATE');
    expect(c.insecure).toBe(true);
    expect(c.auth.type).toBe('none');
  });

  it('reports a broken file as CONFIG', () => {
    writeFileSync(join(cwd, 'clouds.yaml'), 'clouds: [unclosed');
    expect(() => loadCloudConfig(base())).toThrow(expect.objectContaining({ code: 'CONFIG' }));
  });
});

describe('OS_* variables', () => {
  it('make an envvars cloud with password auth', () => {
    const c = loadCloudConfig({
      ...base(),
      env: {
        OS_AUTH_URL: 'http://ks:5000/v3',
        OS_USERNAME: 'bob',
        OS_PASSWORD: 'pw-123456',
        OS_PROJECT_ID: 'p1',
        OS_USER_DOMAIN_ID: 'default',
        OS_REGION_NAME: 'R1',
        OS_INTERFACE: 'admin',
      },
    });
    expect(c.cloudName).toBe('envvars');
    expect(c.auth).toMatchObject({
      type: 'password',
      username: 'bob',
      password: 'pw-123456',
      projectId: 'p1',
      userDomainId: 'default',
    });
    expect(c.region).toBe('R1');
    expect(c.interface).toBe('admin');
  });

  it('take precedence over a single cloud in a file when OS_CLOUD is not set', () => {
    writeFileSync(
      join(cwd, 'clouds.yaml'),
      'clouds:\n  only:\n    auth_type: none\n    auth: {endpoint: "http://f/v1/a"}\n',
    );
    expect(loadCloudConfig({ ...base(), env: { OS_AUTH_TYPE: 'none', OS_ENDPOINT: 'http://e/v1/a' } }).endpoint).toBe(
      'http://e/v1/a',
    );
    // selector-only variables do not make an envvars cloud
    expect(loadCloudConfig({ ...base(), env: { OS_REGION_NAME: 'R9' } })).toMatchObject({
      cloudName: 'only',
      region: 'R9',
    });
  });

  it('support token, application credential, legacy tenant names and the orchestration endpoint override', () => {
    const tok = loadCloudConfig({
      ...base(),
      env: { OS_AUTH_TYPE: 'token', OS_TOKEN: 'tok-abcdef', OS_AUTH_URL: 'http://ks/v3', OS_TENANT_NAME: 'legacy' },
    });
    expect(tok.auth).toMatchObject({
      type: 'token',
      token: 'tok-abcdef',
      authUrl: 'http://ks/v3',
      projectName: 'legacy',
    });
    const ac = loadCloudConfig({
      ...base(),
      env: {
        OS_AUTH_TYPE: 'v3applicationcredential',
        OS_AUTH_URL: 'http://ks/v3',
        OS_APPLICATION_CREDENTIAL_NAME: 'ci',
        OS_APPLICATION_CREDENTIAL_SECRET: 'acs-123456',
        OS_USERNAME: 'carol',
        OS_USER_DOMAIN_NAME: 'Default',
        OS_ORCHESTRATION_ENDPOINT_OVERRIDE: 'http://heat/v1/%(project_id)s',
      },
    });
    expect(ac.auth).toMatchObject({
      type: 'v3applicationcredential',
      applicationCredentialName: 'ci',
      username: 'carol',
    });
    expect(ac.endpoint).toBe('http://heat/v1/%(project_id)s');
    expect(() => loadCloudConfig({ ...base(), env: { OS_AUTH_URL: 'http://ks/v3', OS_USERNAME: 'x' } })).toThrow(
      /password/,
    );
    expect(() => loadCloudConfig({ ...base(), env: { OS_AUTH_TYPE: 'saml2', OS_AUTH_URL: 'x' } })).toThrow(
      /not supported/,
    );
  });

  it('build a working HeatClient (none auth) without touching the real HOME', () => {
    const c = HeatClient.fromConfig({
      ...base(),
      env: { OS_AUTH_TYPE: 'none', OS_ENDPOINT: 'http://127.0.0.1:9/v1/admin' },
    });
    expect(c.provider).toBe('openstack-heat');
    expect(c.session.usesKeystone).toBe(false);
  });
});
