// The portal's entry: mounts the app shell. Everything else is loaded by route (views/).
import { mount } from 'svelte'
import App from './App.svelte'
import './styles.css'

mount(App, { target: document.getElementById('app')! })
