import { relaySetting } from './container-env.ts';
import type { DeploymentContainer } from './deployment-containers.ts';

/** Kubernetes' default when a pod spec sets none. */
const defaultGraceSeconds = 30;

/**
 * Stopping a pod: the preStop pause runs first, then SIGTERM, after which the relay has
 * SHUTDOWN_TIMEOUT_MS (as the container sets it, else the config schema's default) to drain; the
 * kubelet's SIGKILL comes terminationGracePeriodSeconds after the start of all that. So the grace
 * period must be longer than the pause and the shutdown together.
 */
export function shutdownProblems(item: DeploymentContainer): string[] {
  const preStop = item.container.lifecycle?.preStop;
  const pause = preStop?.sleep?.seconds ?? sleepCommandSeconds(preStop?.exec?.command);
  if (pause === undefined) {
    return [`${item.where} lifecycle.preStop must pause (sleep.seconds, or exec ["sleep", "<seconds>"])`];
  }
  const shutdownMs = relaySetting(item.env, 'SHUTDOWN_TIMEOUT_MS');
  if (shutdownMs === undefined) return []; // an invalid value: the env rules report it
  const grace =
    item.deployment.object.spec?.template.spec?.terminationGracePeriodSeconds ?? defaultGraceSeconds;
  const needed = pause + shutdownMs / 1000;
  return grace > needed
    ? []
    : [
        `${item.where} terminationGracePeriodSeconds (${grace}) must exceed the preStop pause (${pause} s) ` +
          `plus SHUTDOWN_TIMEOUT_MS (${shutdownMs / 1000} s): ${needed} s`,
      ];
}

function sleepCommandSeconds(command: readonly string[] | undefined): number | undefined {
  if (command?.length !== 2 || command[0] !== 'sleep' || !/^\d+$/.test(command[1] ?? '')) return undefined;
  return Number(command[1]);
}
