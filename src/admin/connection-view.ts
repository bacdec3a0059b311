import type { Connection } from '../connections/connection.ts';
import type { ProgressFigures } from '../sync/progress-figures.ts';
import type { SyncProgress, SyncStatus } from '../sync/sync-control.ts';
import type { WebhookRegistration } from '../webhooks/registration-store.ts';

/** A connection as the admin API shows it (schema: `connectionViewSchema` in admin-schemas.ts). */
export interface ConnectionView {
  readonly id: string;
  readonly site: {
    readonly host: string;
    readonly url: string;
    readonly name: string;
    readonly cloudId: string;
  };
  readonly status: Connection['status'];
  readonly accountIds: readonly string[];
  readonly scopes: readonly string[];
  readonly projectKeys: readonly string[] | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly webhooks: {
    readonly ids: readonly number[];
    readonly jqlFilter: string;
    readonly expiresAt: string;
    readonly refreshedAt: string;
  } | null;
  readonly sync: {
    readonly cursor: string | null;
    readonly lagSeconds: number | null;
    readonly budgetPointsUsed: number | null;
    readonly webhookCoverage: number | null;
    readonly reconcileIntervalSeconds: number | null;
    readonly progress: ProgressView | null;
  };
}

/** Progress figures with ISO times, per pass (schema: `syncProgressSchema`). */
type ProgressView = Readonly<Record<keyof SyncProgress, ReturnType<typeof figuresView>>>;

export function connectionView(
  connection: Connection,
  registration: WebhookRegistration | null,
  sync: SyncStatus | null,
): ConnectionView {
  return {
    id: connection.id,
    site: {
      host: connection.siteHost,
      url: connection.siteUrl,
      name: connection.name,
      cloudId: connection.cloudId,
    },
    status: connection.status,
    accountIds: connection.accountIds,
    scopes: connection.scopes,
    projectKeys: connection.projectKeys,
    createdAt: iso(connection.createdAt),
    updatedAt: iso(connection.updatedAt),
    webhooks: registration && {
      ids: registration.webhookIds,
      jqlFilter: registration.jqlFilter,
      expiresAt: iso(registration.expiresAt),
      refreshedAt: iso(registration.refreshedAt),
    },
    sync: {
      cursor: sync?.cursor ? sync.cursor.toISOString() : null,
      lagSeconds: sync?.lagMs == null ? null : Math.round(sync.lagMs / 1000),
      budgetPointsUsed: sync?.budgetPointsUsed ?? null,
      webhookCoverage: sync?.webhookCoverage ?? null,
      reconcileIntervalSeconds: sync?.reconcileIntervalSeconds ?? null,
      progress: sync ? progressView(sync.progress) : null,
    },
  };
}

export function progressView(progress: SyncProgress): ProgressView {
  return {
    backfill: figuresView(progress.backfill),
    reconcile: figuresView(progress.reconcile),
    replay: figuresView(progress.replay),
  };
}

function figuresView(figures: ProgressFigures | null) {
  return (
    figures && {
      ...figures,
      startedAt: iso(figures.startedAt),
      updatedAt: iso(figures.updatedAt),
      finishedAt: figures.finishedAt === null ? null : iso(figures.finishedAt),
    }
  );
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
