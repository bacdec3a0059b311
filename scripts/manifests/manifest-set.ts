import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IService } from 'kubernetes-models/v1/Service';
import type { Kustomization } from './kustomization.ts';
import type { Checked, Manifest } from './manifest.ts';

/** Manifests that passed the schema checks, by kind, typed as kubernetes-models' interfaces. */
export interface ManifestSet {
  readonly all: readonly Manifest[];
  readonly deployments: readonly Checked<IDeployment>[];
  readonly services: readonly Checked<IService>[];
  readonly ingresses: readonly Checked<IIngress>[];
  readonly autoscalers: readonly Checked<IHorizontalPodAutoscaler>[];
  readonly disruptionBudgets: readonly Checked<IPodDisruptionBudget>[];
  readonly configMaps: readonly Checked<IConfigMap>[];
  readonly kustomizations: readonly Checked<Kustomization>[];
}

export function groupManifests(all: readonly Manifest[]): ManifestSet {
  // Safe casts: checkSchemas let these through only when they match their kind's schema.
  const of = <T>(kind: string) =>
    all.filter((m) => (m.object as { kind?: unknown }).kind === kind) as unknown as Checked<T>[];
  return {
    all,
    deployments: of<IDeployment>('Deployment'),
    services: of<IService>('Service'),
    ingresses: of<IIngress>('Ingress'),
    autoscalers: of<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler'),
    disruptionBudgets: of<IPodDisruptionBudget>('PodDisruptionBudget'),
    configMaps: of<IConfigMap>('ConfigMap'),
    kustomizations: of<Kustomization>('Kustomization'),
  };
}

export function nameOf(checked: Checked<{ metadata?: { name?: string } }>): string {
  return checked.object.metadata?.name ?? '';
}

/** Whether every label a selector asks for is on the pod: the way Services, PDBs and spreads select. */
export function selects(
  selector: Readonly<Record<string, string>> | undefined,
  deployment: IDeployment,
): boolean {
  const labels = deployment.spec?.template.metadata?.labels ?? {};
  const wanted = Object.entries(selector ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => labels[key] === value);
}
