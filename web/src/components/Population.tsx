import type { Population } from '../api/types.ts';
import { formatNumber, t } from '../i18n/index.ts';
import { SourceLinks } from './SourceLinks.tsx';

/** The population figure's note and its sources. */
export function PopulationSource({ population }: { population: Population }) {
  return (
    <>
      {population.note && <span className="figure-note">{population.note}</span>}
      <SourceLinks urls={population.sources} label={t('source.accordingTo')} />
    </>
  );
}

export function populationValue(population: Population | null): string {
  return population ? formatNumber(population.value) : t('population.unknown');
}
