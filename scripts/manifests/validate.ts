import { adapterProblems } from './adapter-rules.ts';
import { autoscalingProblems } from './autoscaling-rules.ts';
import { connectorsFileProblems } from './connectors-rules.ts';
import { containerProblems } from './container-rules.ts';
import { deploymentContainers } from './deployment-containers.ts';
import { disruptionProblems } from './disruption-rules.ts';
import { configMapSecretProblems, envProblems } from './env-rules.ts';
import { kustomizationCoverage } from './kustomization.ts';
import type { Manifest } from './manifest.ts';
import { groupManifests } from './manifest-set.ts';
import { checkSchemas } from './schema-check.ts';
import { shutdownProblems } from './shutdown-rules.ts';
import { trafficProblems } from './traffic-rules.ts';

const notChecked =
  "the relay's own rules (probes, resources, secrets, shutdown, references) were not checked";

/**
 * Every problem with the manifests, one line each (empty: they pass). First each object against
 * its kind (known apiVersion and kind, JSON Schema, no unknown fields); then, once every object
 * reads as its kind, the relay's own rules: probes, resources, security context, environment
 * against the config schema, shutdown timing, the connectors file, and how the objects refer to
 * one another. (Run on a malformed object, those rules would only repeat its problem in other words.)
 */
export function validateManifests(manifests: readonly Manifest[]): string[] {
  const { wellFormed, problems } = checkSchemas(manifests);
  if (!wellFormed) return [...problems, `${notChecked}: fix the problems above first`];
  const set = groupManifests(manifests);
  const containers = deploymentContainers(set);
  return [
    ...problems,
    ...containers.flatMap((item) => [
      ...containerProblems(item),
      ...envProblems(item, set),
      ...shutdownProblems(item),
      ...connectorsFileProblems(item, set),
    ]),
    ...configMapSecretProblems(set),
    ...trafficProblems(set),
    ...disruptionProblems(set),
    ...autoscalingProblems(set),
    ...adapterProblems(set),
    ...kustomizationCoverage(set.kustomizations, manifests),
  ];
}
