// Runtime configuration, read once from the environment at the edge (see README's configuration table).
import { resolve } from 'node:path';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | null;
  loadDemo: boolean;
  logLevel: string;
  /** Marks the session cookie `Secure`. Defaults on, except when serving plain HTTP on a loopback host. */
  cookieSecure: boolean;
  /** Trust X-Forwarded-* from a reverse proxy (needed for rate limits and Secure cookies behind TLS). */
  trustProxy: boolean;
}

export class ConfigError extends Error {}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

function flag(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (['1', 'true', 'yes', 'on'].includes(value.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
  throw new ConfigError(`${name} must be 1 or 0 (got "${value}")`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const host = env.HOST || '127.0.0.1';
  const portText = env.PORT || '8080';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be an integer between 0 and 65535 (got "${portText}")`);
  }
  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  }
  return {
    host,
    port,
    dataDir: resolve(env.VIGIL_DATA_DIR || './data'),
    databaseUrl,
    loadDemo: !(flag(env.VIGIL_NO_DEMO, 'VIGIL_NO_DEMO') ?? false),
    logLevel: env.LOG_LEVEL || 'info',
    cookieSecure: flag(env.VIGIL_COOKIE_SECURE, 'VIGIL_COOKIE_SECURE') ?? !LOOPBACK.has(host),
    trustProxy: flag(env.VIGIL_TRUST_PROXY, 'VIGIL_TRUST_PROXY') ?? false,
  };
}
