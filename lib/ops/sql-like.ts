/** Makes user text literal inside a LIKE / ILIKE pattern (PostgreSQL's default escape is "\"). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
