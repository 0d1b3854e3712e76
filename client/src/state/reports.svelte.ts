import { SvelteSet } from 'svelte/reactivity';
import * as api from '../api/reports.ts';
import type { Report, ReportOutcome, ReportStatus } from '../api/reports.ts';
import { indexById } from '../lib/format.ts';
import { describeError, handleError, toasts } from './toasts.svelte.ts';

/**
 * The moderators' report queue (REST, online only): one list at a time, open
 * or closed, newest first, a page at a time. Resolving or dismissing a report
 * takes it off the open list at once.
 */
export class ReportQueue {
  status: ReportStatus = $state('open');
  reports: Report[] = $state([]);
  /** The next (older) page's cursor; null once everything is shown. */
  nextCursor: string | null = $state(null);
  loading = $state(false);
  loaded = $state(false);
  error = $state('');
  /** Reports being resolved, so their buttons wait. */
  readonly busy = new SvelteSet<string>();

  constructor(private readonly getToken: () => Promise<string>) {}

  /** Shows `status`'s list from its newest report. */
  async show(status: ReportStatus): Promise<void> {
    this.status = status;
    this.reports = [];
    this.nextCursor = null;
    this.loaded = false;
    await this.#load(null);
  }

  /** Adds the next page of older reports. */
  async more(): Promise<void> {
    if (this.nextCursor && !this.loading) await this.#load(this.nextCursor);
  }

  async #load(before: string | null): Promise<void> {
    const status = this.status;
    this.loading = true;
    try {
      const page = await api.listReports(await this.getToken(), status, before);
      if (status !== this.status) return; // the other tab was chosen meanwhile
      const known = indexById(this.reports);
      this.reports = [...this.reports, ...page.reports.filter((r) => !known.has(r.id))];
      this.nextCursor = page.nextCursor;
      this.error = '';
    } catch (e) {
      this.error = describeError(e);
    } finally {
      this.loading = false;
      this.loaded = true;
    }
  }

  /** Resolves or dismisses `report`; true when the server accepted it. */
  async resolve(report: Report, outcome: ReportOutcome): Promise<boolean> {
    if (this.busy.has(report.id)) return false;
    this.busy.add(report.id);
    try {
      await api.resolveReport(await this.getToken(), report.id, outcome);
      this.reports = this.reports.filter((r) => r.id !== report.id);
      toasts.show(outcome === 'resolved' ? 'Report resolved.' : 'Report dismissed.');
      return true;
    } catch (e) {
      handleError(e, 'Not done');
      return false;
    } finally {
      this.busy.delete(report.id);
    }
  }
}
