/*
 * Web Push in the service worker. vite.config.ts has the generated worker
 * `importScripts` this file. A push carries who and where (and the text when
 * its receiver opted in), encrypted to this browser; it is shown as a
 * notification, and a click opens or focuses the app at that message.
 * The payload is checked before use: anything else is shown as a generic note.
 */
(function () {
  'use strict';
  var ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

  function text(value, max) {
    return typeof value === 'string' ? value.slice(0, max) : '';
  }

  /** The payload (shared/src/protocol/rest/push.ts), or null when it is not one. */
  function parse(data) {
    var p;
    try {
      p = data ? data.json() : null;
    } catch {
      return null;
    }
    if (!p || p.v !== 1 || (p.kind !== 'mention' && p.kind !== 'dm')) return null;
    if (!ID.test(p.channelId) || !ID.test(p.messageId)) return null;
    return {
      kind: p.kind,
      channelId: p.channelId,
      messageId: p.messageId,
      author: text(p.author, 64) || 'Someone',
      channel: text(p.channel, 100),
      text: text(p.text, 300),
    };
  }

  self.addEventListener('push', function (event) {
    var p = parse(event.data);
    // A push must always show something (userVisibleOnly).
    var title = !p
      ? 'Echora'
      : p.kind === 'dm'
        ? p.author + ' sent you a message'
        : p.author + ' mentioned you in #' + p.channel;
    var options = {
      body: p ? p.text || 'Open Echora to read it.' : 'Something new is waiting for you.',
      icon: '/icons/icon-192.png',
      tag: p ? p.messageId : 'echora',
      data: p ? { channelId: p.channelId, messageId: p.messageId } : {},
    };
    event.waitUntil(self.registration.showNotification(title, options));
  });

  function base64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = '';
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  /*
   * The push service replaced this browser's subscription (it expired or its
   * keys were rotated). The worker has no session, so the server accepts the
   * old endpoint with its auth secret as proof of the device. When the browser
   * gives no old subscription, the app re-registers on its next start
   * (client/src/state/push.svelte.ts `resync`).
   */
  self.addEventListener('pushsubscriptionchange', function (event) {
    var old = event.oldSubscription;
    if (!old || !old.getKey('auth')) return;
    var next = event.newSubscription
      ? Promise.resolve(event.newSubscription)
      : self.registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: old.options.applicationServerKey,
        });
    event.waitUntil(
      next.then(function (subscription) {
        var json = subscription.toJSON();
        return fetch(new URL('/api/push/renew', self.registration.scope).href, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            old: { endpoint: old.endpoint, auth: base64url(old.getKey('auth')) },
            subscription: { endpoint: json.endpoint, keys: json.keys },
          }),
        });
      }),
    );
  });

  self.addEventListener('notificationclick', function (event) {
    event.notification.close();
    var data = event.notification.data || {};
    var open = ID.test(data.channelId) && ID.test(data.messageId);
    var url = new URL(self.registration.scope);
    if (open) {
      url.searchParams.set('channel', data.channelId);
      url.searchParams.set('message', data.messageId);
    }
    event.waitUntil(
      self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(function (list) {
        var client = list.find(function (c) {
          return new URL(c.url).origin === url.origin && 'focus' in c;
        });
        if (!client) return self.clients.openWindow(url.href);
        if (open) {
          client.postMessage({
            type: 'echora.open',
            channelId: data.channelId,
            messageId: data.messageId,
          });
        }
        return client.focus();
      }),
    );
  });
})();
