// A situation's structured risk assessment: key figures, the factor levels of every assessment as a heat map
// over time (with the table behind it), the assessments with their printable reports, the ten stages with
// dated observations, suggestions from other modules, and for analysts the forms to assess.
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'wouter';
import type { AssessmentWithFactors, StageLadder, Suggestion } from '../api/risk.ts';
import type { Situation } from '../api/types.ts';
import { KeyFigure } from '../components/KeyFigure.tsx';
import { PageHeading } from '../components/PageHeading.tsx';
import { ErrorState, Loading } from '../components/Status.tsx';
import { formatNumber, t, tn } from '../i18n/index.ts';
import { formatDate } from '../lib/dates.ts';
import { usePageTitle } from '../lib/page.ts';
import { canAssess } from '../lib/permissions.ts';
import { useSession } from '../lib/session.tsx';
import { useSituations } from '../lib/situations.tsx';
import { useApi } from '../lib/useApi.ts';
import { AssessForm } from '../risk/AssessForm.tsx';
import { DiffView } from '../risk/DiffView.tsx';
import { FactorHeatMap } from '../risk/FactorHeatMap.tsx';
import { StageForm } from '../risk/StageForm.tsx';
import { StageLadderView } from '../risk/StageLadder.tsx';
import { Suggestions } from '../risk/Suggestions.tsx';

