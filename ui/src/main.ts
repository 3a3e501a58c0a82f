// Entry point: mounts the desk's screen. Styles come from files only (the CSP allows no inline styles).
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('Das Element #app fehlt in index.html.');

export default mount(App, { target });
