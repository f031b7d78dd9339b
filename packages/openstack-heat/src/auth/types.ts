/** Which endpoint of the catalog to use (keystoneauth `interface`). */
export type EndpointInterface = 'public' | 'internal' | 'admin';

/** Keystone v3 user and project scope fields shared by the password and token methods. */
export interface KeystoneScope {
  /** Project to scope the token to (by id, or by name with a project domain). */
  projectId?: string | undefined;
  projectName?: string | undefined;
  projectDomainId?: string | undefined;
  projectDomainName?: string | undefined;
  /** Domain scope (when no project is given), and default for user/project domains. */
  domainId?: string | undefined;
  domainName?: string | undefined;
}

/** Keystone v3 password authentication (`auth_type: password`). */
export interface PasswordAuth extends KeystoneScope {
  type: 'password';
  /** Keystone URL, with or without `/v3` (e.g. `https://keystone.example.com:5000/v3`). */
  authUrl: string;
  username?: string | undefined;
  userId?: string | undefined;
  password: string;
  userDomainId?: string | undefined;
  userDomainName?: string | undefined;
}

/**
 * An existing token (`auth_type: token`). With `authUrl` it is exchanged for a scoped token with a
 * service catalog (and re-exchanged on expiry); without, it is sent as is to `endpoint`.
 */
export interface TokenAuth extends KeystoneScope {
  type: 'token';
  token: string;
  authUrl?: string | undefined;
}

/** Keystone v3 application credential (`auth_type: v3applicationcredential`). */
export interface ApplicationCredentialAuth {
  type: 'v3applicationcredential';
  authUrl: string;
  applicationCredentialId?: string | undefined;
  /** With a name, the owning user must be given (userId, or username + user domain). */
  applicationCredentialName?: string | undefined;
  applicationCredentialSecret: string;
  userId?: string | undefined;
  username?: string | undefined;
  userDomainId?: string | undefined;
  userDomainName?: string | undefined;
}

/**
 * No Keystone (`auth_type: none`): a standalone Heat in `noauth` mode. `endpoint` is required;
 * `token`, if given, is sent as `X-Auth-Token` (a noauth Heat accepts any value).
 */
export interface NoAuth {
  type: 'none';
  token?: string | undefined;
}

/** How a HeatClient authenticates. */
export type HeatAuth = PasswordAuth | TokenAuth | ApplicationCredentialAuth | NoAuth;
