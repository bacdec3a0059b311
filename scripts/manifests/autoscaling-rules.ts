import { queueNames } from '../../src/queues/queue-names.ts';
import { externalMetrics } from './adapter-rules.ts';
import { relaySetting } from './container-env.ts';
import { deploymentContainers } from './deployment-containers.ts';
import { whereIs } from './manifest.ts';
import { type ManifestSet, nameOf } from './manifest-set.ts';

const queues: ReadonlySet<string> = new Set(Object.values(queueNames));

/**
 * Each autoscaler scales the worker Deployment here, which leaves the replica count to it; each
 * external metric is one an adapter rule here serves, for a queue the relay has.
 */
export function autoscalingProblems(set: ManifestSet): string[] {
  const served = new Set(externalMetrics(set).map((m) => m.name));
  return set.autoscalers.flatMap((autoscaler) => {
    const where = whereIs(autoscaler);
    const spec = autoscaler.object.spec;
    const problems = targetProblems(set, spec?.scaleTargetRef);
    for (const metric of spec?.metrics ?? []) {
      if (metric.type !== 'External' || !metric.external) continue;
      const { name, selector } = metric.external.metric;
      if (!served.has(name))
        problems.push(`external metric ${name} is served by no prometheus-adapter rule here`);
      const queue = selector?.matchLabels?.queue;
      if (queue !== undefined && !queues.has(queue))
        problems.push(`external metric ${name}: no queue is named ${queue}`);
    }
    return problems.map((p) => `${where}: ${p}`);
  });
}

function targetProblems(
  set: ManifestSet,
  target: { apiVersion?: string; kind: string; name: string } | undefined,
): string[] {
  if (target?.kind !== 'Deployment' || target.apiVersion !== 'apps/v1')
    return ['scaleTargetRef must be an apps/v1 Deployment'];
  const deployment = set.deployments.find((d) => nameOf(d) === target.name);
  if (!deployment) return [`scaleTargetRef names Deployment ${target.name}, which is not in these manifests`];
  const problems: string[] = [];
  const roles = deploymentContainers(set)
    .filter((item) => item.deployment === deployment)
    .map((item) => relaySetting(item.env, 'ROLE'));
  if (!roles.includes('worker'))
    problems.push(`scaleTargetRef names Deployment ${target.name}, which does not run ROLE=worker`);
  if (deployment.object.spec?.replicas !== undefined) {
    problems.push(
      `Deployment ${target.name} sets spec.replicas, which every apply would reset under the autoscaler`,
    );
  }
  return problems;
}
