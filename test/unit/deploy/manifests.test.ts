import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../../scripts/manifests/manifest.ts';
import { readManifests } from '../../../scripts/manifests/read-manifests.ts';
import { validateManifests } from '../../../scripts/manifests/validate.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const dir = 'deploy/kubernetes';
const apiDeployment = `${dir}/api-deployment.yaml`;
const workerDeployment = `${dir}/worker-deployment.yaml`;
const workerAutoscaler = `${dir}/worker-hpa.yaml`;
const container = 'spec.template.spec.containers.0';
const notChecked =
  "the relay's own rules (probes, resources, secrets, shutdown, references) were not checked: fix the problems above first";

let manifests: readonly Manifest[] = [];

beforeAll(async () => {
  const read = await readManifests(path.join(root, dir), root);
  expect(read.problems).toEqual([]);
  manifests = read.manifests;
});

type Tree = Record<string, unknown>;

function objectOf(file: string): Tree {
  const manifest = manifests.find((m) => m.file === file);
  if (!manifest) throw new Error(`${file} is not among the manifests`);
  return manifest.object as Tree;
}

/** The value at a dotted path (`spec.template.spec.containers.0.env`). */
function valueAt(object: unknown, at: string): unknown {
  return at.split('.').reduce<unknown>((node, key) => (node as Tree | undefined)?.[key], object);
}

/** The manifests with one file's object changed at dotted paths (undefined deletes); the rest shared. */
function withChanges(file: string, changes: Record<string, unknown>): Manifest[] {
  const changed = structuredClone(objectOf(file));
  for (const [at, value] of Object.entries(changes)) {
    const keys = at.split('.');
    const last = keys.pop() ?? '';
    const parent = (keys.length === 0 ? changed : valueAt(changed, keys.join('.'))) as Tree;
    if (value === undefined) delete parent[last];
    else parent[last] = value;
  }
  return manifests.map((m) => (m.file === file ? { file, object: changed } : m));
}

