// Explicit unit conversion for lifeline quantities. Every accepted unit is listed here; anything else is
// an error, never a guess. Truckloads convert to tonnes only with a stated tonnage per truckload.

export type NormalUnit = 't' | 'l' | 'persons' | 'vehicles';

export interface Converted {
  quantity: number;
  unit: NormalUnit;
  /** How the figure was converted, e.g. '19 truckloads × 20 t', or null when it was already normal. */
  conversion: string | null;
}

const FACTORS: Record<string, { unit: NormalUnit; factor: number }> = {
  t: { unit: 't', factor: 1 },
  tonne: { unit: 't', factor: 1 },
  tonnes: { unit: 't', factor: 1 },
  kg: { unit: 't', factor: 0.001 },
  l: { unit: 'l', factor: 1 },
  litre: { unit: 'l', factor: 1 },
  litres: { unit: 'l', factor: 1 },
  m3: { unit: 'l', factor: 1000 },
  persons: { unit: 'persons', factor: 1 },
  people: { unit: 'persons', factor: 1 },
  vehicles: { unit: 'vehicles', factor: 1 },
  trucks: { unit: 'vehicles', factor: 1 },
};

export const ACCEPTED_UNITS = [...Object.keys(FACTORS), 'truckloads'];

export class UnitError extends Error {}

const round = (x: number) => Math.round(x * 1e9) / 1e9;

export function convertQuantity(
  quantity: number,
  unit: string,
  tonnesPerTruckload: number | null = null,
): Converted {
  if (!Number.isFinite(quantity)) throw new UnitError('quantity must be a number');
  if (quantity < 0) throw new UnitError('quantity must not be negative');
  const key = unit.trim().toLowerCase();
  if (key === 'truckloads' || key === 'truckload') {
    if (tonnesPerTruckload === null || !(tonnesPerTruckload > 0)) {
      throw new UnitError('truckloads convert to tonnes only with a stated tonnage per truckload');
    }
    return {
      quantity: round(quantity * tonnesPerTruckload),
      unit: 't',
      conversion: `${quantity} truckloads × ${tonnesPerTruckload} t`,
    };
  }
  const known = FACTORS[key];
  if (!known) throw new UnitError(`unknown unit "${unit}" (accepted: ${ACCEPTED_UNITS.join(', ')})`);
  if (tonnesPerTruckload !== null)
    throw new UnitError('a tonnage per truckload only applies to the unit truckloads');
  if (known.factor === 1) return { quantity, unit: known.unit, conversion: null };
  return {
    quantity: round(quantity * known.factor),
    unit: known.unit,
    conversion: `${quantity} ${key} × ${known.factor} = ${round(quantity * known.factor)} ${known.unit}`,
  };
}

/** The unit a commodity is measured in once normalised. */
export function unitFitsCommodity(commodity: string, unit: NormalUnit): boolean {
  if (commodity === 'people') return unit === 'persons';
  if (commodity === 'vehicles') return unit === 'vehicles';
  return unit === 't' || unit === 'l';
}
