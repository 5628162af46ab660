// English messages of one part of the app, merged into messages.en.ts (same key rules as there).
export const evidenceExtraMessages = {
  'evidence.publishableNoPreview': 'Publishable copy (no preview)',
  'evidence.noPublishableWhy': 'Shown only to those who may see sealed originals: {reason}',
  'evidence.publishableVideo': 'Publishable copy of {title} (video, without location or device metadata)',
  'evidence.publishableAudio': 'Publishable copy of {title} (audio, without location or device metadata)',
  'evidence.captureResumed':
    'Resumed after an interruption (attempt {attempt} of {max}); nothing already sealed is stored again.',
  'capture.stage.resuming after an interruption': 'resuming after an interruption',
  'capture.stage.resuming: the response was sealed before the interruption':
    'resuming: the response was sealed before the interruption',
  'capture.stage.queued again after an error': 'queued again after an error',
  'evidence.captureJobs.heading': 'Recent captures',
  'evidence.captureJobs.none': 'No page has been captured in this situation yet.',
  'evidence.captureJobs.caption.one': 'The latest capture of this situation',
  'evidence.captureJobs.caption.other': 'The {count} latest captures of this situation, newest first',
  'evidence.captureJobs.col.url': 'Page',
  'evidence.captureJobs.col.status': 'Status',
  'evidence.captureJobs.col.progress': 'Progress',
  'evidence.captureJobs.col.attempts': 'Attempts',
  'evidence.captureJobs.col.requested': 'Asked for',
  'evidence.captureJobs.col.outcome': 'Result or error',
  'evidence.captureJobs.status.queued': 'Queued',
  'evidence.captureJobs.status.running': 'Running',
  'evidence.captureJobs.status.succeeded': 'Captured',
  'evidence.captureJobs.status.failed': 'Failed',
  'evidence.captureJobs.progressOf': 'Progress of the capture of {url}',
  'evidence.captureJobs.attempts': '{attempts} of {max}',
  'evidence.captureJobs.resumed': 'resumed after an interruption',
  'evidence.captureJobs.parts.one': '{count} part sealed: open the record',
  'evidence.captureJobs.parts.other': '{count} parts sealed: open the record',
  'evidence.captureJobs.explain':
    'Captures run one at a time on the server, also when you leave this page. A capture whose server stopped is taken up again, up to 3 attempts.',
} as const;