export default function RiskPage({ slug }: { slug: string }) {
  const enc = encodeURIComponent(slug);
  const base = `/s/${enc}`;
  const { setCurrent } = useSituations();
  useEffect(() => setCurrent(slug), [slug, setCurrent]);
  const { session, loaded } = useSession();
  const user = session?.user ?? null;
  const [version, setVersion] = useState(0);
  const bump = () => setVersion((v) => v + 1);
  const who = user?.id ?? 'anon';
  const situation = useApi<Situation>(`/situations/${enc}`);
  const sit = situation.result.state === 'ready' ? situation.result.data : null;
  usePageTitle(sit ? t('risk.documentTitle', { name: sit.name }) : t('risk.title'));
  const assessments = useApi<{ items: AssessmentWithFactors[] }>(
    loaded ? `/situations/${enc}/assessments#${who}#${version}` : null,
  );
  const stages = useApi<StageLadder>(loaded ? `/situations/${enc}/stages#${who}#${version}` : null);
  const suggestions = useApi<{ items: Suggestion[] }>(
    loaded ? `/situations/${enc}/suggestions?status=pending#${who}#${version}` : null,
  );
  // Keeps the last answer on screen while a change reloads it, so the forms below stay put.
  const [list, setList] = useState<AssessmentWithFactors[] | null>(null);
  useEffect(() => {
    if (assessments.result.state === 'ready') setList(assessments.result.data.items);
  }, [assessments.result]);
  // The ladder too: the stage form below it stays mounted (with its message) while a change reloads it.
  const [ladder, setLadder] = useState<StageLadder | null>(null);
  useEffect(() => {
    if (stages.result.state === 'ready') setLadder(stages.result.data);
  }, [stages.result]);
  const latest = list && list.length > 0 ? (list[list.length - 1] ?? null) : null;
  const elevated = latest
    ? latest.factors.filter((f) => f.level === 'present' || f.level === 'strongly-present')
    : [];
  const observed = useMemo(
    () =>
      stages.result.state === 'ready'
        ? stages.result.data.stages.filter((s) => s.observations.length > 0).length
        : null,
    [stages.result],
  );
  // Kept while a change reloads them, so the buttons and their messages stay on screen.
  const [pending, setPending] = useState<Suggestion[] | null>(null);
  useEffect(() => {
    if (suggestions.result.state === 'ready') setPending(suggestions.result.data.items);
  }, [suggestions.result]);
  const analyst = canAssess(user);

  return (
    <div className="page">
      <p className="breadcrumb">
        <Link href={base}>{sit?.name ?? t('incidents.backToOverview')}</Link>
      </p>
      <PageHeading>{t('risk.title')}</PageHeading>
      <p className="lead">{t('risk.lead')}</p>
      <p>
        <Link href="/risk/model">{t('riskModel.link')}</Link>
      </p>
      {situation.result.state === 'error' && (
        <ErrorState error={situation.result.error} onRetry={situation.retry} />
      )}
      {!list && assessments.result.state === 'loading' && <Loading />}
      {assessments.result.state === 'error' && (
        <ErrorState error={assessments.result.error} onRetry={assessments.retry} />
      )}
      {list && (
        <>
          <h2 className="visually-hidden">{t('dashboard.figures')}</h2>
          <dl className="figures">
            <KeyFigure label={t('risk.figure.assessments')} value={formatNumber(list.length)}>
              <a href="#assessments-table">{t('risk.figure.tableSource')}</a>
            </KeyFigure>
            <KeyFigure
              label={t('risk.figure.latest')}
              value={latest ? formatDate(latest.assessedOn) : t('risk.none')}
              text
            >
              {latest && (
                <a href={`/api/v1/situations/${enc}/assessments/${latest.id}/report`}>{t('risk.report')}</a>
              )}
            </KeyFigure>
            <KeyFigure label={t('risk.figure.elevated')} value={latest ? formatNumber(elevated.length) : '—'}>
              <span className="figure-note">{t('risk.figure.elevatedNote')}</span>
              <a href="#heatmap-table">{t('risk.figure.tableSource')}</a>
            </KeyFigure>
            <KeyFigure
              label={t('risk.figure.stages')}
              value={observed === null ? '…' : formatNumber(observed)}
            >
              <a href="#stages-heading">{t('risk.figure.stagesSource')}</a>
            </KeyFigure>
          </dl>

          <section aria-labelledby="heatmap-heading" className="section">
            <h2 id="heatmap-heading">{t('risk.heatmap')}</h2>
            {list.length === 0 ? (
              <p>{analyst ? t('risk.noneYetAnalyst') : t('risk.noneYet')}</p>
            ) : (
              <FactorHeatMap assessments={list} />
            )}
          </section>

          {list.length > 0 && (
            <section aria-labelledby="assessments-table" className="section">
              <h2 id="assessments-table" tabIndex={-1}>
                {t('risk.assessments')}
              </h2>
              <div className="table-wrap">
                <table className="data-table">
                  <caption>{tn('risk.assessmentsCaption', list.length, { name: sit?.name ?? slug })}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('risk.col.date')}</th>
                      <th scope="col">{t('risk.col.title')}</th>
                      <th scope="col">{t('risk.col.elevated')}</th>
                      <th scope="col">{t('risk.col.by')}</th>
                      <th scope="col">{t('risk.col.report')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {[...list].reverse().map((a) => (
                      <tr key={a.id}>
                        <td className="nowrap">{formatDate(a.assessedOn)}</td>
                        <td className="col-title">
                          {a.title || t('risk.untitled')}
                          {a.summary && <p className="small muted">{a.summary}</p>}
                        </td>
                        <td className="num">
                          {formatNumber(
                            a.factors.filter((f) => f.level === 'present' || f.level === 'strongly-present')
                              .length,
                          )}
                        </td>
                        <td>{a.createdBy}</td>
                        <td>
                          <a href={`/api/v1/situations/${enc}/assessments/${a.id}/report`}>
                            {t('risk.reportFor', { date: formatDate(a.assessedOn) })}
                          </a>
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

      <section aria-labelledby="stages-heading" className="section">
        <h2 id="stages-heading" tabIndex={-1}>
          {t('risk.stages')}
        </h2>
        {!ladder && stages.result.state === 'loading' && <Loading />}
        {stages.result.state === 'error' && <ErrorState error={stages.result.error} onRetry={stages.retry} />}
        {ladder && <StageLadderView ladder={ladder} />}
        {analyst && ladder && (
          <div className="upload-box">
            <StageForm slug={slug} ladder={ladder} onRecorded={bump} />
          </div>
        )}
      </section>

      {list && list.length > 1 && (
        <section aria-labelledby="diff-heading" className="section">
          <h2 id="diff-heading">{t('riskui.diff.heading')}</h2>
          <DiffView slug={slug} assessments={list} />
        </section>
      )}

      <section aria-labelledby="suggestions-heading" className="section">
        <h2 id="suggestions-heading">{t('risk.suggestions')}</h2>
        {suggestions.result.state === 'error' && (
          <ErrorState error={suggestions.result.error} onRetry={suggestions.retry} />
        )}
        {pending && (
          <Suggestions slug={slug} items={pending} canDecide={analyst} latest={latest} onChanged={bump} />
        )}
      </section>

      {analyst && list && (
        <section aria-labelledby="assess-heading" className="section upload-box">
          <h2 id="assess-heading">{t('risk.assess')}</h2>
          <AssessForm slug={slug} assessments={list} onChanged={bump} />
        </section>
      )}
      {loaded && !user && (
        <p className="note section">
          <Link href="/login">{t('risk.signInHint')}</Link>
        </p>
      )}
    </div>
  );
}
