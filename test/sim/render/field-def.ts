import type { SimIssue } from '../model.ts';
import type { RenderView } from './view.ts';

export interface FieldRenderOptions {
  /** Search embeds at most 20 comments per issue; GET issue embeds them all. */
  readonly commentCap: number;
}

/** One field of the site's field list (GET field) and how an issue's value of it is rendered. */
export interface FieldDef {
  readonly id: string;
  readonly name: string;
  readonly custom: boolean;
  readonly navigable: boolean;
  readonly schema: Record<string, unknown>;
  readonly clauseNames: string[];
  render(issue: SimIssue, view: RenderView, opts: FieldRenderOptions): unknown;
}

/** A built-in field: schema `{ type, system: id }` unless `extra` gives its own. */
export const system = (
  id: string,
  name: string,
  type: string,
  render: FieldDef['render'],
  extra: Partial<FieldDef> = {},
): FieldDef => ({
  id,
  name,
  custom: false,
  navigable: true,
  schema: type === 'array' ? { type, items: 'string', system: id } : { type, system: id },
  clauseNames: [id],
  render,
  ...extra,
});

/**
 * Webhook bodies are REST v2 shaped (links under /rest/api/2, rich text as wiki markup); the
 * simulator serves v2 shapes nowhere else, so a view based there renders a webhook body.
 */
export function isWebhookView(view: RenderView): boolean {
  return view.base.endsWith('/rest/api/2');
}