describe('the manifests under deploy/kubernetes', () => {
  it('pass, and hold every object the issue asks for', () => {
    expect(validateManifests(manifests)).toEqual([]);
    const kinds = manifests.map((m) => `${(m.object as Tree).kind}/${valueAt(m.object, 'metadata.name')}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Deployment/jira-relay-api',
        'Deployment/jira-relay-worker',
        'Service/jira-relay-api',
        'Ingress/jira-relay-api',
        'PodDisruptionBudget/jira-relay-api',
        'PodDisruptionBudget/jira-relay-worker',
        'HorizontalPodAutoscaler/jira-relay-worker',
        'ConfigMap/jira-relay-config',
        'ConfigMap/jira-relay-connectors',
        'ConfigMap/prometheus-adapter',
        'Kustomization/undefined',
      ]),
    );
  });
});

describe('validateManifests refuses', () => {
  it('a Deployment without a readiness probe', () => {
    const problems = validateManifests(
      withChanges(apiDeployment, { [`${container}.readinessProbe`]: undefined }),
    );
    expect(problems).toEqual([
      `${apiDeployment}: Deployment/jira-relay-api: container relay: no readinessProbe (an HTTP GET of /readyz)`,
    ]);
  });

  it('a liveness probe on the metrics port', () => {
    const problems = validateManifests(
      withChanges(apiDeployment, { [`${container}.livenessProbe.httpGet.port`]: 'metrics' }),
    );
    expect(problems).toEqual([
      `${apiDeployment}: Deployment/jira-relay-api: container relay: livenessProbe probes port metrics, not the relay's PORT (3000)`,
    ]);
  });

  it('a retired apiVersion, rather than skipping the object', () => {
    const problems = validateManifests(withChanges(workerDeployment, { apiVersion: 'apps/v1beta1' }));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      new RegExp(
        `^${workerDeployment}: Deployment/jira-relay-worker: unknown apiVersion and kind "apps/v1beta1 Deployment"`,
      ),
    );
    expect(problems[1]).toBe(notChecked);
  });

  it('a kind the validator does not know (a Secret: values never belong in these files)', () => {
    const secret = {
      file: `${dir}/secret.yaml`,
      object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } },
    };
    const problems = validateManifests([...manifests, secret]);
    expect(problems[0]).toMatch(
      /^deploy\/kubernetes\/secret\.yaml: Secret\/s: unknown apiVersion and kind "v1 Secret"/,
    );
  });

  it('an unknown field, which the API server would drop silently', () => {
    const problems = validateManifests(
      withChanges(apiDeployment, {
        [`${container}.readinessProb`]: valueAt(objectOf(apiDeployment), `${container}.readinessProbe`),
        'spec.replicaz': 3,
      }),
    );
    expect(problems).toEqual([
      `${apiDeployment}: Deployment/jira-relay-api: unknown field spec.template.spec.containers[0].readinessProb`,
      `${apiDeployment}: Deployment/jira-relay-api: unknown field spec.replicaz`,
    ]);
  });

  it('a value of the wrong type, by the Kubernetes schema', () => {
    const problems = validateManifests(
      withChanges(apiDeployment, { 'spec.template.spec.terminationGracePeriodSeconds': 'forty-five' }),
    );
    expect(problems).toEqual([
      `${apiDeployment}: Deployment/jira-relay-api: spec.template.spec.terminationGracePeriodSeconds must be integer`,
      notChecked,
    ]);
  });

  it('a secret given as a literal value', () => {
    const env = valueAt(objectOf(workerDeployment), `${container}.env`) as { name: string }[];
    const adminToken = env.findIndex((e) => e.name === 'ADMIN_TOKEN');
    const problems = validateManifests(
      withChanges(workerDeployment, {
        [`${container}.env.${adminToken}`]: { name: 'ADMIN_TOKEN', value: 'a-token-of-sixteen-chars' },
      }),
    );
    expect(problems).toEqual([
      `${workerDeployment}: Deployment/jira-relay-worker: container relay: ADMIN_TOKEN is a secret: take it from a Secret (valueFrom.secretKeyRef), never a literal or a ConfigMap`,
    ]);
  });

  it('a grace period that the preStop pause and SHUTDOWN_TIMEOUT_MS do not fit in', () => {
    const problems = validateManifests(
      withChanges(workerDeployment, { 'spec.template.spec.terminationGracePeriodSeconds': 30 }),
    );
    expect(problems).toEqual([
      `${workerDeployment}: Deployment/jira-relay-worker: container relay: terminationGracePeriodSeconds (30) must exceed the preStop pause (5 s) plus SHUTDOWN_TIMEOUT_MS (30 s): 35 s`,
    ]);
  });

  it('a missing required variable and a value the config schema refuses', () => {
    const problems = validateManifests(
      withChanges(`${dir}/relay-config.yaml`, {
        'data.ATLASSIAN_CLIENT_ID': undefined,
        'data.LOG_LEVEL': 'loud',
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^deploy\/kubernetes\/api-deployment\.yaml: .*: container relay: LOG_LEVEL: /),
        `${apiDeployment}: Deployment/jira-relay-api: container relay: ATLASSIAN_CLIENT_ID is required and not set`,
        `${workerDeployment}: Deployment/jira-relay-worker: container relay: ATLASSIAN_CLIENT_ID is required and not set`,
      ]),
    );
  });

  it('a connectors file the relay would refuse at start-up', () => {
    const broken = 'connectors:\n  crm:\n    enabled: maybe\n';
    const problems = validateManifests(
      withChanges(`${dir}/connectors-config.yaml`, { data: { 'connectors.yaml': broken } }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^deploy\/kubernetes\/worker-deployment\.yaml: Deployment\/jira-relay-worker: container relay: CONNECTORS_CONFIG \/etc\/jira-relay\/connectors\.yaml: connectors\.crm\.enabled: /,
    );
    const unmounted = validateManifests(
      withChanges(`${dir}/connectors-config.yaml`, { data: { 'other.yaml': broken } }),
    );
    expect(unmounted).toEqual([
      `${workerDeployment}: Deployment/jira-relay-worker: container relay: CONNECTORS_CONFIG /etc/jira-relay/connectors.yaml: ConfigMap jira-relay-connectors puts no connectors.yaml there`,
    ]);
  });

  it('an autoscaler on the api Deployment', () => {
    const problems = validateManifests(
      withChanges(workerAutoscaler, { 'spec.scaleTargetRef.name': 'jira-relay-api' }),
    );
    expect(problems).toEqual([
      `${workerAutoscaler}: HorizontalPodAutoscaler/jira-relay-worker: scaleTargetRef names Deployment jira-relay-api, which does not run ROLE=worker`,
      `${workerAutoscaler}: HorizontalPodAutoscaler/jira-relay-worker: Deployment jira-relay-api sets spec.replicas, which every apply would reset under the autoscaler`,
    ]);
  });

  it('an external metric no adapter rule serves, on a queue that does not exist', () => {
    const problems = validateManifests(
      withChanges(workerAutoscaler, {
        'spec.metrics.0.external.metric': {
          name: 'queue_depth',
          selector: { matchLabels: { queue: 'jira-chnages' } },
        },
      }),
    );
    expect(problems).toEqual([
      `${workerAutoscaler}: HorizontalPodAutoscaler/jira-relay-worker: external metric queue_depth is served by no prometheus-adapter rule here`,
      `${workerAutoscaler}: HorizontalPodAutoscaler/jira-relay-worker: external metric queue_depth: no queue is named jira-chnages`,
    ]);
  });

  it('a Service whose selector matches no pods, and an Ingress whose backend is not the Service', () => {
    const service = withChanges(`${dir}/api-service.yaml`, {
      'spec.selector': { 'app.kubernetes.io/name': 'jira-relay', 'app.kubernetes.io/component': 'web' },
    });
    expect(validateManifests(service)).toEqual([
      `${dir}/api-service.yaml: Service/jira-relay-api: its selector matches no Deployment's pod labels`,
    ]);
    const ingress = withChanges(`${dir}/api-ingress.yaml`, {
      'spec.rules.0.http.paths.0.backend.service.name': 'jira-relay',
    });
    expect(validateManifests(ingress)).toEqual([
      `${dir}/api-ingress.yaml: Ingress/jira-relay-api: backend Service jira-relay is not in these manifests`,
    ]);
  });

  it('a manifest the kustomization does not list', () => {
    const resources = valueAt(objectOf(`${dir}/kustomization.yaml`), 'resources') as string[];
    const problems = validateManifests(
      withChanges(`${dir}/kustomization.yaml`, {
        resources: resources.filter((r) => r !== 'worker-pdb.yaml'),
      }),
    );
    expect(problems).toEqual([
      `${dir}/kustomization.yaml: does not list ${dir}/worker-pdb.yaml, so \`kubectl apply -k\` would skip it`,
    ]);
  });
});
