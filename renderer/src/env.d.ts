/// <reference types="vite/client" />
import type { LanlineApi } from '../../electron/contract';

declare global {
  interface Window {
    /** Present only inside the Electron app (preload); the host build talks over a WebSocket. */
    lanline?: LanlineApi;
  }
}

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
