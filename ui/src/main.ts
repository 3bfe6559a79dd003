import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { tauriBackend } from './lib/backend';
import { installErrorReporting } from './lib/reporting';

// Installed before mounting so that an error while building the first window is reported too.
installErrorReporting(window, tauriBackend);

const target = document.getElementById('app');
if (target === null) {
  throw new Error('index.html has no #app element to mount the window into');
}

export default mount(App, { target, props: { backend: tauriBackend } });
