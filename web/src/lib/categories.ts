// Stable colours and shapes for incident categories. Colours from the Okabe–Ito colour-blind-safe palette
// (and grey); eight colours carry fourteen categories, so categories that share a colour differ in shape.
// Red is kept for alerts and is not used here. Every shape has a dark outline so that light colours
// (yellow, sky blue) keep a 3:1 contrast against the white page and the map.
import { tMaybe } from '../i18n/index.ts';

export type Shape = 'circle' | 'square' | 'diamond' | 'triangle';

export interface CategoryStyle {
  colour: string;
  shape: Shape;
}

export const OKABE_ITO = {
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
  black: '#000000',
  grey: '#8C8C8C',
} as const;

const STYLES: Record<string, CategoryStyle> = {
  blockade: { colour: OKABE_ITO.orange, shape: 'circle' },
  humanitarian: { colour: OKABE_ITO.skyBlue, shape: 'circle' },
  infrastructure: { colour: OKABE_ITO.bluishGreen, shape: 'circle' },
  displacement: { colour: OKABE_ITO.yellow, shape: 'circle' },
  diplomatic: { colour: OKABE_ITO.blue, shape: 'circle' },
  military: { colour: OKABE_ITO.vermillion, shape: 'circle' },
  legal: { colour: OKABE_ITO.reddishPurple, shape: 'circle' },
  casualties: { colour: OKABE_ITO.black, shape: 'circle' },
  detention: { colour: OKABE_ITO.orange, shape: 'square' },
  advocacy: { colour: OKABE_ITO.skyBlue, shape: 'square' },
  ceasefire: { colour: OKABE_ITO.bluishGreen, shape: 'square' },
  territorial: { colour: OKABE_ITO.vermillion, shape: 'square' },
  political: { colour: OKABE_ITO.blue, shape: 'square' },
  event: { colour: OKABE_ITO.grey, shape: 'square' },
};

const FALLBACK: CategoryStyle = { colour: OKABE_ITO.grey, shape: 'diamond' };

/** The known categories in legend order. */
export const KNOWN_CATEGORIES: readonly string[] = Object.keys(STYLES);

export function categoryStyle(category: string): CategoryStyle {
  return STYLES[category] ?? FALLBACK;
}

export function categoryLabel(category: string): string {
  const fallback = category.charAt(0).toUpperCase() + category.slice(1).replace(/[_-]+/g, ' ');
  return tMaybe(`category.${category}`, fallback);
}

/** Sorts categories in legend order; unknown ones last, alphabetically. */
export function sortCategories(categories: Iterable<string>): string[] {
  const order = (c: string) => {
    const i = KNOWN_CATEGORIES.indexOf(c);
    return i < 0 ? KNOWN_CATEGORIES.length : i;
  };
  return [...new Set(categories)].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
}

export const OUTLINE = '#1E293B';

/** SVG path data for a shape that fits a circle of radius r centred on (0,0). */
export function shapePath(shape: Shape, r: number): string {
  switch (shape) {
    case 'square': {
      const s = r * 0.82;
      return `M${-s},${-s}H${s}V${s}H${-s}Z`;
    }
    case 'diamond':
      return `M0,${-r}L${r},0L0,${r}L${-r},0Z`;
    case 'triangle':
      return `M0,${-r}L${r * 0.9},${r * 0.6}L${-r * 0.9},${r * 0.6}Z`;
    default:
      return `M${-r},0A${r},${r} 0 1,0 ${r},0A${r},${r} 0 1,0 ${-r},0Z`;
  }
}

/** A standalone SVG string of the category's symbol (for map markers). */
export function symbolSvg(category: string, size: number): string {
  const { colour, shape } = categoryStyle(category);
  const r = size / 2 - 1.5;
  const c = size / 2;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="${-c} ${-c} ${size} ${size}" aria-hidden="true" focusable="false"><path d="${shapePath(shape, r)}" fill="${colour}" stroke="${OUTLINE}" stroke-width="1.25"/></svg>`;
}
