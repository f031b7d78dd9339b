/** Discovery: the image build versions and lifecycle executions of the client's region. */
import type { DiscoveredTarget, DiscoverOptions, ExecutionState, ImageState, Paginator } from '@stackfeed/core';
import { inProgressFirst, matchesDiscoverFilters } from '@stackfeed/core/adapter';
import { type ImageBuilderApi, PAGE_SIZE, PROVIDER } from './api.js';
import { configError } from './api.js';
import { regionOfArn } from './mapping/records.js';
import { IMAGE_STATES_TABLE, LIFECYCLE_EXECUTION_STATES } from './mapping/tables.js';
import { readListing, wholeListPaginator } from './ordered.js';
import type { ImageBuilderStackRef } from './refs.js';
import type { WireImage, WireLifecycleExecution, WireLifecyclePolicy } from './wire/schemas.js';

const IMAGE_BUILDING: ReadonlySet<ImageState> = new Set(['PENDING', 'BUILDING']);
const EXECUTION_RUNNING: ReadonlySet<ExecutionState> = new Set(['PENDING', 'RUNNING']);

/** A name without glob characters is one exact name: the service can filter on it. */
const exactName = (name: DiscoverOptions['name']) =>
  typeof name === 'string' && !/[*?]/.test(name) ? name : undefined;

const accountOfArn = (arn: string) => arn.split(':')[4] || undefined;

function checkDiscoverOptions(options: DiscoverOptions): void {
  const { name, tags, kinds } = options;
  if (name !== undefined && typeof name !== 'string' && !(name instanceof RegExp))
    throw configError(`discover: name must be a glob string or a RegExp, not ${typeof name}`);
  if (tags !== undefined) {
    if (typeof tags !== 'object' || tags === null || Array.isArray(tags))
      throw configError('discover: tags must be an object of tag names to values');
    for (const [k, v] of Object.entries(tags))
      if (typeof v !== 'string') throw configError(`discover: tag ${JSON.stringify(k)} must have a string value`);
  }
  if (kinds !== undefined && !Array.isArray(kinds)) throw configError('discover: kinds must be an array');
}

/** An ImageSummary → an `image-build` target (ref: `{ kind, id }`, id its build version ARN). */
function imageBuildTarget(w: WireImage & { arn: string }): DiscoveredTarget<ImageBuilderStackRef> {
  const status = w.state?.status ?? '';
  const state = IMAGE_STATES_TABLE.map(status);
  const t: DiscoveredTarget<ImageBuilderStackRef> = {
    provider: PROVIDER,
    kind: 'image-build',
    ref: { kind: 'image-build', id: w.arn },
    id: w.arn,
    name: w.name ?? w.arn,
    status,
    state,
    inProgress: IMAGE_BUILDING.has(state),
    tags: { ...(w.tags ?? {}) },
    details: {
      ...(w.version ? { version: w.version } : {}),
      ...(w.type ? { type: w.type } : {}),
      ...(w.platform ? { platform: w.platform } : {}),
      ...(w.state?.reason ? { reason: w.state.reason } : {}),
      ...(w.lifecycleExecutionId ? { lifecycleExecutionId: w.lifecycleExecutionId } : {}),
    },
  };
  if (w.dateCreated) t.createdAt = w.dateCreated;
  const region = regionOfArn(w.arn);
  if (region) t.region = region;
  const account = accountOfArn(w.arn);
  if (account) t.account = account;
  return t;
}

/**
 * A LifecycleExecution of a policy → a `lifecycle-execution` target (ref: `{ kind, id }`, id its `lce-…` id). Its
 * name and tags are its policy's (an execution has neither of its own).
 */
function lifecycleTarget(
  e: WireLifecycleExecution & { lifecycleExecutionId: string },
  policy: WireLifecyclePolicy & { arn: string },
): DiscoveredTarget<ImageBuilderStackRef> {
  const status = e.state?.status ?? '';
  const state = LIFECYCLE_EXECUTION_STATES.map(status);
  const policyName = policy.name ?? policy.arn;
  const t: DiscoveredTarget<ImageBuilderStackRef> = {
    provider: PROVIDER,
    kind: 'lifecycle-execution',
    ref: { kind: 'lifecycle-execution', id: e.lifecycleExecutionId },
    id: e.lifecycleExecutionId,
    name: policyName,
    status,
    state,
    inProgress: EXECUTION_RUNNING.has(state),
    parent: { id: policy.arn, name: policyName },
    tags: { ...(policy.tags ?? {}) },
    details: {
      lifecyclePolicyArn: e.lifecyclePolicyArn ?? policy.arn,
      ...(policy.status ? { policyStatus: policy.status } : {}),
      ...(policy.resourceType ? { resourceType: policy.resourceType } : {}),
      ...(e.state?.reason ? { reason: e.state.reason } : {}),
    },
  };
  if (e.startTime) t.createdAt = e.startTime;
  if (e.endTime) t.updatedAt = e.endTime;
  const region = regionOfArn(policy.arn);
  if (region) t.region = region;
  const account = accountOfArn(policy.arn);
  if (account) t.account = account;
  return t;
}

