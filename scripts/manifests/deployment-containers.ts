import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { containerEnv, type EnvSource } from './container-env.ts';
import type { Checked } from './manifest.ts';
import { type ManifestSet, nameOf } from './manifest-set.ts';

/** One container of one Deployment, with its environment resolved and the prefix of its problem lines. */
export interface DeploymentContainer {
  readonly deployment: Checked<IDeployment>;
  readonly container: IContainer;
  readonly env: ReadonlyMap<string, EnvSource>;
  /** `file: Deployment/name: container relay:` */
  readonly where: string;
}

export function deploymentContainers(set: ManifestSet): DeploymentContainer[] {
  return set.deployments.flatMap((deployment) =>
    (deployment.object.spec?.template.spec?.containers ?? []).map((container) => ({
      deployment,
      container,
      env: containerEnv(container, set),
      where: `${deployment.file}: Deployment/${nameOf(deployment)}: container ${container.name}:`,
    })),
  );
}
