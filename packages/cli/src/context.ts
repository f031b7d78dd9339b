import { StackfeedError, type Logger } from '@stackfeed/core';
import { UsageError } from './errors.js';
import { cliTokenKey } from './token-key.js';
import { type Colors, colorsFor } from './format/colors.js';
import type { CliIO, CliWriter } from './io.js';
import { endpointFor } from './options.js';
import { findProvider, type ProviderEntry } from './providers/registry.js';
import type { ProviderContext, ProviderPlugin, ProviderSession } from './providers/types.js';

/** What one place of a fan-out (`--all-regions`, `--region a,b`, `--cloud a,b`) sets over the command line. */
export type PlaceOverrides = Pick<ProviderContext, 'region' | 'cloud' | 'project' | 'homeRegion'>;

/** The global options every command takes. */
export interface GlobalOptions {
  endpoint?: string[];
  region?: string;
  profile?: string;
  cloud?: string;
  debug?: boolean;
  color?: boolean;
  localTime?: boolean;
}

/** What a command runs with: the io, the providers, colors, and a signal for Ctrl-C. */
export class Ctx {
  readonly env: Record<string, string | undefined>;
  readonly out: CliWriter;
  readonly err: CliWriter;
  readonly colors: Colors;
  readonly errColors: Colors;
  readonly signal: AbortSignal;
  /** The provider of the current command, for error hints. */
  credentialHint: string | undefined;
  /** Set when building the client failed (a CONFIG error then points at the credential places). */
  connectFailed = false;

  constructor(
    readonly io: CliIO,
    readonly providers: readonly ProviderEntry[],
    readonly globals: GlobalOptions,
  ) {
    this.env = io.env ?? process.env;
    this.out = io.stdout;
    this.err = io.stderr;
    this.colors = colorsFor(io.stdout, this.env, globals.color);
    this.errColors = colorsFor(io.stderr, this.env, globals.color);
    this.signal = io.signal ?? new AbortController().signal;
  }

  get debug(): boolean {
    return this.globals.debug === true;
  }

  /** Set by follow commands: off a terminal (no live status line), each retry is told on stderr. */
  following = false;

  /**
   * The transport's log lines on stderr under `--debug`. Without it, a follow whose stderr is not a
   * terminal says once per attempt that it is retrying (what failed, which attempt, how long it
   * waits): a dead endpoint is otherwise silent for the whole retry budget.
   */
  get logger(): Logger | undefined {
    if (this.debug) {
      return (entry) => {
        this.err.write(`${this.errColors.dim(`debug: ${JSON.stringify(entry)}`)}\n`);
      };
    }
    if (!this.following || this.err.isTTY) return undefined;
    return (entry) => {
      if (entry.event !== 'retry') return;
      const wait = entry.delayMs !== undefined ? `, next try in ${formatWait(entry.delayMs)}` : '';
      const attempt =
        entry.attempt !== undefined ? ` (attempt ${entry.attempt}${wait})` : wait ? ` (${wait.slice(2)})` : '';
      const what = entry.operation ? `${entry.provider} ${entry.operation}` : entry.provider;
      const cause = entry.status !== undefined ? `HTTP ${entry.status}` : (entry.message ?? 'failed');
      this.err.write(`stackfeed: retrying ${what}${attempt}: ${cause}\n`);
    };
  }

  /** Resolves a provider name (id or alias) to its plugin, or a usage error naming the known ones. */
  async plugin(name: string, command: string): Promise<ProviderPlugin> {
    const entry = findProvider(this.providers, name);
    if (!entry) {
      const known = this.providers.map((p) => `${p.aliases[0] ?? p.id} (${p.id})`).join(', ');
      throw new UsageError(`unknown provider "${name}"; known: ${known}`, command);
    }
    if (!entry.load) {
      throw new UsageError(`${entry.title} (${entry.id}) is not available in this build of stackfeed yet`, command);
    }
    return entry.load();
  }

  /** Builds a provider's client from the standard credential places and the command line. */
  async connect(
    plugin: ProviderPlugin,
    command: string,
    single = true,
    needs?: { key: keyof ProviderSession; what: string },
    place: PlaceOverrides = {},
  ): Promise<ProviderSession> {
    // Before any configuration is read: "this provider has no images" is usage, not a CONFIG failure.
    if (needs && plugin.offers && !plugin.offers.includes(needs.key)) {
      throw new UsageError(`${plugin.title} has no ${needs.what}`, command);
    }
    // A list of places is for `stacks` and `images` (commands/fanout.ts), which set one per client.
    if ((!place.region && this.globals.region?.includes(',')) || (!place.cloud && this.globals.cloud?.includes(',')))
      throw new UsageError('a list of regions or clouds is for `stacks` and `images`', command);
    this.credentialHint = plugin.credentials;
    try {
      return await plugin.connect({ ...this.providerContext(plugin, command, single), ...place });
    } catch (err) {
      this.connectFailed = true;
      if (StackfeedError.is(err) || err instanceof UsageError) throw err;
      throw new StackfeedError({
        code: 'CONFIG',
        provider: plugin.id as StackfeedError['provider'],
        message: `cannot set up the ${plugin.title} client: ${(err as Error)?.message ?? String(err)}`,
        cause: err,
      });
    }
  }

  /** What a provider builds its client from: the environment and the command line. */
  providerContext(plugin: ProviderPlugin, command: string, single = true): ProviderContext {
    return {
      env: this.env,
      endpoint: endpointFor(this.globals.endpoint, plugin, single, command),
      region: this.globals.region,
      profile: this.globals.profile,
      cloud: this.globals.cloud,
      cwd: this.io.cwd ?? process.cwd(),
      logger: this.logger,
      tokenKey: cliTokenKey(this.env),
    };
  }

  /** The method a command needs, or a usage error saying the provider has no such thing. */
  need<K extends keyof ProviderSession>(
    session: ProviderSession,
    plugin: ProviderPlugin,
    key: K,
    what: string,
    command: string,
  ): NonNullable<ProviderSession[K]> {
    const fn = session[key];
    if (typeof fn !== 'function') throw new UsageError(`${plugin.title} has no ${what}`, command);
    return (fn as (...a: unknown[]) => unknown).bind(session) as NonNullable<ProviderSession[K]>;
  }
}

/** `850ms`, `2.1s`, `1m05s`. */
function formatWait(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
