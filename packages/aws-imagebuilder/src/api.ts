/**
 * The Image Builder operations stackfeed calls, as one table (SDK command, wire schema, list
 * member), and the one way to call them: the client's core `SdkKit` (deadlines, retry policy,
 * abort-safe timers, error shapes), then the wire schema, then the page-size guard.
 */
import {
  GetImageCommand,
  GetLifecycleExecutionCommand,
  GetWorkflowExecutionCommand,
  type ImagebuilderClient,
  ListImageBuildVersionsCommand,
  ListImagesCommand,
  ListLifecycleExecutionResourcesCommand,
  ListLifecycleExecutionsCommand,
  ListLifecyclePoliciesCommand,
  ListWorkflowExecutionsCommand,
  ListWorkflowStepExecutionsCommand,
} from '@aws-sdk/client-imagebuilder';
import { StackfeedError } from '@stackfeed/core';
import type { ListOptions, Paginator } from '@stackfeed/core';
import {
  createPaginator,
  type FetchPage,
  parseWire,
  type SdkCommandOutput,
  type SdkKit,
  type TokenKey,
} from '@stackfeed/core/adapter';
import type * as z from 'zod';
import { isLifecycleResourcesPage } from './wire/guards.js';
import { type WireSchemas, loadSchemas } from './wire/load.js';

export const PROVIDER = 'aws-imagebuilder' as const;
/**
 * Image Builder's `RestrictedInteger` page size. The default is the maximum, sent on every list
 * call: the service's own default is not documented, and fewer items a page means more requests.
 */
export const PAGE_SIZE = { min: 1, max: 25, default: 25 } as const;

// biome-ignore lint/suspicious/noExplicitAny: any SDK command class.
type CommandClass = new (input: any) => object;

interface OperationSpec<C extends CommandClass, S extends z.ZodType> {
  command: C;
  /** Its wire schema, picked from the schemas chunk (loaded on the first parse, `wire/load.ts`). */
  schema: (wire: WireSchemas) => S;
  /** The list member of a page (for the items-per-page guard). */
  items?: string;
  /** A hand-written check that accepts the common page shape without zod (the hot path). */
  fast?: (out: unknown) => boolean;
}

const op = <C extends CommandClass, S extends z.ZodType>(spec: OperationSpec<C, S>) => spec;

/** Every Image Builder operation stackfeed calls. */
export const OPERATIONS = {
  GetLifecycleExecution: op({ command: GetLifecycleExecutionCommand, schema: (w) => w.GetLifecycleExecutionSchema }),
  ListLifecycleExecutions: op({
    command: ListLifecycleExecutionsCommand,
    schema: (w) => w.ListLifecycleExecutionsSchema,
    items: 'lifecycleExecutions',
  }),
  ListLifecyclePolicies: op({
    command: ListLifecyclePoliciesCommand,
    schema: (w) => w.ListLifecyclePoliciesSchema,
    items: 'lifecyclePolicySummaryList',
  }),
  ListLifecycleExecutionResources: op({
    command: ListLifecycleExecutionResourcesCommand,
    schema: (w) => w.ListLifecycleResourcesSchema,
    items: 'resources',
    fast: isLifecycleResourcesPage,
  }),
  GetImage: op({ command: GetImageCommand, schema: (w) => w.GetImageSchema }),
  ListImages: op({ command: ListImagesCommand, schema: (w) => w.ListImagesSchema, items: 'imageVersionList' }),
  ListImageBuildVersions: op({
    command: ListImageBuildVersionsCommand,
    schema: (w) => w.ListImageBuildVersionsSchema,
    items: 'imageSummaryList',
  }),
  GetWorkflowExecution: op({ command: GetWorkflowExecutionCommand, schema: (w) => w.WorkflowExecutionSchema }),
  ListWorkflowExecutions: op({
    command: ListWorkflowExecutionsCommand,
    schema: (w) => w.ListWorkflowExecutionsSchema,
    items: 'workflowExecutions',
  }),
  ListWorkflowStepExecutions: op({
    command: ListWorkflowStepExecutionsCommand,
    schema: (w) => w.ListWorkflowStepsSchema,
    items: 'steps',
  }),
} as const;

export type OperationName = keyof typeof OPERATIONS;
type Spec<N extends OperationName> = (typeof OPERATIONS)[N];
/** The SDK input of an operation. */
export type OperationInput<N extends OperationName> = ConstructorParameters<Spec<N>['command']>[0];
/** The SDK output of an operation (the record as received: `raw`). */
export type OperationOutput<N extends OperationName> = SdkCommandOutput<InstanceType<Spec<N>['command']>>;
/** The output after the wire schema. */
export type OperationWire<N extends OperationName> = z.output<ReturnType<Spec<N>['schema']>>;

