// The events registry (public): international events hosted by the target state, the boycott calls around
// each and the responses, with their sources; then the calls about events the registry does not hold.
import { useEffect } from 'react';
import { Link } from 'wouter';
import type { BoycottCall, HostedEvent } from '../api/response.ts';
import type { Situation } from '../api/types.ts';
import { KeyFigure } from '../components/KeyFigure.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, Loading } from '../components/Status.tsx';
import { formatNumber, t } from '../i18n/index.ts';
import { formatDate, formatRange } from '../lib/dates.ts';
import { usePageTitle } from '../lib/page.ts';
import { useSituations } from '../lib/situations.tsx';
import { useApi } from '../lib/useApi.ts';
import { eventKindLabel, responseKindLabel } from '../response/labels.ts';
import { ResponseNav } from '../response/ResponseNav.tsx';
import { Sources } from '../response/Sources.tsx';

function eventDates(e: HostedEvent): string {
  if (!e.startsOn) return e.datesText || t('response.undated');
  return formatRange(e.startsOn, null, e.endsOn, null);
}

function CallItem({ call }: { call: BoycottCall }) {
  return (
    <li className="call-item">
      <p>
        <strong>{call.title}</strong>
        <br />
        {t('events.callLine', {
          caller: call.caller,
          addressee: call.addressee,
          form: call.form,
          date: call.date ? formatDate(call.date, call.datePrecision) : t('response.undated'),
        })}
      </p>
      {call.description && <p>{call.description}</p>}
      {call.linkBasis && <p className="muted small">{t('events.linkBasis', { basis: call.linkBasis })}</p>}
      <p>
        <Sources sources={call.sources} />
      </p>
    </li>
  );
}

