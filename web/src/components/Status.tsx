import { ApiError, NetworkError } from '../api/client.ts';
import { t } from '../i18n/index.ts';

export function Loading({ label }: { label?: string }) {
  return (
    <p className="loading" role="status">
      {label ?? t('common.loading')}
    </p>
  );
}

/** A 404, or a 400 on a malformed id in the address: the thing asked for does not exist. */
export function isNotFound(error: Error): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 400);
}

export function errorMessage(error: Error): string {
  if (error instanceof NetworkError) return t('error.network');
  if (error instanceof ApiError) {
    if (error.status === 404) return t('error.notFound');
    if (error.status === 401) return t('error.unauthorised');
    if (error.status === 403) return t('error.forbidden');
    if (error.status === 429) return t('error.rateLimited');
    const p = error.problem;
    if (p?.title && p.detail) return `${p.title}: ${p.detail}`;
    if (p?.detail || p?.title) return p.detail ?? p.title ?? '';
    return t('error.status', { status: error.status });
  }
  return t('error.unexpected');
}

/** A failed load: what went wrong and a way to try again. */
export function ErrorState({
  error,
  onRetry,
  title,
}: {
  error: Error;
  onRetry?: () => void;
  title?: string;
}) {
  return (
    <div className="error-state" role="alert">
      <p className="error-title">{title ?? t('error.title')}</p>
      <p>{errorMessage(error)}</p>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}
