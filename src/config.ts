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
  /** The address people reach this server at (links in e-mails); without it only loopback requests get links. */
  publicUrl: string | null;
  /** Content-addressed store of evidence files (sealed originals and publishable copies). */
  blobDir: string;
  /** The largest evidence upload accepted, in bytes. */
  maxUploadBytes: number;
  /** Where the Ed25519 key that signs custody checkpoints and bundles lives (`vigil keys init`). */
  keyDir: string;
  /** Let URL captures reach private, loopback and link-local addresses (an administrator's choice). */
  captureAllowPrivate: boolean;
  /** Headless chromium for capture screenshots and PDFs (captures keep only the raw response without it). */
  chromiumPath: string;
  /** How long a capture worker's claim on a job lasts without renewal (a dead worker's job is retaken after it). */
  captureLeaseMs: number;
  /** The largest file a public report may carry, in bytes (never more than maxUploadBytes). */
  reportMaxBytes: number;
  /** Public reports accepted per client and hour. */
  reportRateLimit: number;
  /** Public campaign requests (sign, confirm, letters, call reports) per client, endpoint and hour. */
  petitionRateLimit: number;
}

export class ConfigError extends Error {}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

function flag(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (['1', 'true', 'yes', 'on'].includes(value.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
  throw new ConfigError(`${name} must be 1 or 0 (got "${value}")`);
}

function publicUrl(value: string | undefined): string | null {
  if (!value) return null;
  if (!/^https?:\/\/[^/\s]+/.test(value) || !URL.canParse(value)) {
    throw new ConfigError(
      `VIGIL_PUBLIC_URL must be an http(s) address such as https://vigil.example.org (got "${value}")`,
    );
  }
  return value.replace(/\/+$/, '');
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
  const dataDir = resolve(env.VIGIL_DATA_DIR || './data');
  const maxText = env.VIGIL_MAX_UPLOAD_BYTES || String(2 * 1024 ** 3);
  const maxUploadBytes = Number(maxText);
  if (!Number.isSafeInteger(maxUploadBytes) || maxUploadBytes < 1) {
    throw new ConfigError(
      `VIGIL_MAX_UPLOAD_BYTES must be a positive whole number of bytes (got "${maxText}")`,
    );
  }
  const reportText = env.VIGIL_REPORT_MAX_BYTES || String(100 * 1024 ** 2);
  const reportMaxBytes = Number(reportText);
  if (!Number.isSafeInteger(reportMaxBytes) || reportMaxBytes < 1) {
    throw new ConfigError(
      `VIGIL_REPORT_MAX_BYTES must be a positive whole number of bytes (got "${reportText}")`,
    );
  }
  const rateText = env.VIGIL_REPORT_RATE_LIMIT || '10';
  const reportRateLimit = Number(rateText);
  if (!Number.isSafeInteger(reportRateLimit) || reportRateLimit < 1) {
    throw new ConfigError(`VIGIL_REPORT_RATE_LIMIT must be a positive whole number (got "${rateText}")`);
  }
  const leaseText = env.VIGIL_CAPTURE_LEASE_SECONDS || '60';
  const captureLeaseSeconds = Number(leaseText);
  if (!Number.isSafeInteger(captureLeaseSeconds) || captureLeaseSeconds < 1) {
    throw new ConfigError(`VIGIL_CAPTURE_LEASE_SECONDS must be a positive whole number (got "${leaseText}")`);
  }
  const petitionText = env.VIGIL_PETITION_RATE_LIMIT || '30';
  const petitionRateLimit = Number(petitionText);
  if (!Number.isSafeInteger(petitionRateLimit) || petitionRateLimit < 1) {
    throw new ConfigError(
      `VIGIL_PETITION_RATE_LIMIT must be a positive whole number (got "${petitionText}")`,
    );
  }
  return {
    host,
    port,
    dataDir,
    databaseUrl,
    loadDemo: !(flag(env.VIGIL_NO_DEMO, 'VIGIL_NO_DEMO') ?? false),
    logLevel: env.LOG_LEVEL || 'info',
    cookieSecure: flag(env.VIGIL_COOKIE_SECURE, 'VIGIL_COOKIE_SECURE') ?? !LOOPBACK.has(host),
    trustProxy: flag(env.VIGIL_TRUST_PROXY, 'VIGIL_TRUST_PROXY') ?? false,
    publicUrl: publicUrl(env.VIGIL_PUBLIC_URL),
    blobDir: resolve(env.VIGIL_BLOB_DIR || `${dataDir}/blobs`),
    maxUploadBytes,
    keyDir: resolve(env.VIGIL_KEY_DIR || `${dataDir}/keys`),
    captureAllowPrivate: flag(env.VIGIL_CAPTURE_ALLOW_PRIVATE, 'VIGIL_CAPTURE_ALLOW_PRIVATE') ?? false,
    chromiumPath: env.VIGIL_CHROMIUM || '/usr/bin/chromium',
    captureLeaseMs: captureLeaseSeconds * 1000,
    reportMaxBytes: Math.min(reportMaxBytes, maxUploadBytes),
    reportRateLimit,
    petitionRateLimit,
  };
}
