/**
 * One relay process for the cross-process refresh test: builds the token services from the env the
 * parent passes (same Redis prefix, same simulator), prints `ready`, waits for a line on stdin, then
 * makes CALLS concurrent Jira calls for the connection named in argv and prints one JSON result line.
 */
import { once } from 'node:events';
import { loadConfig } from '../../../config/index.ts';
import { JiraClient } from '../../../src/atlassian/jira/jira-client.ts';
import { jiraClientOptions } from '../../../src/composition/jira-services.ts';
import { createTokenServices } from '../../../src/composition/token-services.ts';
import { createLogger } from '../../../src/logger.ts';
import { createRedisClient } from '../../../src/state/redis-client.ts';
import { myself } from '../../helpers/jira-myself.ts';

const [connectionId = '', callsArg = '20'] = process.argv.slice(2);
const config = loadConfig(process.env);
// REDIS_CLUSTER_NODES, when the parent runs on a cluster, makes it a cluster client, as in the relay.
const redis = createRedisClient(config, { maxRetriesPerRequest: null });
const log = createLogger({ level: 'warn', destination: process.stderr });
const services = createTokenServices(config, { redis, log, keyPrefix: process.env.KEY_PREFIX ?? '' });
const connection = await services.connections.get(connectionId);
if (!connection) throw new Error(`no connection ${connectionId}`);
const jira = new JiraClient(connection, jiraClientOptions(config, { tokens: services.tokens, log }));

process.stdout.write('ready\n');
await once(process.stdin, 'data');
const results = await Promise.allSettled(Array.from({ length: Number(callsArg) }, () => myself(jira)));
const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
process.stdout.write(`${JSON.stringify({ ok: results.length - failures.length, failures })}\n`);
await redis.quit();
// Keep-alive sockets to the simulator would hold the process open for a minute.
process.exit(0);
