import type { LogStreamInfo } from '../types.js';

/** A log stream's fields once each mode has read its own wire format (times already parsed). */
export interface LogStreamFields {
  name: string;
  arn?: string | undefined;
  createdAt?: Date | undefined;
  firstEventAt?: Date | undefined;
  lastEventAt?: Date | undefined;
  lastIngestionAt?: Date | undefined;
  uploadSequenceToken?: string | undefined;
}

/** LogStreamInfo from the fields both modes read, absent fields left out. */
export function toLogStreamInfo(fields: LogStreamFields, raw: unknown): LogStreamInfo {
  const info: LogStreamInfo = { name: fields.name, raw };
  if (fields.arn) info.arn = fields.arn;
  if (fields.createdAt) info.createdAt = fields.createdAt;
  if (fields.firstEventAt) info.firstEventAt = fields.firstEventAt;
  if (fields.lastEventAt) info.lastEventAt = fields.lastEventAt;
  if (fields.lastIngestionAt) info.lastIngestionAt = fields.lastIngestionAt;
  if (fields.uploadSequenceToken) info.uploadSequenceToken = fields.uploadSequenceToken;
  return info;
}
