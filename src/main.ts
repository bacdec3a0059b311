import closeWithGrace from 'close-with-grace';
import { Redis } from 'ioredis';
import { type Config, ConfigError, loadConfig } from '../config/index.ts';
import { buildApp } from './app.ts';
import { createLogger } from './logger.ts';

/**
 * The one entry point and composition root: configuration, real dependencies, then the roles that
 * ROLE asks for. The only module that imports workers/.
 */
function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) process.stderr.write(`config error: ${problem}\n`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const log = createLogger({ level: config.LOG_LEVEL });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: true });
  await redis.connect();

  const app = await buildApp({
    config,
    log,
    readiness: [{ name: 'redis', check: async () => void (await redis.ping()) }],
  });
  if (config.ROLE !== 'worker') await app.listen({ port: config.PORT, host: config.HOST });

  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS, logger: log }, async ({ err, signal }) => {
    if (err) log.error({ err }, 'shutting down after an error');
    else log.info({ signal }, 'shutting down');
    await app.close();
    await redis.quit();
  });
}

await main();
