import { whereIs } from './manifest.ts';
import { type ManifestSet, nameOf, selects } from './manifest-set.ts';

/**
 * Every Deployment has a PodDisruptionBudget, each budget selects a Deployment's pods, and a
 * `minAvailable` leaves room for one eviction (at least as many replicas as the budget plus one),
 * else a node drain waits forever.
 */
export function disruptionProblems(set: ManifestSet): string[] {
  const unbudgeted = set.deployments
    .filter(
      (d) => !set.disruptionBudgets.some((b) => selects(b.object.spec?.selector?.matchLabels, d.object)),
    )
    .map((d) => `${whereIs(d)}: no PodDisruptionBudget selects its pods`);
  const budgets = set.disruptionBudgets.flatMap((budget) => {
    const spec = budget.object.spec;
    const selected = set.deployments.filter((d) => selects(spec?.selector?.matchLabels, d.object));
    if (selected.length === 0) return [`${whereIs(budget)}: its selector matches no Deployment's pod labels`];
    const minAvailable = spec?.minAvailable;
    if (typeof minAvailable !== 'number') return [];
    return selected
      .filter((d) => fewestReplicas(set, nameOf(d), d.object.spec?.replicas) <= minAvailable)
      .map(
        (d) => `${whereIs(budget)}: minAvailable ${minAvailable} leaves Deployment ${nameOf(d)} no eviction`,
      );
  });
  return [...unbudgeted, ...budgets];
}

/** The fewest pods a Deployment runs: its autoscaler's minimum, else its replicas (1 by default). */
function fewestReplicas(set: ManifestSet, deployment: string, replicas: number | undefined): number {
  const autoscaler = set.autoscalers.find((a) => a.object.spec?.scaleTargetRef.name === deployment);
  return autoscaler ? (autoscaler.object.spec?.minReplicas ?? 1) : (replicas ?? 1);
}
