/*
 * Share to Echora (Web Share Target). The installed app's manifest names
 * `POST /share` as its share target (vite.config.ts): another app's "Share"
 * sends a multipart form with `title`, `text`, `url` and `files` here. The
 * worker keeps it in Cache Storage under a fresh id and opens the app at
 * `/?share=<id>`, which asks where to post it (client/src/lib/share.ts).
 * Nothing is sent anywhere until the user picks a conversation and sends.
 */
(function () {
  'use strict';
  var CACHE = 'echora-share';
  var MAX_FILES = 10;
  var MAX_TEXT = 4000;

  function field(form, name) {
    var value = form.get(name);
    return typeof value === 'string' ? value.slice(0, MAX_TEXT) : '';
  }

  async function keep(request) {
    var form;
    try {
      form = await request.formData();
    } catch {
      return Response.redirect(new URL('./', self.registration.scope).href, 303);
    }
    var id = crypto.randomUUID();
    var base = new URL('./share/' + id, self.registration.scope).href;
    var cache = await caches.open(CACHE);
    var files = form
      .getAll('files')
      .filter(function (f) {
        return typeof f !== 'string' && f.size > 0;
      })
      .slice(0, MAX_FILES);
    var names = [];
    for (var i = 0; i < files.length; i++) {
      var file = files[i];
      await cache.put(
        base + '/' + i,
        new Response(file, {
          headers: { 'content-type': file.type || 'application/octet-stream' },
        }),
      );
      names.push({ name: String(file.name).slice(0, 255), type: file.type });
    }
    var meta = {
      title: field(form, 'title'),
      text: field(form, 'text'),
      url: field(form, 'url'),
      files: names,
      at: Date.now(),
    };
    await cache.put(
      base,
      new Response(JSON.stringify(meta), { headers: { 'content-type': 'application/json' } }),
    );
    var open = new URL('./', self.registration.scope);
    open.searchParams.set('share', id);
    return Response.redirect(open.href, 303);
  }

  self.addEventListener('fetch', function (event) {
    var request = event.request;
    if (request.method !== 'POST') return;
    var url = new URL(request.url);
    if (url.href !== new URL('./share', self.registration.scope).href) return;
    event.respondWith(keep(request));
  });
})();
