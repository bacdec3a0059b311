import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IService } from 'kubernetes-models/v1/Service';
import { relaySetting } from './container-env.ts';
import { containerPort } from './container-rules.ts';
import { deploymentContainers } from './deployment-containers.ts';
import { whereIs } from './manifest.ts';
import { type ManifestSet, selects } from './manifest-set.ts';

/** Service to pods, Ingress to Service, and the public URL the relay announces to the Ingress's host. */
export function trafficProblems(set: ManifestSet): string[] {
  return [...serviceProblems(set), ...ingressProblems(set), ...publicUrlProblems(set)];
}

/** Each Service selects a Deployment's pods, and each of its target ports is one of their ports. */
function serviceProblems(set: ManifestSet): string[] {
  return set.services.flatMap((service) => {
    const selected = set.deployments.filter((d) => selects(service.object.spec?.selector, d.object));
    if (selected.length === 0)
      return [`${whereIs(service)}: its selector matches no Deployment's pod labels`];
    return (service.object.spec?.ports ?? [])
      .filter((port) => !selected.every((d) => hasPort(d.object, port.targetPort ?? port.port)))
      .map(
        (port) =>
          `${whereIs(service)}: targetPort ${String(port.targetPort ?? port.port)} is no port of its pods`,
      );
  });
}

/** A number needs no declaration; a name must be a declared port of one of the pod's containers. */
function hasPort(deployment: IDeployment, port: string | number): boolean {
  const containers = deployment.spec?.template.spec?.containers ?? [];
  return containers.some((c) => containerPort(c, port) !== undefined);
}

/** Each Ingress backend names a Service here, by one of that Service's ports. */
function ingressProblems(set: ManifestSet): string[] {
  return set.ingresses.flatMap((ingress) => {
    const spec = ingress.object.spec;
    const backends = [
      ...(spec?.defaultBackend?.service ? [spec.defaultBackend.service] : []),
      ...(spec?.rules ?? []).flatMap((rule) =>
        (rule.http?.paths ?? []).flatMap((p) => (p.backend.service ? [p.backend.service] : [])),
      ),
    ];
    if (backends.length === 0) return [`${whereIs(ingress)}: routes to no Service`];
    return backends.flatMap((backend) => {
      const service = set.services.find((s) => s.object.metadata?.name === backend.name);
      if (!service) return [`${whereIs(ingress)}: backend Service ${backend.name} is not in these manifests`];
      return servesPort(service.object, backend.port)
        ? []
        : [
            `${whereIs(ingress)}: Service ${backend.name} has no port ${backend.port?.name ?? backend.port?.number}`,
          ];
    });
  });
}

function servesPort(service: IService, port: { name?: string; number?: number } | undefined): boolean {
  return (service.spec?.ports ?? []).some((p) =>
    port?.name !== undefined ? p.name === port.name : p.port === port?.number,
  );
}

/**
 * Atlassian calls PUBLIC_URL back (OAuth) and delivers webhooks to it, and the admin sign-in checks
 * its origin: the api's PUBLIC_URL must be an Ingress host, served with TLS.
 */
function publicUrlProblems(set: ManifestSet): string[] {
  if (set.ingresses.length === 0) return [];
  const tlsHosts = new Set(
    set.ingresses.flatMap((i) => (i.object.spec?.tls ?? []).flatMap((t) => t.hosts ?? [])),
  );
  return deploymentContainers(set)
    .filter((item) => relaySetting(item.env, 'ROLE') !== 'worker')
    .flatMap((item) => {
      const url = relaySetting(item.env, 'PUBLIC_URL');
      if (url === undefined) return [];
      const { host, protocol } = new URL(url);
      if (protocol === 'https:' && tlsHosts.has(host)) return [];
      return [`${item.where} PUBLIC_URL ${url} is not https on a host an Ingress serves with TLS`];
    });
}
