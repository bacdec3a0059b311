import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';

/** A kubernetes-models class: built from the object, `validate()` throws on a schema violation. */
type ModelClass = new (data?: never) => { validate(): void };

/** A Kubernetes kind the manifests may use: its model (JSON Schema) and its TypeScript interface. */
export interface KubernetesKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly model: ModelClass;
  /** The module and interface of the kind in kubernetes-models, for the unknown-field check. */
  readonly typeModule: string;
  readonly typeName: string;
}

/**
 * The kinds deploy/kubernetes/ may hold, at the API versions current clusters serve. Anything else
 * is refused, including a kind kubernetes-models knows at a retired version (apps/v1beta1
 * Deployment): a manifest this validator cannot check must not pass as checked. Secret is absent
 * on purpose: secret values are never part of these files.
 */
export const kubernetesKinds: readonly KubernetesKind[] = [
  kind('v1', 'Namespace', Namespace, 'v1/Namespace', 'INamespace'),
  kind('v1', 'ConfigMap', ConfigMap, 'v1/ConfigMap', 'IConfigMap'),
  kind('v1', 'Service', Service, 'v1/Service', 'IService'),
  kind('apps/v1', 'Deployment', Deployment, 'apps/v1/Deployment', 'IDeployment'),
  kind(
    'policy/v1',
    'PodDisruptionBudget',
    PodDisruptionBudget,
    'policy/v1/PodDisruptionBudget',
    'IPodDisruptionBudget',
  ),
  kind(
    'autoscaling/v2',
    'HorizontalPodAutoscaler',
    HorizontalPodAutoscaler,
    'autoscaling/v2/HorizontalPodAutoscaler',
    'IHorizontalPodAutoscaler',
  ),
  kind('networking.k8s.io/v1', 'Ingress', Ingress, 'networking.k8s.io/v1/Ingress', 'IIngress'),
];

function kind(
  apiVersion: string,
  kindName: string,
  model: ModelClass,
  typePath: string,
  typeName: string,
): KubernetesKind {
  return { apiVersion, kind: kindName, model, typeModule: `kubernetes-models/${typePath}`, typeName };
}

export function findKind(apiVersion: unknown, kindName: unknown): KubernetesKind | undefined {
  return kubernetesKinds.find((k) => k.apiVersion === apiVersion && k.kind === kindName);
}
