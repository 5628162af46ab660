import type { ReactNode } from 'react';
import { t, tn } from '../i18n/index.ts';
import { categoryLabel, categoryStyle, OUTLINE, shapePath, sortCategories } from '../lib/categories.ts';

/** The category's symbol (colour and shape), decorative: the label always sits beside it. */
export function CategorySymbol({ category, size = 14 }: { category: string; size?: number }) {
  const { colour, shape } = categoryStyle(category);
  const c = size / 2;
  return (
    <svg
      className="symbol"
      width={size}
      height={size}
      viewBox={`${-c} ${-c} ${size} ${size}`}
      aria-hidden="true"
      focusable="false"
    >
      <path d={shapePath(shape, c - 1.5)} fill={colour} stroke={OUTLINE} strokeWidth={1.25} />
    </svg>
  );
}

export function CategoryTag({ category }: { category: string }) {
  return (
    <span className="category-tag">
      <CategorySymbol category={category} />
      {categoryLabel(category)}
    </span>
  );
}

/** The legend of the categories present, with counts when given. */
export function CategoryLegend({ counts, extra }: { counts: Record<string, number>; extra?: ReactNode }) {
  const cats = sortCategories(Object.keys(counts));
  return (
    <div className="legend">
      <h3 className="legend-title">{t('legend.title')}</h3>
      <ul className="legend-list">
        {cats.map((c) => (
          <li key={c}>
            <CategorySymbol category={c} />
            <span>{categoryLabel(c)}</span>
            <span className="legend-count">{tn('legend.count', counts[c] ?? 0)}</span>
          </li>
        ))}
        {extra}
      </ul>
    </div>
  );
}
