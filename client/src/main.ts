import { mount } from 'svelte';
import App from './App.svelte';
import { pwa } from './state/pwa.svelte.ts';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

mount(App, { target });

// Dev serves modules live; only a build has a service worker to register.
if (import.meta.env.PROD) pwa.register();