/** Every image build version of the region (ListImageBuildVersions without a version ARN). */
async function readImageBuilds(
  api: ImageBuilderApi,
  options: DiscoverOptions,
  signal: AbortSignal | undefined,
  onRaw: (raw: unknown) => void,
): Promise<DiscoveredTarget<ImageBuilderStackRef>[]> {
  const op = 'discover';
  const name = exactName(options.name);
  const filters = name ? [{ name: 'name', values: [name] }] : undefined;
  const builds = await readListing(
    async (cursor) => {
      const input = { filters, maxResults: PAGE_SIZE.max, nextToken: cursor };
      const { wire, raw } = await api.send('ListImageBuildVersions', input, op, signal);
      onRaw(raw);
      return { items: wire.imageSummaryList ?? [], next: wire.nextToken || undefined };
    },
    op,
    signal,
  );
  // A build without its ARN cannot be followed.
  return builds.filter((b): b is WireImage & { arn: string } => !!b.arn).map(imageBuildTarget);
}

/** The executions of every lifecycle policy of the region (ListLifecyclePolicies, then ListLifecycleExecutions each). */
async function readLifecycleExecutions(
  api: ImageBuilderApi,
  options: DiscoverOptions,
  signal: AbortSignal | undefined,
  onRaw: (raw: unknown) => void,
): Promise<DiscoveredTarget<ImageBuilderStackRef>[]> {
  const op = 'discover';
  const name = exactName(options.name);
  const filters = name ? [{ name: 'Name', values: [name] }] : undefined;
  const policies = await readListing(
    async (cursor) => {
      const input = { filters, maxResults: PAGE_SIZE.max, nextToken: cursor };
      const { wire, raw } = await api.send('ListLifecyclePolicies', input, op, signal);
      onRaw(raw);
      return { items: wire.lifecyclePolicySummaryList ?? [], next: wire.nextToken || undefined };
    },
    op,
    signal,
  );
  const out: DiscoveredTarget<ImageBuilderStackRef>[] = [];
  const seen = new Set<string>();
  for (const policy of policies) {
    // A policy without its ARN cannot be asked for its executions.
    if (!policy.arn) continue;
    const p = policy as WireLifecyclePolicy & { arn: string };
    const executions = await readListing(
      async (cursor) => {
        const input = { resourceArn: p.arn, maxResults: PAGE_SIZE.max, nextToken: cursor };
        const { wire, raw } = await api.send('ListLifecycleExecutions', input, op, signal);
        onRaw(raw);
        return { items: wire.lifecycleExecutions ?? [], next: wire.nextToken || undefined };
      },
      op,
      signal,
    );
    for (const e of executions) {
      const id = e.lifecycleExecutionId;
      // Without its id an execution cannot be followed; each is reported once.
      if (!id || seen.has(id)) continue;
      seen.add(id);
      out.push(lifecycleTarget({ ...e, lifecycleExecutionId: id }, p));
    }
  }
  return out;
}

/**
 * What this client can follow in its region: image build versions (`image-build`, ref: the build
 * version ARN) then lifecycle executions (`lifecycle-execution`, id `lce-…`); each `ref` is an
 * {@link ImageBuilderStackRef} `{ kind, id }` the client's calls take as is, in-progress ones
 * first, each kind in the service's order. The filters run locally (one rule for every provider);
 * a name without `*` / `?` is also sent to the service as its `name` / `Name` filter.
 */
export function discover(
  api: ImageBuilderApi,
  options: DiscoverOptions,
): Paginator<DiscoveredTarget<ImageBuilderStackRef>> {
  checkDiscoverOptions(options);
  const wants = (kind: 'image-build' | 'lifecycle-execution') => !options.kinds || options.kinds.includes(kind);
  const { name } = options;
  return wholeListPaginator<DiscoveredTarget<ImageBuilderStackRef>>(api, {
    operation: 'discover',
    scope: {
      kinds: options.kinds ? [...options.kinds].sort() : null,
      activeOnly: options.activeOnly === true,
      name: name instanceof RegExp ? String(name) : (name ?? null),
      tags: options.tags ?? null,
    },
    options,
    filter: matchesDiscoverFilters(options),
    readAll: async (signal, onRaw) => {
      const builds = wants('image-build') ? await readImageBuilds(api, options, signal, onRaw) : [];
      const executions = wants('lifecycle-execution') ? await readLifecycleExecutions(api, options, signal, onRaw) : [];
      return inProgressFirst([...builds, ...executions]);
    },
  });
}
