/// <reference types="vite/client" />
import type { LanlinePreload } from '../../electron/contract';

declare global {
  interface Window {
    /** Present only inside the Electron app (the preload's three functions); in a browser the host's WebSocket serves. */
    lanline?: LanlinePreload;
  }
}

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
