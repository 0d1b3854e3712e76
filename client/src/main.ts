import { mount } from 'svelte';
import App from './App.svelte';
import { pwa } from './state/pwa.svelte.ts';
import { registerEmojiFont } from './lib/emoji-font.ts';
import { platform } from './platform/index.ts';
import { followThemeInStatusBar } from './platform/status-bar.ts';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

registerEmojiFont();
if (platform.kind === 'capacitor') followThemeInStatusBar(platform);
mount(App, { target });

// Dev serves modules live; only a build has a service worker to register.
if (import.meta.env.PROD) pwa.register();
