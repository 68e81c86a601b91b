import { PROTOCOL_VERSION, type AppInfo } from '../contract.js';

export interface AppInfoSource {
  version: string;
  runtime: AppInfo['runtime'];
  platform: string;
}

export function appInfo(source: AppInfoSource): AppInfo {
  return { name: 'Lanline', protocolVersion: PROTOCOL_VERSION, ...source };
}
