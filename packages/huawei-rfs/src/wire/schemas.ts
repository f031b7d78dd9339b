import { parseTimestamp } from '@stackfeed/core';
import { z } from 'zod';

/**
 * zod schemas of the RFS wire shapes (field names as the service spells them). Optional fields may
 * be absent or null; unknown fields are kept (passthrough) so `raw` stays complete. Enums are
 * plain strings here: unknown values are mapped to UNKNOWN later, never rejected.
 */

const optStr = z.string().nullish();

/** RFC 3339 timestamp → Date; a value that does not parse fails with the field's path. */
const ZONED_RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const timestamp = z.string().transform((s, ctx) => {
  // Fast path for what RFS sends (`2025-06-12T08:01:04Z`); everything else goes through core's parser.
  if (ZONED_RFC3339.test(s)) {
    const ms = Date.parse(s);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  const d = parseTimestamp(s);
  if (!d) {
    ctx.addIssue({ code: 'custom', message: 'is not an RFC 3339 timestamp' });
    return z.NEVER;
  }
  return d;
});

/** One `stack_events[]` item. RFS events have no id. */
export const WireStackEventSchema = z.looseObject({
  resource_type: optStr,
  resource_name: optStr,
  resource_id_key: optStr,
  resource_id_value: optStr,
  resource_key: optStr,
  time: timestamp,
  event_type: z.string(),
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
  create_time: optStr,
  update_time: optStr,
});
export type WireStack = z.input<typeof WireStackSchema>;

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
  create_time: optStr,
  update_time: optStr,
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
