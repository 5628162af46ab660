// Calendar days as YYYY-MM-DD, in UTC (as the alerts API gives them).
const DAY = 86_400_000;

export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}
