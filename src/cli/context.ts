// What every `vigil` command shares: the configured database, and who acts at the terminal.
import { hostname, userInfo } from 'node:os';
import type { Actor, Role } from '../auth/permissions.ts';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/connect.ts';
import type { Database } from '../db/types.ts';
import type { Author } from '../evidence/incidents.ts';

/** Opens the configured database (migrated), runs `work`, and always closes it. */
export async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(loadConfig());
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

/** Who acts from the command line: the operating-system account, since no Vigil user signs in. */
export function terminalAuthor(): Author {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers)
  }
  return { userId: null, label: `vigil command (${user}@${hostname()})` };
}

/**
 * The operator at the terminal as an actor for permission checks. They hold the database itself, so a
 * command may act with any role and in every organisation; each command asks for the least role it needs. The id matches no user row:
 * changes are recorded through `terminalAuthor()`, never with this id.
 */
export function terminalActor(role: Role): Actor {
  return {
    kind: 'user',
    user: { id: '00000000-0000-0000-0000-000000000000', email: terminalAuthor().label, role },
    via: 'token',
    // Like any role, every organisation: the operator holds the database (docs/organisations.md).
    organisations: 'all',
  };
}
