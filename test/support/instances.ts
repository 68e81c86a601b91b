/**
 * An app instance as the tests see it: one host process plus one Chromium page showing it.
 * `launchInstance` starts both; `closeAll` ends every instance a test started.
 */
import { openApp, type AppPage, type LaunchOptions } from './browser.js';
import { startHost, type HostOptions, type RunningHost } from './host.js';

export interface Instance {
  host: RunningHost;
  app: AppPage;
  page: AppPage['page'];
  stop(): Promise<void>;
}

const running = new Set<Instance>();

export async function launchInstance(options: HostOptions & Pick<LaunchOptions, 'userDataDir' | 'beforeLoad'> = {}): Promise<Instance> {
  const host = await startHost(options);
  const app = await openApp(host.url, { userDataDir: options.userDataDir, beforeLoad: options.beforeLoad, netns: options.netns });
  const instance: Instance = {
    host,
    app,
    page: app.page,
    async stop() {
      running.delete(instance);
      await app.close();
      await host.stop();
    },
  };
  running.add(instance);
  return instance;
}

export async function closeAll(): Promise<void> {
  await Promise.all([...running].map((instance) => instance.stop()));
}
