// Both drivers read values the same way: dates stay 'YYYY-MM-DD' text (no time-zone shift),
// bigint counts become numbers, numerics become numbers.
export const PG_TYPE = { INT8: 20, DATE: 1082, NUMERIC: 1700 } as const;

export const valueParsers: Record<number, (text: string) => unknown> = {
  [PG_TYPE.INT8]: (text) => Number(text),
  [PG_TYPE.DATE]: (text) => text,
  [PG_TYPE.NUMERIC]: (text) => Number(text),
};
