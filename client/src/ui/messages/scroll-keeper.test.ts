import { describe, expect, it } from 'vitest';
import { ScrollKeeper, type Viewport } from './scroll-keeper.ts';

/**
 * A list laid out in memory: rows of given heights stacked from the top, a
 * view of `clientHeight`, and scrollTop clamped as a browser clamps it.
 */
class Layout implements Viewport {
  rows: { key: string; height: number }[];
  clientHeight: number;
  #top = 0;
  writes = 0;

  constructor(heights: number[], clientHeight = 500) {
    this.rows = heights.map((height, i) => ({ key: `r${i}`, height }));
    this.clientHeight = clientHeight;
  }

  get scrollHeight(): number {
    return Math.max(
      this.clientHeight,
      this.rows.reduce((sum, r) => sum + r.height, 0),
    );
  }
  get scrollTop(): number {
    return this.#top;
  }
  /** The reader (or the browser) scrolls: no write of the keeper's. */
  set scrollTop(top: number) {
    this.#top = Math.min(Math.max(0, top), this.scrollHeight - this.clientHeight);
  }
  scrollTo(top: number): void {
    this.writes++;
    this.scrollTop = top;
  }
  #start(key: string): number | null {
    let y = 0;
    for (const r of this.rows) {
      if (r.key === key) return y;
      y += r.height;
    }
    return null;
  }
  firstVisible(): { key: string; top: number } | null {
    let y = 0;
    for (const r of this.rows) {
      if (y + r.height > this.#top) return { key: r.key, top: y - this.#top };
      y += r.height;
    }
    return null;
  }
  topOf(key: string): number | null {
    const start = this.#start(key);
    return start === null ? null : start - this.#top;
  }
  bottomGap(): number {
    return this.scrollHeight - this.clientHeight - this.#top;
  }
}

const rows = (n: number, h = 50) => Array.from({ length: n }, () => h);

describe('ScrollKeeper', () => {
  it('opens at the bottom and stays there as rows grow after layout and new rows arrive', () => {
    const view = new Layout(rows(40));
    const keeper = new ScrollKeeper(view);
    keeper.stick();
    expect(view.bottomGap()).toBe(0);

    view.rows[39] = { key: 'r39', height: 400 }; // an image loads in the newest row
    keeper.onResize();
    expect(view.bottomGap()).toBe(0);

    view.rows.push({ key: 'new', height: 324 }); // a tall message arrives
    keeper.onResize();
    expect(view.bottomGap()).toBe(0);
    expect(keeper.stuck).toBe(true);
  });

  it('the reader scrolling up unsticks it; rows growing above keep the first visible row in place', () => {
    const view = new Layout(rows(40));
    const keeper = new ScrollKeeper(view);
    keeper.stick();
    keeper.onScroll(); // the event for the keeper's own write
    view.scrollTop = 800; // the reader scrolls up
    keeper.onScroll();
    expect(keeper.stuck).toBe(false);
    const anchor = view.firstVisible();

    view.rows[3] = { key: 'r3', height: 350 }; // an image above the view loads
    view.rows.push({ key: 'new', height: 120 }); // and someone writes
    keeper.onResize();
    expect(view.firstVisible()).toEqual(anchor);
    expect(keeper.stuck).toBe(false);
  });

  it('a row growing inside the view does not move the rows above it', () => {
    const view = new Layout(rows(40));
    const keeper = new ScrollKeeper(view);
    keeper.stick();
    keeper.onScroll();
    view.scrollTop = 600;
    keeper.onScroll();
    const anchor = view.firstVisible();
    view.rows[15] = { key: 'r15', height: 300 };
    keeper.onResize();
    expect(view.firstVisible()).toEqual(anchor);
  });

  it("the list's own writes and the browser clamping a shrinking list never unstick it", () => {
    const view = new Layout(rows(40));
    const keeper = new ScrollKeeper(view);
    keeper.stick();
    keeper.onScroll();
    // The virtualizer corrects its offset upwards after measuring rows above.
    keeper.expect(view.scrollTop - 200);
    view.scrollTop -= 200;
    keeper.onScroll();
    expect(keeper.stuck).toBe(true);
    // Back at the bottom at once: no resize has to follow such a write.
    expect(view.bottomGap()).toBe(0);

    // Rows shrink: the browser clamps scrollTop down, still at the bottom.
    view.rows.splice(30, 5);
    const before = view.scrollTop;
    view.scrollTop = before; // the browser's clamp to the shorter list
    keeper.onScroll();
    expect(keeper.stuck).toBe(true);
  });

  it('scrolling back down to the bottom sticks again; stick() is "Jump to present"', () => {
    const view = new Layout(rows(40));
    const changes: boolean[] = [];
    const keeper = new ScrollKeeper(view, (stuck) => changes.push(stuck));
    keeper.stick();
    keeper.onScroll();
    view.scrollTop = 0;
    keeper.onScroll();
    expect(keeper.stuck).toBe(false);
    view.scrollTop = view.scrollHeight - view.clientHeight - 10;
    keeper.onScroll();
    expect(keeper.stuck).toBe(true);

    view.scrollTop = 0;
    keeper.onScroll();
    keeper.stick();
    expect(keeper.stuck).toBe(true);
    expect(view.bottomGap()).toBe(0);
    expect(changes).toEqual([false, true, false, true]);
  });

  it('release() lets a jump move away without being pulled back to the bottom', () => {
    const view = new Layout(rows(40));
    const keeper = new ScrollKeeper(view);
    keeper.stick();
    keeper.release();
    view.scrollTo(300);
    keeper.onScroll();
    view.rows.push({ key: 'new', height: 100 });
    keeper.onResize();
    expect(view.scrollTop).toBe(300);
  });

  it('a scroll event of a stick() that arrives after release() does not stick it again', () => {
    // Opening at the bottom, then a jump in the same frame: the browser reports
    // the stick's write only after the jump released the keeper.
    const view = new Layout(rows(40));
    const keeper = new ScrollKeeper(view);
    keeper.stick();
    keeper.release();
    keeper.onScroll();
    expect(keeper.stuck).toBe(false);
    // The jump's own write (announced, as the virtualizer does), then rows grow.
    keeper.expect(300);
    view.scrollTo(300);
    keeper.onScroll();
    view.rows.push({ key: 'new', height: 100 });
    keeper.onResize();
    expect(keeper.stuck).toBe(false);
    expect(view.scrollTop).toBe(300);

    // The reader scrolling back down to the bottom follows new rows again.
    view.scrollTop = view.scrollHeight - view.clientHeight;
    keeper.onScroll();
    expect(keeper.stuck).toBe(true);
  });
});
