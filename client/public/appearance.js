/*
 * Applies the user's appearance settings (theme, font size, compact mode,
 * reduced motion) to <html> before the first paint. index.html loads it
 * synchronously in <head>: the app's CSP allows no inline script, and a
 * module would run too late to avoid a flash of the wrong theme. It reads the
 * copy of the settings the app keeps in localStorage; the app calls
 * `echoraAppearance.apply` whenever the settings change, so there is one
 * implementation of how a setting shows.
 */
(function () {
  'use strict';
  var KEY = 'echora.settings';
  var dark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  var last = {};

  function apply(settings) {
    var s = settings || {};
    last = s;
    var root = document.documentElement;
    var theme = s.theme === 'light' || s.theme === 'dark' ? s.theme : null;
    if (s.theme === 'system') theme = dark && dark.matches ? 'dark' : 'light';
    root.setAttribute('data-theme', theme || 'dark');
    var size = Number(s.fontSize);
    if (size >= 12 && size <= 20 && size !== 16) {
      root.setAttribute('data-font-size', String(size));
      root.style.setProperty('--font-size', size + 'px');
    } else {
      root.removeAttribute('data-font-size');
      root.style.removeProperty('--font-size');
    }
    if (s.compact === true) root.setAttribute('data-compact', '');
    else root.removeAttribute('data-compact');
    if (s.reduceMotion === true) root.setAttribute('data-reduce-motion', '');
    else root.removeAttribute('data-reduce-motion');
    var meta = document.querySelector('meta[name="theme-color"]');
    if (meta)
      meta.setAttribute(
        'content',
        root.getAttribute('data-theme') === 'light' ? '#f2f3f5' : '#1e1f22',
      );
  }

  function stored() {
    try {
      var raw = window.localStorage.getItem(KEY);
      var value = raw ? JSON.parse(raw) : null;
      return value && typeof value === 'object' ? value : {};
    } catch {
      return {};
    }
  }

  function save(settings) {
    try {
      if (settings) window.localStorage.setItem(KEY, JSON.stringify(settings));
      else window.localStorage.removeItem(KEY);
    } catch {
      // Storage full or blocked: the settings still apply to this page.
    }
  }

  // "Follow the system" follows it live, too.
  if (dark && dark.addEventListener) {
    dark.addEventListener('change', function () {
      if (last.theme === 'system') apply(last);
    });
  }

  window.echoraAppearance = {
    apply: apply,
    stored: stored,
    /** Applies and remembers settings for the next start (null forgets them). */
    remember: function (settings) {
      save(settings);
      apply(settings);
    },
  };
  apply(stored());
})();
