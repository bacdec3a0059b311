import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVarSource } from 'kubernetes-models/v1/EnvVarSource';
import type { z } from 'zod';
import { type EnvName, envVars } from '../../config/schema.ts';
import type { ManifestSet } from './manifest-set.ts';

/** Where one environment variable of a container comes from. */
export type EnvSource =
  | { readonly from: 'value'; readonly value: string }
  | { readonly from: 'configMap'; readonly configMap: string; readonly value: string | undefined }
  | { readonly from: 'secret'; readonly optional: boolean }
  | { readonly from: 'other' };

/**
 * A container's environment as Kubernetes builds it: every key of the `envFrom` ConfigMaps, then
 * `env`, later entries winning. A ConfigMap that does not exist contributes nothing here (the
 * env rules report it).
 */
export function containerEnv(container: IContainer, set: ManifestSet): Map<string, EnvSource> {
  const env = new Map<string, EnvSource>();
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    const data = set.configMaps.find((c) => c.object.metadata?.name === name)?.object.data ?? {};
    for (const [key, value] of Object.entries(data)) {
      env.set(`${source.prefix ?? ''}${key}`, { from: 'configMap', configMap: name ?? '', value });
    }
  }
  for (const { name, value, valueFrom } of container.env ?? []) {
    env.set(name, envSource(value, valueFrom, set));
  }
  return env;
}

function envSource(
  value: string | undefined,
  valueFrom: IEnvVarSource | undefined,
  set: ManifestSet,
): EnvSource {
  if (valueFrom === undefined) return { from: 'value', value: value ?? '' };
  if (valueFrom.secretKeyRef) return { from: 'secret', optional: valueFrom.secretKeyRef.optional === true };
  const ref = valueFrom.configMapKeyRef;
  if (!ref) return { from: 'other' };
  const data = set.configMaps.find((c) => c.object.metadata?.name === ref.name)?.object.data;
  return { from: 'configMap', configMap: ref.name ?? '', value: data?.[ref.key] };
}

/** The value the relay would read for `name`, parsed as its config schema parses it, or its default. */
export function relaySetting<K extends EnvName>(
  env: ReadonlyMap<string, EnvSource>,
  name: K,
): z.output<(typeof envVars)[K]['schema']> | undefined {
  const source = env.get(name);
  const text = source && 'value' in source ? source.value : undefined;
  const parsed = envVars[name].schema.safeParse(text === '' ? undefined : text);
  return parsed.success ? (parsed.data as z.output<(typeof envVars)[K]['schema']>) : undefined;
}
