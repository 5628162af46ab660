// `vigil serve`: open the database, load the built-in scenario once, and serve until stopped.
import { startAlerting } from '../alerts/worker.ts';
import { smtpOptionsFromEnv, smtpSender, startCampaignMail } from '../campaigns/mail.ts';
import type { Config } from '../config.ts';
import { startCoordinationWorker } from '../coordination/jobs.ts';
import { openDatabase } from '../db/connect.ts';
import { startEvidenceWorkers } from '../evidence/worker.ts';
import { BUILT_IN_SCENARIO, importScenario } from '../scenario/service.ts';
import { buildApp } from '../server/app.ts';

export async function serve(config: Config): Promise<void> {
  const started = performance.now();
  const db = await openDatabase(config);
  const where = db.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)';
  try {
    if (config.loadDemo) {
      const result = await importScenario(db, BUILT_IN_SCENARIO);
      if (result.status === 'imported') {
        console.error(`loaded the built-in scenario ${result.slug} (${result.counts.incidents} incidents)`);
      }
    }
    const app = await buildApp({
      db,
      cookieSecure: config.cookieSecure,
      publicUrl: config.publicUrl,
      petitionRateLimit: config.petitionRateLimit,
      trustProxy: config.trustProxy,
      logger: { level: config.logLevel },
      evidence: {
        blobDir: config.blobDir,
        maxUploadBytes: config.maxUploadBytes,
        keyDir: config.keyDir,
        checkpointEveryMs: 3_600_000,
        captureAllowPrivate: config.captureAllowPrivate,
        chromiumPath: config.chromiumPath,
        reportMaxBytes: config.reportMaxBytes,
        reportRateLimit: config.reportRateLimit,
      },
    });
    // Alerts: evaluate rules and deliver the outbox in this process (started after listen, stopped first).
    let alerting: { stop(): Promise<void> } | null = null;
    // Coordination runs (analyses of stored posts): claimed from their queue in the database.
    let coordination: { stop(): Promise<void> } | null = null;
    // Campaign mail (petition confirmations): delivered from its outbox when SMTP is configured.
    let campaignMail: { stop(): Promise<void> } | null = null;
    // Evidence: the URL capture queue's worker (jobs persist in the database; see docs/evidence.md).
    let evidenceWorkers: { stop(): Promise<void> } | null = null;
    const stop = async (signal: string) => {
      console.error(`${signal}: stopping`);
      await evidenceWorkers?.stop();
      await alerting?.stop();
      await coordination?.stop();
      await campaignMail?.stop();
      await app.close();
      await db.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
    const address = await app.listen({ host: config.host, port: config.port });
    evidenceWorkers = startEvidenceWorkers(db, config, (error) =>
      app.log.error({ err: error }, 'capture failed'),
    );
    alerting = startAlerting(db, { onError: (error) => app.log.error({ err: error }, 'alerting failed') });
    coordination = startCoordinationWorker(db, {
      databaseUrl: config.databaseUrl,
      onError: (error) => app.log.error({ err: error }, 'coordination run failed'),
    });
    const smtp = smtpOptionsFromEnv();
    if (smtp) {
      campaignMail = startCampaignMail(db, smtpSender(smtp), {
        onError: (error) => app.log.error({ err: error }, 'campaign mail failed'),
      });
    }
    const ms = Math.round(performance.now() - started);
    console.error(`Vigil listening on ${address} (${where}; ready in ${ms} ms)`);
  } catch (error) {
    await db.close();
    throw error;
  }
}
