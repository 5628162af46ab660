// The results of one finished run: downloads, the graph explorer with the posts behind an edge,
// communities and narratives (with links to incidents and evidence, and a narrative's stance).
import { useEffect, useId, useRef, useState } from 'react';
import { Link as RouterLink } from 'wouter';
import { api } from '../api/client.ts';
import { Field } from '../components/Form.tsx';
import { ErrorState, errorMessage, Loading } from '../components/Status.tsx';
import { formatNumber, t, tMaybe } from '../i18n/index.ts';
import { formatTimestamp } from '../lib/dates.ts';
import { useApi } from '../lib/useApi.ts';
import {
  type Community,
  coordinationPath,
  deleteRequest,
  type EdgePosts,
  fileUrl,
  type GraphData,
  type Link,
  type Narrative,
  type Run,
  STANCES,
  type Stance,
  zipUrl,
} from './api.ts';
import { communityColour, GraphExplorer } from './GraphExplorer.tsx';

export function Results({ slug, run, canWrite }: { slug: string; run: Run; canWrite: boolean }) {
  const [version, setVersion] = useState(0);
  const bump = () => setVersion((v) => v + 1);
  const base = coordinationPath(slug, `/runs/${run.id}`);
  const graph = useApi<GraphData>(`${base}/graph`);
  const communities = useApi<{ items: Community[] }>(`${base}/communities#${version}`);
  const narratives = useApi<{ items: Narrative[] }>(`${base}/narratives#${version}`);
  const [edge, setEdge] = useState<{ source: string; target: string } | null>(null);

  return (
    <>
      <section aria-labelledby="coord-export-heading" className="section">
        <h2 id="coord-export-heading">{t('coordination.export.title')}</h2>
        <p>
          <a className="button" href={zipUrl(slug, run.id)} download>
            {t('coordination.export.zip')}
          </a>
        </p>
        <ul className="coord-files">
          {run.files.map((name) => (
            <li key={name}>
              <a href={fileUrl(slug, run.id, name)} download>
                {name}
              </a>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="coord-graph-heading" className="section">
        <h2 id="coord-graph-heading">{t('coordination.graph.title')}</h2>
        {graph.result.state === 'loading' && <Loading />}
        {graph.result.state === 'error' && <ErrorState error={graph.result.error} onRetry={graph.retry} />}
        {graph.result.state === 'ready' &&
          (graph.result.data.nodes.length === 0 ? (
            <p>{t('coordination.graph.empty')}</p>
          ) : (
            <GraphExplorer
              data={graph.result.data}
              onOpenEdge={(source, target) => setEdge({ source, target })}
            />
          ))}
        {edge && <EdgePanel slug={slug} runId={run.id} edge={edge} onClose={() => setEdge(null)} />}
      </section>

      <section aria-labelledby="coord-communities-heading" className="section">
        <h2 id="coord-communities-heading">{t('coordination.communities.title')}</h2>
        {communities.result.state === 'loading' && <Loading />}
        {communities.result.state === 'error' && (
          <ErrorState error={communities.result.error} onRetry={communities.retry} />
        )}
        {communities.result.state === 'ready' &&
          (communities.result.data.items.length === 0 ? (
            <p>{t('coordination.communities.none')}</p>
          ) : (
            communities.result.data.items.map((c) => (
              <CommunityCard key={c.id} slug={slug} community={c} canWrite={canWrite} onChanged={bump} />
            ))
          ))}
      </section>

      <section aria-labelledby="coord-narratives-heading" className="section">
        <h2 id="coord-narratives-heading">{t('coordination.narratives.title')}</h2>
        <p className="note">{t('coordination.narratives.about')}</p>
        {narratives.result.state === 'loading' && <Loading />}
        {narratives.result.state === 'error' && (
          <ErrorState error={narratives.result.error} onRetry={narratives.retry} />
        )}
        {narratives.result.state === 'ready' &&
          (narratives.result.data.items.length === 0 ? (
            <p>{t('coordination.narratives.none')}</p>
          ) : (
            narratives.result.data.items
              .slice(0, 50)
              .map((n) => (
                <NarrativeCard key={n.id} slug={slug} narrative={n} canWrite={canWrite} onChanged={bump} />
              ))
          ))}
      </section>
    </>
  );
}

function EdgePanel({
  slug,
  runId,
  edge,
  onClose,
}: {
  slug: string;
  runId: string;
  edge: { source: string; target: string };
  onClose: () => void;
}) {
  const q = `?source=${encodeURIComponent(edge.source)}&target=${encodeURIComponent(edge.target)}`;
  const behind = useApi<EdgePosts>(coordinationPath(slug, `/runs/${runId}/edge${q}`));
  const heading = useRef<HTMLHeadingElement | null>(null);
  useEffect(() => heading.current?.focus(), []);
  const posts =
    behind.result.state === 'ready' ? new Map(behind.result.data.posts.map((p) => [p.id, p])) : null;
  return (
    <section className="coord-edge-panel" aria-labelledby="coord-edge-heading">
      <h3 id="coord-edge-heading" tabIndex={-1} ref={heading}>
        {t('coordination.edge.title', { a: edge.source, b: edge.target })}
      </h3>
      <button type="button" className="button button-secondary" onClick={onClose}>
        {t('coordination.edge.close')}
      </button>
      {behind.result.state === 'loading' && <Loading />}
      {behind.result.state === 'error' && <ErrorState error={behind.result.error} onRetry={behind.retry} />}
      {behind.result.state === 'ready' && posts && (
        <div className="table-wrap">
          <table className="data-table">
            <caption>
              {t('coordination.edge.caption', {
                n: behind.result.data.coActions.length,
                episodes: behind.result.data.episodes,
              })}
              {behind.result.data.truncated ? ` ${t('coordination.edge.truncated')}` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('coordination.edge.episode')}</th>
                <th scope="col">{t('coordination.edge.behaviour')}</th>
                <th scope="col">{edge.source}</th>
                <th scope="col">{edge.target}</th>
                <th scope="col">{t('coordination.edge.apart')}</th>
              </tr>
            </thead>
            <tbody>
              {behind.result.data.coActions.map((c) => {
                const [a, b] = c.posts.map((id) => posts.get(id));
                const first = a?.author === edge.source ? a : b;
                const second = a?.author === edge.source ? b : a;
                return (
                  <tr key={`${c.behaviour}-${c.posts.join('-')}`}>
                    <td className="num">{c.episode}</td>
                    <td>
                      {c.behaviour}
                      <p className="small muted coord-object">{c.object}</p>
                    </td>
                    {[first, second].map((p, i) => (
                      <td key={p?.id ?? i}>
                        {p && (
                          <>
                            <p className="small muted">
                              {formatTimestamp(p.createdAt)} · {p.platform} {p.id}
                              {p.repostOf ? ` · ${t('coordination.edge.repostOf', { id: p.repostOf })}` : ''}
                            </p>
                            <p className="coord-post-text">{p.text}</p>
                          </>
                        )}
                      </td>
                    ))}
                    <td className="num">{t('coordination.edge.seconds', { n: c.seconds })}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Counts({
  title,
  values,
}: {
  title: string;
  values: { value: string; count: number }[] | undefined;
}) {
  if (!values || values.length === 0) return null;
  return (
    <div className="coord-counts">
      <h4>{title}</h4>
      <ol>
        {values.slice(0, 5).map((v) => (
          <li key={v.value}>
            <span className="coord-value">{v.value}</span>{' '}
            <span className="muted">({formatNumber(v.count)})</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

function Activity({ activity }: { activity: Community['summary']['activity'] }) {
  if (!activity || activity.counts.length === 0) return null;
  const max = Math.max(1, ...activity.counts);
  const total = activity.counts.reduce((a, b) => a + b, 0);
  const bars = activity.counts.slice(0, 400);
  return (
    <figure className="coord-activity">
      <figcaption>
        {t(activity.bin === 'hour' ? 'coordination.activity.hourly' : 'coordination.activity.daily', {
          posts: total,
          start: formatTimestamp(activity.start),
        })}
      </figcaption>
      <svg viewBox={`0 0 ${bars.length} 20`} preserveAspectRatio="none" aria-hidden="true">
        {bars.map((v, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: bins are positional
          <rect key={i} x={i} y={20 - (v / max) * 20} width={0.9} height={(v / max) * 20} fill="#0072B2" />
        ))}
      </svg>
    </figure>
  );
}

function CommunityCard({
  slug,
  community,
  canWrite,
  onChanged,
}: {
  slug: string;
  community: Community;
  canWrite: boolean;
  onChanged: () => void;
}) {
  const s = community.summary;
  return (
    <article className="coord-card" aria-labelledby={`community-${community.id}`}>
      <h3 id={`community-${community.id}`}>
        <span
          className="coord-swatch"
          style={{ background: communityColour(community.number) }}
          aria-hidden="true"
        />
        {t('coordination.communityN', { n: community.number })}: {community.label}
      </h3>
      <p>
        {t('coordination.communities.line', {
          size: community.size,
          posts: s.posts ?? 0,
          behaviours: community.behaviours.join(', ') || '—',
        })}
        {community.firstSeen && community.lastSeen && (
          <>
            {' · '}
            {t('coordination.communities.active', {
              from: formatTimestamp(community.firstSeen),
              to: formatTimestamp(community.lastSeen),
            })}
          </>
        )}
      </p>
      <p className="small">
        {t('coordination.communities.accounts')}{' '}
        {(s.accounts ?? [])
          .slice(0, 12)
          .map((a) => a.author_name ?? a.author)
          .join(', ')}
        {(s.accounts?.length ?? 0) > 12 ? ' …' : ''}
      </p>
      <div className="coord-count-grid">
        <Counts title={t('coordination.communities.topTexts')} values={s.top_texts} />
        <Counts title={t('coordination.communities.topLinks')} values={s.top_links} />
        <Counts title={t('coordination.communities.topHashtags')} values={s.top_hashtags} />
      </div>
      <Activity activity={s.activity} />
      <Links
        slug={slug}
        links={community.links}
        from={{ communityId: community.id }}
        canWrite={canWrite}
        onChanged={onChanged}
        name={t('coordination.communityN', { n: community.number })}
      />
    </article>
  );
}

function NarrativeCard({
  slug,
  narrative,
  canWrite,
  onChanged,
}: {
  slug: string;
  narrative: Narrative;
  canWrite: boolean;
  onChanged: () => void;
}) {
  const name = t('coordination.narrativeN', { n: narrative.number });
  return (
    <article className="coord-card" aria-labelledby={`narrative-${narrative.id}`}>
      <h3 id={`narrative-${narrative.id}`}>{name}</h3>
      <blockquote className="coord-post-text">{narrative.label}</blockquote>
      <p>
        {t('coordination.narratives.line', {
          posts: narrative.postCount,
          accounts: narrative.accountCount,
          flagged: narrative.summary.flagged_posts ?? 0,
        })}
        {narrative.communityNumber !== null && (
          <> · {t('coordination.narratives.pushedBy', { n: narrative.communityNumber })}</>
        )}
        {narrative.firstSeen && (
          <>
            {' · '}
            {t('coordination.narratives.first', {
              when: formatTimestamp(narrative.firstSeen),
              who: narrative.summary.first_post?.author ?? '—',
            })}
          </>
        )}
      </p>
      <p>
        <strong>{t('coordination.stance.label')}:</strong>{' '}
        <span data-testid={`stance-${narrative.number}`}>
          {tMaybe(`coordination.stance.${narrative.stance}`, narrative.stance)}
        </span>
        {narrative.stanceSetBy && narrative.stanceSetAt && (
          <span className="muted">
            {' '}
            {t('coordination.stance.by', {
              who: narrative.stanceSetBy,
              when: formatTimestamp(narrative.stanceSetAt),
            })}
          </span>
        )}
        {narrative.stanceNote && <span> — {narrative.stanceNote}</span>}
        {narrative.stanceCarriedFrom && (
          <span className="muted" data-testid={`stance-carried-${narrative.number}`}>
            {' '}
            {t('coordination.stance.carried')}
          </span>
        )}
      </p>
      {canWrite && <StanceForm slug={slug} narrative={narrative} name={name} onChanged={onChanged} />}
      <Links
        slug={slug}
        links={narrative.links}
        from={{ narrativeId: narrative.id }}
        canWrite={canWrite}
        onChanged={onChanged}
        name={name}
      />
    </article>
  );
}

function StanceForm({
  slug,
  narrative,
  name,
  onChanged,
}: {
  slug: string;
  narrative: Narrative;
  name: string;
  onChanged: () => void;
}) {
  const id = useId();
  const [stance, setStance] = useState<Stance>(narrative.stance);
  const [note, setNote] = useState(narrative.stanceNote ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.patch(coordinationPath(slug, `/narratives/${narrative.id}`), {
        stance,
        note: note.trim() || null,
      });
      onChanged();
    } catch (err) {
      setError(errorMessage(err instanceof Error ? err : new Error(String(err))));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="form coord-inline-form"
      onSubmit={submit}
      aria-label={t('coordination.stance.formFor', { name })}
    >
      <Field id={`${id}-stance`} label={t('coordination.stance.set')}>
        {(props) => (
          <select
            {...props}
            value={stance}
            onChange={(e) => setStance(e.target.value as Stance)}
            disabled={busy}
          >
            {STANCES.map((s) => (
              <option key={s} value={s}>
                {tMaybe(`coordination.stance.${s}`, s)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id={`${id}-note`} label={t('coordination.stance.note')}>
        {(props) => (
          <input
            {...props}
            type="text"
            value={note}
            maxLength={4000}
            onChange={(e) => setNote(e.target.value)}
            disabled={busy}
          />
        )}
      </Field>
      <div className="field-actions">
        <button type="submit" className="button" disabled={busy}>
          {t('coordination.stance.save')}
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

interface Target {
  id: string;
  title: string;
}

function Links({
  slug,
  links,
  from,
  canWrite,
  onChanged,
  name,
}: {
  slug: string;
  links: Link[];
  from: { communityId: string } | { narrativeId: string };
  canWrite: boolean;
  onChanged: () => void;
  name: string;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [choice, setChoice] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [targets, setTargets] = useState<{ incidents: Target[]; items: Target[] } | null>(null);
  useEffect(() => {
    if (!open || targets) return;
    const enc = encodeURIComponent(slug);
    Promise.all([
      api.get<{ items: Target[] }>(`/situations/${enc}/incidents?limit=200`).catch(() => ({ items: [] })),
      api.get<{ items: Target[] }>(`/situations/${enc}/items?limit=200`).catch(() => ({ items: [] })),
    ]).then(([incidents, items]) => setTargets({ incidents: incidents.items, items: items.items }));
  }, [open, targets, slug]);

  const add = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!choice) {
      setError(t('coordination.links.choose'));
      return;
    }
    const [kind, targetId] = choice.split(':');
    try {
      await api.post(coordinationPath(slug, '/links'), {
        ...from,
        ...(kind === 'incident' ? { incidentId: targetId } : { itemId: targetId }),
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      setChoice('');
      setNote('');
      setError(null);
      setOpen(false);
      onChanged();
    } catch (err) {
      setError(errorMessage(err instanceof Error ? err : new Error(String(err))));
    }
  };
  const remove = async (link: Link) => {
    try {
      await deleteRequest(coordinationPath(slug, `/links/${link.id}`));
      onChanged();
    } catch (err) {
      setError(errorMessage(err instanceof Error ? err : new Error(String(err))));
    }
  };

  return (
    <div className="coord-links">
      {links.length > 0 && (
        <>
          <h4>{t('coordination.links.title')}</h4>
          <ul>
            {links.map((l) => (
              <li key={l.id}>
                <RouterLink
                  href={l.target.kind === 'incident' ? `/incidents/${l.target.id}` : `/items/${l.target.id}`}
                >
                  {l.target.title}
                </RouterLink>{' '}
                <span className="muted">
                  ({tMaybe(`coordination.links.kind.${l.target.kind}`, l.target.kind)})
                </span>
                {l.note && <span> — {l.note}</span>}
                {canWrite && (
                  <button type="button" className="link-button" onClick={() => void remove(l)}>
                    {t('coordination.links.remove', { title: l.target.title })}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {canWrite && !open && (
        <button type="button" className="button button-secondary" onClick={() => setOpen(true)}>
          {t('coordination.links.add', { name })}
        </button>
      )}
      {canWrite && open && (
        <form
          className="form coord-inline-form"
          onSubmit={add}
          aria-label={t('coordination.links.add', { name })}
        >
          {!targets ? (
            <Loading />
          ) : (
            <Field id={`${id}-target`} label={t('coordination.links.target')}>
              {(props) => (
                <select {...props} value={choice} onChange={(e) => setChoice(e.target.value)}>
                  <option value="">{t('coordination.links.choose')}</option>
                  {targets.incidents.length > 0 && (
                    <optgroup label={t('coordination.links.incidents')}>
                      {targets.incidents.map((i) => (
                        <option key={i.id} value={`incident:${i.id}`}>
                          {i.title}
                        </option>
                      ))}
                    </optgroup>
                  )}
                  {targets.items.length > 0 && (
                    <optgroup label={t('coordination.links.items')}>
                      {targets.items.map((i) => (
                        <option key={i.id} value={`item:${i.id}`}>
                          {i.title}
                        </option>
                      ))}
                    </optgroup>
                  )}
                </select>
              )}
            </Field>
          )}
          <Field id={`${id}-note`} label={t('coordination.links.note')}>
            {(props) => (
              <input
                {...props}
                type="text"
                value={note}
                maxLength={2000}
                onChange={(e) => setNote(e.target.value)}
              />
            )}
          </Field>
          <div className="field-actions">
            <button type="submit" className="button">
              {t('coordination.links.save')}
            </button>
            <button type="button" className="button button-secondary" onClick={() => setOpen(false)}>
              {t('coordination.links.cancel')}
            </button>
          </div>
        </form>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
