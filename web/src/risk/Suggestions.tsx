// Indicators and stages that other modules suggest (the lifeline today). Nothing is set by them: an analyst
// accepts (marking the indicator in the latest assessment) or rejects each one, and the decision is kept.
import { useState } from 'react';
import { api } from '../api/client.ts';
import type { AssessmentHead, Suggestion } from '../api/risk.ts';
import { errorMessage } from '../components/Status.tsx';
import { t } from '../i18n/index.ts';
import { formatDate } from '../lib/dates.ts';

function SuggestionItem({
  slug,
  s,
  canDecide,
  latest,
  onChanged,
}: {
  slug: string;
  s: Suggestion;
  canDecide: boolean;
  latest: AssessmentHead | null;
  onChanged: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const decide = async (decision: 'accepted' | 'rejected') => {
    setBusy(true);
    setError(null);
    try {
      const body =
        decision === 'accepted' && s.targetKind === 'indicator' && latest
          ? { decision, assessmentId: latest.id }
          : { decision };
      await api.post(
        `/situations/${encodeURIComponent(slug)}/suggestions/${encodeURIComponent(s.id)}/decision`,
        body,
      );
      onChanged();
    } catch (err) {
      setError(err instanceof Error ? errorMessage(err) : String(err));
      setBusy(false);
    }
  };
  const target =
    s.targetKind === 'indicator'
      ? t('risk.suggestion.indicator', { id: s.target })
      : t('risk.suggestion.stage', { id: s.target });
  return (
    <li className="suggestion">
      <p className="suggestion-line">
        <strong>{target}</strong>{' '}
        <span className="small muted">
          {t('risk.suggestion.from', { origin: s.origin })}
          {s.startsOn &&
            ` · ${s.endsOn ? t('date.range', { from: formatDate(s.startsOn), to: formatDate(s.endsOn) }) : formatDate(s.startsOn)}`}
        </span>
      </p>
      <p className="suggestion-line">{s.reason}</p>
      {s.evidence.length > 0 && (
        <p className="small suggestion-line">
          {t('risk.suggestion.sources')}{' '}
          {s.evidence
            .flatMap((e) => e.sources)
            .slice(0, 6)
            .map((src, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the same source may back two records
              <a key={`${src.url}-${i}`} href={src.url} className="source-inline">
                {src.outlet ?? new URL(src.url).hostname}
              </a>
            ))}
        </p>
      )}
      {canDecide && (
        <div className="button-row">
          <button
            type="button"
            className="button button-small"
            disabled={busy}
            onClick={() => decide('accepted')}
          >
            {latest && s.targetKind === 'indicator'
              ? t('risk.suggestion.acceptInto', { date: formatDate(latest.assessedOn) })
              : t('risk.suggestion.accept')}
          </button>
          <button
            type="button"
            className="button button-small button-secondary"
            disabled={busy}
            onClick={() => decide('rejected')}
          >
            {t('risk.suggestion.reject')}
          </button>
        </div>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

export function Suggestions({
  slug,
  items,
  canDecide,
  latest,
  onChanged,
}: {
  slug: string;
  items: Suggestion[];
  canDecide: boolean;
  latest: AssessmentHead | null;
  onChanged: () => void;
}) {
  const [refreshing, setRefreshing] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const refresh = async () => {
    setRefreshing(true);
    setNote(null);
    try {
      const r = await api.post<{ created: Suggestion[] }>(
        `/situations/${encodeURIComponent(slug)}/suggestions/refresh`,
      );
      setNote(t('risk.suggestion.refreshed', { count: r.created.length }));
      onChanged();
    } catch (err) {
      setNote(err instanceof Error ? errorMessage(err) : String(err));
    } finally {
      setRefreshing(false);
    }
  };
  return (
    <>
      <p className="note">{t('risk.suggestionsNote')}</p>
      {canDecide && (
        <p>
          <button
            type="button"
            className="button button-small button-secondary"
            onClick={refresh}
            disabled={refreshing}
          >
            {t('risk.suggestion.refresh')}
          </button>{' '}
          <span role="status">{note}</span>
        </p>
      )}
      {items.length === 0 ? (
        <p>{t('risk.suggestion.none')}</p>
      ) : (
        <ul className="suggestions">
          {items.map((s) => (
            <SuggestionItem
              key={s.id}
              slug={slug}
              s={s}
              canDecide={canDecide}
              latest={latest}
              onChanged={onChanged}
            />
          ))}
        </ul>
      )}
    </>
  );
}