/** One workflow execution of a ListWorkflowExecutions page, after the wire schema. */
export type WireWorkflow = NonNullable<OperationWire<'ListWorkflowExecutions'>['workflowExecutions']>[number];

/** A page holding more items than this, for the page size asked, is no answer: INVALID_RESPONSE. */
export const maxItemsPerPage = (pageSize: number | undefined) => Math.max(10 * (pageSize ?? PAGE_SIZE.max), 10_000);

/** Pages one watch poll may read (a server that pages forever is cut here: `WatchResult.cappedPolls`). */
export const MAX_POLL_PAGES = 1000;

/**
 * `validateCursor` of every list whose cursor is Image Builder's own `nextToken` (a string of
 * 1..65535 characters, the model's PaginationToken); the token's scope already binds it to the call.
 */
export function nextTokenCursor(cursor: unknown): string | undefined {
  if (typeof cursor !== 'string' || cursor.length < 1 || cursor.length > 65_535)
    return 'the cursor is not an Image Builder nextToken';
  return undefined;
}

/**
 * A paginator over one Image Builder list as the service pages it (the cursor is its own
 * `nextToken`, signed with the client's token key; page sizes as the model allows).
 */
export function tokenList<T>(
  api: ImageBuilderApi,
  config: { operation: string; scope: Record<string, unknown>; options: ListOptions; fetchPage: FetchPage<T, string> },
): Paginator<T> {
  return createPaginator<T, string>({
    provider: PROVIDER,
    tokenKey: api.settings.tokenKey,
    validateCursor: nextTokenCursor,
    pageSizeLimits: PAGE_SIZE,
    ...config,
  });
}

/** How one client calls Image Builder. */
export interface ApiSettings {
  sdk: ImagebuilderClient;
  /** Signs the continuation tokens of every list of the client. */
  tokenKey: TokenKey;
  /** Calls `sdk` with the client's retry policy, deadline and Image Builder's error shapes. */
  kit: SdkKit;
}

/** Calls the operations of {@link OPERATIONS} for one client. */
export class ImageBuilderApi {
  constructor(readonly settings: ApiSettings) {}

  /**
   * Call `name` with `input` for the stackfeed method `operation`: `wire` is the output checked by
   * the operation's schema, `raw` the SDK's output as received.
   */
  async send<N extends OperationName>(
    name: N,
    input: OperationInput<N>,
    operation: string,
    signal: AbortSignal | undefined,
  ): Promise<{ wire: OperationWire<N>; raw: OperationOutput<N> }> {
    const spec: OperationSpec<CommandClass, z.ZodType> = OPERATIONS[name];
    const raw = (await this.settings.kit.call(
      this.settings.sdk,
      new spec.command(input),
      operation,
      signal,
    )) as OperationOutput<N>;
    if (spec.items) checkPageSize(raw, spec.items, (input as { maxResults?: number }).maxResults, operation);
    const requestId = (raw as { $metadata?: { requestId?: string } })?.$metadata?.requestId;
    const wire = spec.fast?.(raw)
      ? raw
      : parseWire(spec.schema(await loadSchemas()), raw, { provider: PROVIDER, operation, requestId });
    return { wire: wire as OperationWire<N>, raw };
  }
}

function checkPageSize(out: unknown, member: string, pageSize: number | undefined, operation: string): void {
  const items = (out as Record<string, unknown> | undefined)?.[member];
  const limit = maxItemsPerPage(pageSize);
  if (Array.isArray(items) && items.length > limit)
    throw new StackfeedError({
      code: 'INVALID_RESPONSE',
      provider: PROVIDER,
      operation,
      retryable: false,
      fieldPath: member,
      message: `${operation}: Image Builder sent ${items.length} items in one page (asked for ${pageSize ?? 'the default'}; at most ${limit} are accepted)`,
    });
}

/** CONFIG unless `value` is a non-empty string. */
export function requireArg(value: unknown, name: string, operation: string): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new StackfeedError({
      code: 'CONFIG',
      provider: PROVIDER,
      operation,
      message: `${operation}: ${name} must be a non-empty string`,
    });
  }
}

export function configError(message: string, cause?: unknown): StackfeedError {
  return new StackfeedError({ code: 'CONFIG', provider: PROVIDER, retryable: false, message, cause });
}
