import { and, asc, count, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { notifications } from "@/db/schema";

/**
 * A user's inbox. Every function takes the user's id and filters on it: nobody reads or marks
 * another person's notifications, whatever id a request carries.
 */
export const INBOX_PAGE_SIZE = 20;

export type InboxItem = {
  id: string;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  readAt: Date | null;
  createdAt: Date;
};

/** Unread first, then newest first. */
export async function listInbox(
  db: Db,
  userId: string,
  opts: { page?: number; pageSize?: number; unreadOnly?: boolean } = {},
): Promise<{ items: InboxItem[]; total: number; unread: number; page: number; pageCount: number }> {
  const pageSize = opts.pageSize ?? INBOX_PAGE_SIZE;
  const mine = eq(notifications.userId, userId);
  const where = opts.unreadOnly ? and(mine, isNull(notifications.readAt)) : mine;
  const [{ total }] = await db.select({ total: count() }).from(notifications).where(where);
  const unread = await countUnread(db, userId);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, Math.floor(opts.page ?? 1)), pageCount);
  const items = await db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      title: notifications.title,
      body: notifications.body,
      link: notifications.link,
      readAt: notifications.readAt,
      createdAt: notifications.createdAt,
    })
    .from(notifications)
    .where(where)
    .orderBy(sql`${notifications.readAt} is not null`, desc(notifications.createdAt), asc(notifications.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  return { items, total, unread, page, pageCount };
}

export async function countUnread(db: Db, userId: string): Promise<number> {
  const [{ n }] = await db
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return n;
}

/** Marks the caller's own notifications read; ids of other people's are ignored. Returns how many changed. */
export async function markNotificationsRead(db: Db, userId: string, ids: readonly string[]): Promise<number> {
  if (!ids.length) return 0;
  const rows = await db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(and(eq(notifications.userId, userId), inArray(notifications.id, [...ids]), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  return rows.length;
}

export async function markAllNotificationsRead(db: Db, userId: string): Promise<number> {
  const rows = await db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  return rows.length;
}

/** The caller's own notification (null for someone else's or an unknown id). */
export async function findOwnNotification(db: Db, userId: string, id: string): Promise<InboxItem | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const [row] = await db
    .select({
      id: notifications.id,
      kind: notifications.kind,
      title: notifications.title,
      body: notifications.body,
      link: notifications.link,
      readAt: notifications.readAt,
      createdAt: notifications.createdAt,
    })
    .from(notifications)
    .where(and(eq(notifications.id, id), eq(notifications.userId, userId)))
    .limit(1);
  return row ?? null;
}