function EventCard({ event }: { event: HostedEvent }) {
  const names = (label: string, list: string[]) =>
    list.length > 0 && (
      <>
        <dt>{label}</dt>
        <dd>{list.join(', ')}</dd>
      </>
    );
  return (
    <article className="event-card" aria-labelledby={`event-${event.id}`}>
      <h3 id={`event-${event.id}`}>{event.name}</h3>
      <dl className="pairs">
        <dt>{t('events.kind')}</dt>
        <dd>{eventKindLabel(event.kind)}</dd>
        <dt>{t('events.dates')}</dt>
        <dd>
          {eventDates(event)}
          {event.datesText && (
            <span className="muted"> ({t('events.asWorded', { text: event.datesText })})</span>
          )}
        </dd>
        <dt>{t('events.host')}</dt>
        <dd>{event.host}</dd>
        {event.venue && (
          <>
            <dt>{t('events.venue')}</dt>
            <dd>{event.venue}</dd>
          </>
        )}
        {names(t('events.organisers'), event.organisers)}
        {names(t('events.sponsors'), event.sponsors)}
        {names(t('events.participants'), event.participants)}
      </dl>
      {event.description && <p>{event.description}</p>}
      <p>
        <Sources sources={event.sources} />
      </p>
      <h4>{t('events.calls')}</h4>
      {event.calls.length === 0 ? (
        <p className="muted">{t('events.noCalls')}</p>
      ) : (
        <ul className="plain-list call-list">
          {event.calls.map((c) => (
            <CallItem key={c.id} call={c} />
          ))}
        </ul>
      )}
      <h4>{t('events.responses')}</h4>
      {event.responses.length === 0 ? (
        <p className="muted">{t('events.noResponses')}</p>
      ) : (
        <ul className="plain-list call-list">
          {event.responses.map((r) => (
            <li key={r.id} className="call-item">
              <p>
                <strong>{r.responder}</strong>: {responseKindLabel(r.response)}
                {r.date && ` (${formatDate(r.date)})`}
              </p>
              {r.description && <p>{r.description}</p>}
              <p>
                <Sources sources={r.sources} />
              </p>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

export default function EventsPage({ slug }: { slug: string }) {
  const base = `/s/${encodeURIComponent(slug)}`;
  const enc = encodeURIComponent(slug);
  const { setCurrent } = useSituations();
  useEffect(() => setCurrent(slug), [slug, setCurrent]);
  const situation = useApi<Situation>(`/situations/${enc}`);
  const sit = situation.result.state === 'ready' ? situation.result.data : null;
  usePageTitle(sit ? t('events.documentTitle', { name: sit.name }) : t('events.title'));
  const events = useApi<{ items: HostedEvent[] }>(`/situations/${enc}/events`);
  const calls = useApi<{ items: BoycottCall[] }>(`/situations/${enc}/boycott-calls`);
  const list = events.result.state === 'ready' ? events.result.data.items : null;
  const allCalls = calls.result.state === 'ready' ? calls.result.data.items : null;
  const unlinked = allCalls?.filter((c) => !c.eventId) ?? [];
  return (
    <div className="page">
      <p className="breadcrumb">
        <Link href={base}>{sit?.name ?? t('incidents.backToOverview')}</Link>
      </p>
      <PageHeading>{t('events.title')}</PageHeading>
      <p className="lead">{t('events.lead')}</p>
      <ResponseNav slug={slug} />
      {events.result.state === 'loading' && <Loading />}
      {events.result.state === 'error' && <ErrorState error={events.result.error} onRetry={events.retry} />}
      {calls.result.state === 'error' && <ErrorState error={calls.result.error} onRetry={calls.retry} />}
      {list && (
        <>
          <h2 className="visually-hidden">{t('dashboard.figures')}</h2>
          <dl className="figures">
            <KeyFigure label={t('events.figure.events')} value={formatNumber(list.length)}>
              <a href="#events-table">{t('events.figure.tableSource')}</a>
            </KeyFigure>
            <KeyFigure label={t('events.figure.calls')} value={formatNumber(allCalls?.length ?? 0)}>
              <a href="#unlinked-heading">{t('events.figure.callsSource')}</a>
            </KeyFigure>
            <KeyFigure
              label={t('events.figure.responses')}
              value={formatNumber(list.reduce((n, e) => n + e.responses.length, 0))}
            >
              <span className="figure-note">{t('events.figure.responsesNote')}</span>
            </KeyFigure>
          </dl>

          <section aria-labelledby="events-heading" className="section">
            <h2 id="events-heading">{t('events.listHeading')}</h2>
            {list.length === 0 ? (
              <p>{t('events.none')}</p>
            ) : (
              <div className="event-list">
                {list.map((e) => (
                  <EventCard key={e.id} event={e} />
                ))}
              </div>
            )}
          </section>

          {allCalls && (
            <section aria-labelledby="unlinked-heading" className="section">
              <h2 id="unlinked-heading" tabIndex={-1}>
                {t('events.unlinkedHeading')}
              </h2>
              <p className="note">{t('events.unlinkedNote')}</p>
              {unlinked.length === 0 ? (
                <p>{t('events.noUnlinked')}</p>
              ) : (
                <ul className="plain-list call-list event-card">
                  {unlinked.map((c) => (
                    <CallItem key={c.id} call={c} />
                  ))}
                </ul>
              )}
            </section>
          )}

          {list.length > 0 && (
            <section aria-labelledby="events-table" className="section">
              <h2 id="events-table" tabIndex={-1}>
                {t('events.tableHeading')}
              </h2>
              <div className="table-wrap">
                <table className="data-table">
                  <caption>{t('events.tableCaption', { name: sit?.name ?? slug })}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('events.dates')}</th>
                      <th scope="col" className="col-title">
                        {t('events.name')}
                      </th>
                      <th scope="col">{t('events.kind')}</th>
                      <th scope="col">{t('events.venue')}</th>
                      <th scope="col" className="num">
                        {t('events.calls')}
                      </th>
                      <th scope="col" className="num">
                        {t('events.responses')}
                      </th>
                      <th scope="col">{t('response.col.sources')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((e) => (
                      <tr key={e.id}>
                        <td className="nowrap">{eventDates(e)}</td>
                        <td>
                          <a href={`#event-${e.id}`}>{e.name}</a>
                        </td>
                        <td>{eventKindLabel(e.kind)}</td>
                        <td>{e.venue ?? ''}</td>
                        <td className="num">{formatNumber(e.calls.length)}</td>
                        <td className="num">{formatNumber(e.responses.length)}</td>
                        <td>
                          <Sources sources={e.sources} label="" />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          )}
        </>
      )}
    </div>
  );
}
