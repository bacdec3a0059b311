import { consentThroughSimulator } from '../../helpers/consent.ts';
import { relayServiceEnv } from '../../helpers/relay-env.ts';
import { type RelayProcess, relayAdminToken, startRelay } from '../../helpers/relay-process.ts';
import { uniqueName } from '../../helpers/services.ts';
import type { Simulator } from '../../sim/index.ts';

/**
 * The relay as `npm start` runs it against the simulator, its one site connected by consent with a
 * webhook registered. `env` adds to the services (CONNECTORS_CONFIG, SYNC_*); leave
 * CONNECTORS_CONFIG out for the built-in default.
 */
export async function startConnectedRelay(
  sim: Simulator,
  env: Record<string, string>,
): Promise<RelayProcess> {
  const relay = await startRelay({ ...relayServiceEnv(sim), QUEUE_PREFIX: uniqueName('relay'), ...env });
  const consent = await consentThroughSimulator(relay.url);
  if (consent.status !== 200) throw new Error(`consent answered ${consent.status}:\n${relay.output()}`);
  const deadline = Date.now() + 20_000;
  while (sim.control.state().sites.some((s) => s.webhooks < 1)) {
    if (Date.now() > deadline) throw new Error(`no webhook registered:\n${relay.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return relay;
}

/** An admin API call with the relay's admin token. */
export async function adminApi(relay: RelayProcess, method: 'GET' | 'POST', path: string): Promise<unknown> {
  const response = await fetch(`${relay.url}/admin/api${path}`, {
    method,
    headers: { authorization: `Bearer ${relayAdminToken}` },
  });
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}`);
  return response.json();
}

/** The value of one sample of the relay's /metrics (0 when absent), labels matched exactly. */
export async function metricValue(
  relay: RelayProcess,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${wanted}} `));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}
