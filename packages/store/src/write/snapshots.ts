import type { ExecutionInfo, ImageInfo } from '@stackfeed/core';
import type { Queryable } from '../db.js';
import { executionRow, imageRow, pgJson } from '../rows.js';

/** Store an image's latest snapshot, and its state in the history when that changed. */
export async function upsertImage(tx: Queryable, quotedSchema: string, img: ImageInfo): Promise<void> {
  const row = imageRow(img);
  await tx.query(
    `insert into ${quotedSchema}.images as i (provider, image_id, name, version, region, state, status, reason, created_at,
         updated_at, artifacts, stack, tags, details, raw)
       select provider, image_id, name, version, region, state, status, reason, created_at, updated_at,
         coalesce(artifacts, '[]'), stack, coalesce(tags, '{}'), details, raw
       from jsonb_to_record($1::text::jsonb) as r(provider text, image_id text, name text, version text, region text,
         state text, status text, reason text, created_at timestamptz, updated_at timestamptz, artifacts jsonb,
         stack jsonb, tags jsonb, details jsonb, raw jsonb)
       on conflict (provider, image_id) do update set
         name = excluded.name, version = excluded.version, region = excluded.region, state = excluded.state,
         status = excluded.status, reason = excluded.reason, created_at = excluded.created_at,
         updated_at = excluded.updated_at, artifacts = excluded.artifacts, stack = excluded.stack,
         tags = excluded.tags, details = excluded.details, raw = excluded.raw, last_seen = now()`,
    [pgJson(row)],
  );
  // The upsert above holds the image's row lock: this check-then-insert cannot race a writer.
  await tx.query(
    `insert into ${quotedSchema}.image_states (provider, image_id, state, status, reason, raw)
       select $1, $2, $3, $4, $5, $6::text::jsonb
       where not exists (
         select 1 from (select state, status from ${quotedSchema}.image_states where provider = $1 and image_id = $2
                        order by seq desc limit 1) l
         where l.state = $3 and l.status = $4)`,
    [img.provider, img.id, img.state, img.status, img.reason ?? null, pgJson(img.raw ?? null)],
  );
}

/** Store an execution's latest snapshot, and its state in the history when that changed. */
export async function upsertExecution(tx: Queryable, quotedSchema: string, ex: ExecutionInfo): Promise<void> {
  await tx.query(
    `insert into ${quotedSchema}.executions as e (provider, execution_id, kind, state, status, reason, started_at, ended_at,
         details, raw)
       select provider, execution_id, kind, state, status, reason, started_at, ended_at, details, raw
       from jsonb_to_record($1::text::jsonb) as r(provider text, execution_id text, kind text, state text,
         status text, reason text, started_at timestamptz, ended_at timestamptz, details jsonb, raw jsonb)
       on conflict (provider, execution_id) do update set
         kind = excluded.kind, state = excluded.state, status = excluded.status, reason = excluded.reason,
         started_at = excluded.started_at, ended_at = excluded.ended_at, details = excluded.details,
         raw = excluded.raw, last_seen = now()`,
    [pgJson(executionRow(ex))],
  );
  await tx.query(
    `insert into ${quotedSchema}.execution_states (provider, execution_id, state, status, reason, raw)
       select $1, $2, $3, $4, $5, $6::text::jsonb
       where not exists (
         select 1 from (select state, status from ${quotedSchema}.execution_states where provider = $1 and execution_id = $2
                        order by seq desc limit 1) l
         where l.state = $3 and l.status = $4)`,
    [ex.provider, ex.id, ex.state, ex.status, ex.reason ?? null, pgJson(ex.raw ?? null)],
  );
}
