import { envVars, secretNames } from '../../config/schema.ts';
import type { DeploymentContainer } from './deployment-containers.ts';
import { whereIs } from './manifest.ts';
import type { ManifestSet } from './manifest-set.ts';

/** Variables a container may set beside the relay's own (docs/configuration.md). */
const otherVariables: ReadonlySet<string> = new Set(['NODE_OPTIONS']);

const relayVariables: ReadonlyMap<string, (typeof envVars)[keyof typeof envVars]> = new Map(
  Object.entries(envVars),
);

/**
 * The environment against the relay's config schema (config/schema.ts): secrets only from a Secret,
 * every variable one the relay reads, every literal a value it accepts, every required one present,
 * ROLE set, and every ConfigMap the container names present.
 */
export function envProblems(item: DeploymentContainer, set: ManifestSet): string[] {
  const problems = [...referenceProblems(item, set)];
  for (const [name, source] of item.env) {
    const variable = relayVariables.get(name);
    if (!variable) {
      if (!otherVariables.has(name)) problems.push(`${name} is not a variable the relay reads`);
    } else if (secretNames.has(name) && source.from !== 'secret') {
      problems.push(
        `${name} is a secret: take it from a Secret (valueFrom.secretKeyRef), never a literal or a ConfigMap`,
      );
    } else if ('value' in source && source.value !== undefined && source.value !== '') {
      const parsed = variable.schema.safeParse(source.value);
      if (!parsed.success) problems.push(`${name}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
  }
  for (const [name, variable] of relayVariables) {
    const source = item.env.get(name);
    const given = source !== undefined && !(source.from === 'secret' && source.optional);
    if (!given && !variable.schema.safeParse(undefined).success)
      problems.push(`${name} is required and not set`);
  }
  if (!item.env.has('ROLE'))
    problems.push('ROLE is not set (api or worker: which role this Deployment runs)');
  return problems.map((p) => `${item.where} ${p}`);
}

function referenceProblems({ container }: DeploymentContainer, set: ManifestSet): string[] {
  const exists = (name: string | undefined) => set.configMaps.some((c) => c.object.metadata?.name === name);
  const fromNames = (container.envFrom ?? []).flatMap((s) => (s.configMapRef ? [s.configMapRef.name] : []));
  const keyNames = (container.env ?? []).flatMap((e) =>
    e.valueFrom?.configMapKeyRef ? [e.valueFrom.configMapKeyRef.name] : [],
  );
  return [...fromNames, ...keyNames]
    .filter((name) => !exists(name))
    .map((name) => `names ConfigMap ${String(name)}, which is not in these manifests`);
}

/** No ConfigMap carries a secret's value: a ConfigMap is readable by anyone who can read the namespace's config. */
export function configMapSecretProblems(set: ManifestSet): string[] {
  return set.configMaps.flatMap((configMap) =>
    Object.keys(configMap.object.data ?? {})
      .filter((key) => secretNames.has(key))
      .map((key) => `${whereIs(configMap)}: holds ${key}, a secret: put it in the Secret jira-relay-secrets`),
  );
}
