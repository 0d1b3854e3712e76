import type { Report, ReportList, ReportOutcome } from '@echora/shared/protocol/rest/reports';
import { apiFetch } from './http.ts';

export type { Report, ReportOutcome };

/** Which list of reports: still open, or resolved and dismissed ones. */
export type ReportStatus = 'open' | 'closed';

/** One page of reports, newest first; `before` is the last report of the previous page. */
export function listReports(
  token: string,
  status: ReportStatus,
  before: string | null,
  limit = 25,
): Promise<ReportList> {
  const query = new URLSearchParams({ status, limit: String(limit) });
  if (before) query.set('before', before);
  return apiFetch<ReportList>(`/reports?${query.toString()}`, { token });
}

/** Closes an open report as resolved or dismissed (manage messages). */
export async function resolveReport(
  token: string,
  id: string,
  outcome: ReportOutcome,
): Promise<void> {
  await apiFetch<unknown>(`/reports/${encodeURIComponent(id)}/resolve`, {
    method: 'POST',
    token,
    body: { outcome },
  });
}
