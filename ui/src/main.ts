// Entry point: mounts the desk's screen, or the citizen's screen in the window the desk opens for a second
// monitor (`index.html#citizen`). Styles come from files only (the CSP allows no inline styles).
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import CitizenScreen from './components/CitizenScreen.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('Das Element #app fehlt in index.html.');

export default location.hash === '#citizen' ? mount(CitizenScreen, { target }) : mount(App, { target });
