// What `vigil serve` runs for alerts: the delivery worker (every few seconds) and the evaluation of every
// situation with enabled rules (every few minutes, as of today), then the daily digests of the days that are over. `stop()` waits for the pass in progress.
import type { Database } from '../db/types.ts';
import { type DeliveryOptions, deliveryOptionsFromEnv, startDeliveryWorker } from './delivery.ts';
import { evaluateSituation, queueDigests } from './service.ts';

export async function situationsWithRules(db: Database): Promise<string[]> {
  const rows = await db.query<{ slug: string }>(
    `SELECT DISTINCT s.slug FROM alert_rules r JOIN situations s ON s.id = r.situation_id WHERE r.enabled
     ORDER BY s.slug`,
  );
  return rows.map((r) => r.slug);
}

export function startAlerting(
  db: Database,
  options: DeliveryOptions & {
    evaluateEveryMs?: number;
    deliverEveryMs?: number;
    onError?: (error: unknown) => void;
  } = {},
): { stop(): Promise<void> } {
  const delivery = startDeliveryWorker(db, {
    ...deliveryOptionsFromEnv(),
    ...options,
    intervalMs: options.deliverEveryMs ?? 5_000,
  });
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = (async () => {
      for (const slug of await situationsWithRules(db)) {
        if (stopped) return;
        try {
          await evaluateSituation(db, slug);
        } catch (error) {
          options.onError?.(error);
        }
      }
      // Yesterday's digests, once the day is over (a digest per subscription and day, never two).
      if (!stopped) await queueDigests(db);
    })()
      .catch((error) => options.onError?.(error))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.evaluateEveryMs ?? 900_000);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.all([running, delivery.stop()]);
    },
  };
}
