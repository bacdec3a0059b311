import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import { relaySetting } from './container-env.ts';
import type { DeploymentContainer } from './deployment-containers.ts';
import { parseQuantity } from './quantity.ts';

/** Probes, resources and security context of every container: what docs/operations.md promises. */
export function containerProblems(item: DeploymentContainer): string[] {
  return [...probeProblems(item), ...resourceProblems(item.container), ...securityProblems(item)].map(
    (p) => `${item.where} ${p}`,
  );
}

/** Readiness on /readyz, liveness on /healthz, both on the relay's PORT (METRICS_PORT serves neither). */
function probeProblems({ container, env }: DeploymentContainer): string[] {
  const port = relaySetting(env, 'PORT');
  const probes: [string, IProbe | undefined, string][] = [
    ['readinessProbe', container.readinessProbe, '/readyz'],
    ['livenessProbe', container.livenessProbe, '/healthz'],
  ];
  return probes.flatMap(([field, probe, path]) => {
    if (!probe) return [`no ${field} (an HTTP GET of ${path})`];
    const get = probe.httpGet;
    if (get?.path !== path) return [`${field} must be an HTTP GET of ${path}`];
    const probed = containerPort(container, get.port);
    return probed === port
      ? []
      : [`${field} probes port ${String(get.port)}, not the relay's PORT (${port})`];
  });
}

/** A named or numbered port of the container as a number. */
export function containerPort(container: IContainer, port: string | number): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

function resourceProblems(container: IContainer): string[] {
  const { requests = {}, limits = {} } = container.resources ?? {};
  return ['cpu', 'memory'].flatMap((resource) => {
    const request = requests[resource];
    const limit = limits[resource];
    if (request === undefined || limit === undefined) {
      return [`resources.requests.${resource} and resources.limits.${resource} must both be set`];
    }
    const [asked, capped] = [parseQuantity(request), parseQuantity(limit)];
    if (asked === undefined || capped === undefined)
      return [`${resource}: "${request}" or "${limit}" is no quantity`];
    return asked <= capped
      ? []
      : [`resources.requests.${resource} (${request}) exceeds its limit (${limit})`];
  });
}

/** Non-root, read-only root filesystem, no privilege escalation, no capabilities. */
function securityProblems({ deployment, container }: DeploymentContainer): string[] {
  const pod = deployment.object.spec?.template.spec?.securityContext;
  const own = container.securityContext;
  const problems: string[] = [];
  if ((own?.runAsNonRoot ?? pod?.runAsNonRoot) !== true) problems.push('runAsNonRoot must be true');
  const user = own?.runAsUser ?? pod?.runAsUser;
  // The image's USER is a name (`node`): the kubelet can prove it is not root only from a number.
  if (user === undefined || user === 0)
    problems.push('runAsUser must be a non-zero number (the image names its user)');
  if (own?.readOnlyRootFilesystem !== true)
    problems.push('securityContext.readOnlyRootFilesystem must be true');
  if (own?.allowPrivilegeEscalation !== false)
    problems.push('securityContext.allowPrivilegeEscalation must be false');
  if (!own?.capabilities?.drop?.includes('ALL'))
    problems.push('securityContext.capabilities.drop must include ALL');
  return problems;
}
