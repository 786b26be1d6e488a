const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a string in the 8-4-4-4-12 hex form of a UUID (any version, any case): ids of jobs, datasets, cursors. */
export function isUuid(v: unknown): v is string {
  return typeof v === 'string' && UUID.test(v);
}
