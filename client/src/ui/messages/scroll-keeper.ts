/**
 * What the keeper needs from a scrolling list: its geometry, a way to scroll
 * it, and where its rows are (by key, relative to the top of the view).
 */
export interface Viewport {
  readonly scrollTop: number;
  readonly scrollHeight: number;
  readonly clientHeight: number;
  scrollTo(top: number): void;
  /** The first row at least partly in view, and its top relative to the view's top. */
  firstVisible(): { key: string; top: number } | null;
  /** Row `key`'s top relative to the view's top, null when it is not rendered. */
  topOf(key: string): number | null;
}

/** Two writes closer than this are the same offset (sub-pixel rounding). */
const SAME_PX = 1.5;

/**
 * Keeps a chat list where the reader left it. At the bottom ("stuck") it stays
 * at the bottom whatever grows: new rows, images loading, code highlighting,
 * a smaller viewport. Scrolled up, the first visible row keeps its exact place
 * on screen when anything above or inside it changes size.
 *
 * Only the reader unsticks it: scrolling up by wheel, touch, keys or
 * scrollbar. Writes made by the list itself (announced with `expect`) and
 * the browser clamping a shrinking list never count as the reader leaving.
 * Feed it `onScroll` from the scroll event and `onResize` from a
 * ResizeObserver on the content and on the view (never from timers).
 */
export class ScrollKeeper {
  #stuck = true;
  #lastTop = 0;
  #expected: number | null = null;
  #anchor: { key: string; top: number } | null = null;

  constructor(
    private readonly view: Viewport,
    /** Told whenever `stuck` changes (the list shows it: read marks, "Jump to present"). */
    private readonly onStuck: (stuck: boolean) => void = () => undefined,
    /** Within this many pixels of the bottom counts as at the bottom. */
    private readonly threshold = 32,
  ) {}

  /** At the bottom, following new content. */
  get stuck(): boolean {
    return this.#stuck;
  }

  set stuck(value: boolean) {
    if (value === this.#stuck) return;
    this.#stuck = value;
    this.onStuck(value);
  }

  /** How far the bottom of the content is below the bottom of the view. */
  distanceFromBottom(): number {
    const v = this.view;
    return Math.max(0, v.scrollHeight - v.clientHeight - v.scrollTop);
  }

  /** A scroll event. */
  onScroll(): void {
    const top = this.view.scrollTop;
    const ours = this.#expected !== null && Math.abs(top - this.#expected) < SAME_PX;
    this.#expected = null;
    // Back at the bottom sticks again when the reader took it there, not when
    // a write of ours did after release(): the event of a stick() made just
    // before a jump can arrive after the jump's release(), still at the bottom.
    if (this.distanceFromBottom() <= this.threshold && (!ours || this.stuck)) this.stuck = true;
    else if (!ours && top < this.#lastTop - 0.5) this.stuck = false;
    this.#lastTop = top;
    this.#anchor = this.stuck ? null : this.view.firstVisible();
    // Still following, yet moved off the bottom by the list's own write (the
    // virtualizer keeping a row in place as the window changes): back down
    // now, not at the next resize, which may never come.
    if (this.stuck && this.distanceFromBottom() > 0) this.#write(this.#bottom());
  }

  /** The list (its virtualizer) is about to scroll to `top` itself. */
  expect(top: number): void {
    this.#expected = top;
  }

  /** The content or the view changed size: stay at the bottom, or keep the anchor row in place. */
  onResize(): void {
    if (this.stuck) {
      if (this.distanceFromBottom() > 0) this.#write(this.#bottom());
      return;
    }
    const anchor = this.#anchor;
    if (!anchor) return;
    const now = this.view.topOf(anchor.key);
    if (now === null || Math.abs(now - anchor.top) < 0.5) return;
    this.#write(this.view.scrollTop + (now - anchor.top));
  }

  /** Goes to the bottom and follows it ("Jump to present", opening a channel). */
  stick(): void {
    this.stuck = true;
    this.#anchor = null;
    this.#write(this.#bottom());
  }

  /** The list is about to move elsewhere on purpose (a jump to a quoted message, the top). */
  release(): void {
    this.stuck = false;
    this.#anchor = null;
  }

  #bottom(): number {
    return Math.max(0, this.view.scrollHeight - this.view.clientHeight);
  }

  #write(top: number): void {
    const target = Math.min(Math.max(0, top), this.#bottom());
    this.#expected = target;
    this.#lastTop = target;
    this.view.scrollTo(target);
    if (!this.stuck) this.#anchor = this.view.firstVisible();
  }
}
