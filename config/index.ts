export { ConfigError, loadConfig } from './load-config.ts';
export type { Config } from './schema.ts';
