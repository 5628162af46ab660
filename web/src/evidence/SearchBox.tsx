// A situation-wide search box: sends the words to the search page of the situation.
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useLocation } from 'wouter';
import { t } from '../i18n/index.ts';

export function SearchBox({ slug, initial = '' }: { slug: string; initial?: string }) {
  const id = useId();
  const [, navigate] = useLocation();
  const [q, setQ] = useState(initial);
  useEffect(() => setQ(initial), [initial]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!q.trim()) return;
    navigate(`/s/${encodeURIComponent(slug)}/search?q=${encodeURIComponent(q.trim())}`);
  };
  return (
    <form className="inline-form search-box" onSubmit={submit}>
      <div className="field">
        <label htmlFor={id}>{t('search.label')}</label>
        <input id={id} type="search" value={q} onChange={(e) => setQ(e.target.value)} maxLength={200} />
      </div>
      <button type="submit" className="button button-small">
        {t('search.submit')}
      </button>
    </form>
  );
}
