// What `vigil serve` runs for the evidence vault besides its routes: the URL capture queue's worker.
import type { Config } from '../config.ts';
import type { Database } from '../db/types.ts';
import { BlobStore } from './blobs.ts';
import { startCaptureWorker } from './capture.ts';

export function startEvidenceWorkers(
  db: Database,
  config: Pick<
    Config,
    'blobDir' | 'maxUploadBytes' | 'captureAllowPrivate' | 'chromiumPath' | 'captureLeaseMs'
  >,
  onError: (error: unknown) => void,
): { stop(): Promise<void> } {
  return startCaptureWorker(
    {
      vault: { db, blobs: new BlobStore(config.blobDir), maxUploadBytes: config.maxUploadBytes },
      allowPrivate: config.captureAllowPrivate,
      chromiumPath: config.chromiumPath,
    },
    { leaseMs: config.captureLeaseMs, onError },
  );
}
