// Alerting's settings from the environment (README's configuration table), read at the edge.
import { ConfigError } from '../config.ts';

export interface AlertSettings {
  smtpUrl: string | null;
  mailFrom: string | undefined;
  /** VIGIL_WEBHOOK_ALLOW_PRIVATE=1: webhooks may reach private, loopback and link-local addresses. */
  webhookAllowPrivate: boolean;
}

export function alertSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): AlertSettings {
  const allow = (env.VIGIL_WEBHOOK_ALLOW_PRIVATE ?? '').toLowerCase();
  if (allow && !['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(allow)) {
    throw new ConfigError(
      `VIGIL_WEBHOOK_ALLOW_PRIVATE must be 1 or 0 (got "${env.VIGIL_WEBHOOK_ALLOW_PRIVATE}")`,
    );
  }
  return {
    smtpUrl: env.VIGIL_SMTP_URL || null,
    mailFrom: env.VIGIL_MAIL_FROM || undefined,
    webhookAllowPrivate: ['1', 'true', 'yes', 'on'].includes(allow),
  };
}
