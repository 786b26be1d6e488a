import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { InvalidInputError, violation } from './errors';
import { isUuid } from './uuid';

/** Position after the last row of a page: created_at in microseconds (full timestamptz precision) and id. */
interface KeysetCursor {
  t: string;
  i: string;
}


export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Newest-first keyset pagination on (created_at, id) for a query builder over `alias`; the cursor is opaque
 * to clients and a forged one is a 400 naming `cursor`.
 */
export async function pageNewestFirst<T extends ObjectLiteral & { id: string }>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  limit: number,
  cursor: string | undefined,
): Promise<Page<T>> {
  qb.addSelect(`(extract(epoch from ${alias}.created_at) * 1000000)::bigint::text`, 'cursor_us');
  if (cursor !== undefined) {
    const c = decodeCursor(cursor);
    qb.andWhere(`(${alias}.created_at, ${alias}.id) < (timestamptz 'epoch' + :cursorT::bigint * interval '1 microsecond', :cursorI::uuid)`, {
      cursorT: c.t,
      cursorI: c.i,
    });
  }
  const { entities, raw } = await qb
    .orderBy(`${alias}.created_at`, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .limit(limit + 1)
    .getRawAndEntities<{ cursor_us: string }>();
  const items = entities.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor = entities.length > limit && last ? encodeCursor({ t: raw[limit - 1].cursor_us, i: last.id }) : null;
  return { items, nextCursor };
}

function encodeCursor(c: KeysetCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(raw: string): KeysetCursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<KeysetCursor>;
    if (typeof c.t === 'string' && /^-?\d{1,19}$/.test(c.t) && typeof c.i === 'string' && isUuid(c.i)) return { t: c.t, i: c.i };
  } catch {
    // fall through
  }
  throw new InvalidInputError('cursor is not a cursor returned by this API', [violation('cursor', 'isCursor', 'must be a nextCursor value from a previous page')]);
}
