import path from 'node:path/posix';
import { parseConnectorsConfig } from '../../connectors/config/parse-connectors-config.ts';
import { relaySetting } from './container-env.ts';
import type { DeploymentContainer } from './deployment-containers.ts';
import type { ManifestSet } from './manifest-set.ts';

/**
 * Where a worker reads CONNECTORS_CONFIG, the file must exist: a ConfigMap key mounted at that
 * path. Its text must pass the relay's own connectors parser, which would otherwise stop the
 * worker at start-up. The api role never reads the file.
 */
export function connectorsFileProblems(item: DeploymentContainer, set: ManifestSet): string[] {
  const file = relaySetting(item.env, 'CONNECTORS_CONFIG');
  if (file === undefined || relaySetting(item.env, 'ROLE') === 'api') return [];
  const text = mountedConfigMapFile(item, set, file);
  if (typeof text !== 'string') return [`${item.where} CONNECTORS_CONFIG ${file}: ${text.problem}`];
  const parsed = parseConnectorsConfig(text);
  return parsed.ok ? [] : parsed.problems.map((p) => `${item.where} CONNECTORS_CONFIG ${file}: ${p}`);
}

/** The text a ConfigMap volume puts at `file` in the container, or why there is none. */
function mountedConfigMapFile(
  { deployment, container }: DeploymentContainer,
  set: ManifestSet,
  file: string,
): string | { problem: string } {
  const mount = container.volumeMounts?.find((m) =>
    m.subPath ? m.mountPath === file : path.dirname(file) === path.normalize(m.mountPath),
  );
  const volume = deployment.object.spec?.template.spec?.volumes?.find((v) => v.name === mount?.name);
  if (!mount || !volume?.configMap) return { problem: 'no ConfigMap volume is mounted there' };
  const name = volume.configMap.name;
  const configMap = set.configMaps.find((c) => c.object.metadata?.name === name);
  if (!configMap) return { problem: `ConfigMap ${String(name)} is not in these manifests` };
  const fileName = mount.subPath ?? path.basename(file);
  const items = volume.configMap.items;
  const key = items ? items.find((i) => i.path === fileName)?.key : fileName;
  const text = key === undefined ? undefined : configMap.object.data?.[key];
  return text ?? { problem: `ConfigMap ${String(name)} puts no ${fileName} there` };
}
