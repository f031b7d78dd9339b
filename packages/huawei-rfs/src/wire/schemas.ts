import { parseIsoTimestamp } from '@stackfeed/core/adapter';
import * as z from 'zod';
import { rfc3339Ms } from './check.js';

/**
 * zod schemas of the RFS wire shapes (field names as the service spells them). Optional fields may
 * be absent or null; unknown fields are kept (passthrough) so `raw` stays complete. Enums are
 * plain strings here: unknown values are mapped to UNKNOWN later, never rejected. This module is
 * loaded on first use (`load.ts`), never by importing the adapter: a listing whose pages pass the
 * zod-free page check (`check.ts`) loads no zod at all.
 */

const optStr = z.string().nullish();

/**
 * RFC 3339 timestamp → Date, the form the official models document (`yyyy-mm-ddTHH:MM:SSZ`); other
 * ISO 8601 date-times are read too (zone-less = UTC). Anything else, a numeric string like
 * "20260101" included, fails with the field's path: no epoch guessing.
 */
const timestamp = z.string().transform((s, ctx) => {
  // Fast path for what RFS sends; everything else goes through core's strict parser.
  const ms = rfc3339Ms(s);
  if (!Number.isNaN(ms)) return new Date(ms);
  const d = parseIsoTimestamp(s);
  if (!d) {
    ctx.addIssue({ code: 'custom', message: 'is not an RFC 3339 timestamp' });
    return z.NEVER;
  }
  return d;
});

/**
 * One `stack_events[]` item. RFS events have no id. Every member is optional in the official
 * model (a `field` selection leaves most out), `event_type` included. The time comes as `time` (the
 * SDK models' name) or `timestamp` (the document's name for `field`); a record with neither has no
 * time and is not emitted as an event.
 */
export const WireStackEventSchema = z.looseObject({
  resource_type: optStr,
  resource_name: optStr,
  resource_id_key: optStr,
  resource_id_value: optStr,
  resource_key: optStr,
  time: timestamp.nullish(),
  timestamp: timestamp.nullish(),
  event_type: optStr,
  event_message: optStr,
  elapsed_seconds: z.number().nullish(),
});
export type WireStackEvent = z.input<typeof WireStackEventSchema>;

/** `page_info`, present since the 2025 API revision; absent means "this was the whole list". */
export const WirePageInfoSchema = z.looseObject({
  next_marker: optStr,
  previous_marker: optStr,
  current_count: z.number().nullish(),
});

export const ListStackEventsResponseSchema = z.looseObject({
  stack_events: z.array(WireStackEventSchema).nullish(),
  page_info: WirePageInfoSchema.nullish(),
});

/** One `stacks[]` item of ListStacks. */
export const WireStackSchema = z.looseObject({
  stack_name: z.string(),
  stack_id: optStr,
  description: optStr,
  status: optStr,
  status_message: optStr,
  create_time: timestamp.nullish(),
  update_time: timestamp.nullish(),
});
export type WireStack = z.output<typeof WireStackSchema>;

export const ListStacksResponseSchema = z.looseObject({
  stacks: z.array(WireStackSchema).nullish(),
  page_info: WirePageInfoSchema.nullish(),
});

/** GetStackMetadata. */
export const GetStackMetadataResponseSchema = z.looseObject({
  stack_id: optStr,
  stack_name: z.string(),
  description: optStr,
  status: optStr,
  status_message: optStr,
  create_time: timestamp.nullish(),
  update_time: timestamp.nullish(),
  enable_deletion_protection: z.boolean().nullish(),
  enable_auto_rollback: z.boolean().nullish(),
  vars_structure: z
    .array(z.looseObject({ var_key: z.string(), var_value: z.string().nullish(), encryption: z.unknown().optional() }))
    .nullish(),
  agencies: z
    .array(z.looseObject({ provider_name: z.string().nullish(), agency_name: optStr, agency_urn: optStr }))
    .nullish(),
});
export type WireStackMetadata = z.output<typeof GetStackMetadataResponseSchema>;

/** IAM `GET /v3/projects` (listRfsRegions). */
export const ProjectsSchema = z.object({
  projects: z.array(z.looseObject({ id: z.string().min(1), name: z.string(), enabled: z.boolean().optional() })),
});
