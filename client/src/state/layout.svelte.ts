const NARROW = '(max-width: 767px)';

/** Which panels are shown: at phone widths the sidebar is a drawer and members hide. */
export class Layout {
  narrow = $state(false);
  drawerOpen = $state(false);
  #membersWide = $state(true);
  #membersNarrow = $state(false);

  membersOpen = $derived(this.narrow ? this.#membersNarrow : this.#membersWide);

  constructor() {
    const query = matchMedia(NARROW);
    this.narrow = query.matches;
    $effect(() => {
      const change = (e: MediaQueryListEvent) => {
        this.narrow = e.matches;
        if (!e.matches) this.drawerOpen = false;
      };
      query.addEventListener('change', change);
      return () => query.removeEventListener('change', change);
    });
  }

  openDrawer(): void {
    this.drawerOpen = true;
    this.#membersNarrow = false;
  }

  closeDrawer(): void {
    this.drawerOpen = false;
  }

  toggleMembers(): void {
    if (this.narrow) this.#membersNarrow = !this.#membersNarrow;
    else this.#membersWide = !this.#membersWide;
  }

  closeMembers(): void {
    if (this.narrow) this.#membersNarrow = false;
  }
}
