import { api, query } from '../api/client.ts';
import type { Incident, Page } from '../api/types.ts';

/** Every incident of a situation (the API pages by 500 at most; follows nextCursor to the end). */
export async function fetchAllIncidents(slug: string, signal: AbortSignal): Promise<Incident[]> {
  const all: Incident[] = [];
  let cursor: string | null = null;
  do {
    const path: string = `/situations/${encodeURIComponent(slug)}/incidents${query({ limit: 500, cursor })}`;
    const page: Page<Incident> = await api.get<Page<Incident>>(path, signal);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}
