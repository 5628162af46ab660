// The ten stages of genocide (Stanton), in order, each with the dated observations recorded for the situation
// and the incidents and evidence items they rest on.
import { Link } from 'wouter';
import type { StageLadder } from '../api/risk.ts';
import { t } from '../i18n/index.ts';
import { formatDate } from '../lib/dates.ts';

export function StageLadderView({ ladder }: { ladder: StageLadder }) {
  return (
    <>
      <p className="note">
        {t('risk.stagesSource')} <a href={ladder.source.url}>{ladder.source.document}</a>
      </p>
      <ol className="stage-ladder">
        {ladder.stages.map((s) => (
          <li key={s.id} className={s.observations.length > 0 ? 'stage stage-observed' : 'stage'}>
            <p className="stage-name">
              <span className="stage-order">{s.order}</span> {s.name}
              <span className="small muted">
                {' '}
                — {s.observations.length > 0 ? t('risk.stageObserved') : t('risk.stageNone')}
              </span>
            </p>
            <p className="small muted stage-text">{s.text}</p>
            {s.observations.length > 0 && (
              <ul className="stage-observations">
                {s.observations.map((o) => (
                  <li key={o.id}>
                    <strong>
                      {o.endsOn
                        ? t('date.range', { from: formatDate(o.observedOn), to: formatDate(o.endsOn) })
                        : formatDate(o.observedOn)}
                    </strong>
                    : {o.note}
                    {(o.incidents.length > 0 || o.items.length > 0) && (
                      <span className="stage-links">
                        {' '}
                        {o.incidents.map((id, i) => (
                          <Link key={id} href={`/incidents/${id}`}>
                            {t('risk.incidentN', { n: i + 1 })}
                          </Link>
                        ))}
                        {o.items.map((id, i) => (
                          <Link key={id} href={`/items/${id}`}>
                            {t('risk.itemN', { n: i + 1 })}
                          </Link>
                        ))}
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </>
  );
}
