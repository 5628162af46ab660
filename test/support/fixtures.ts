// Users with each role and their API tokens, for tests that check who may do what.
import type { Role } from '../../src/auth/permissions.ts';
import { createApiToken, createUser } from '../../src/auth/service.ts';
import type { Queryable } from '../../src/db/types.ts';

export const TEST_PASSWORD = 'correct horse battery staple';

export async function createUsersWithTokens(db: Queryable): Promise<Record<Role, string>> {
  const roles: Role[] = ['viewer', 'documenter', 'analyst', 'organiser', 'admin'];
  const tokens = {} as Record<Role, string>;
  for (const role of roles) {
    const email = `${role}@example.org`;
    await createUser(db, { email, password: TEST_PASSWORD, role });
    tokens[role] = (await createApiToken(db, email, 'test')).token;
  }
  return tokens;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
