import type { SimComment } from '../model.ts';
import { formatJiraDate } from './time-zone.ts';
import { type RenderView, renderUserById } from './view.ts';

export interface CommentRenderOptions {
  readonly issueId: string;
  readonly expandProperties?: boolean;
  readonly expandRenderedBody?: boolean;
}

/** A v3 Comment: ADF body, authors as UserDetails, dates in the caller's zone. */
export function renderComment(
  comment: SimComment,
  view: RenderView,
  opts: CommentRenderOptions,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    self: `${view.base}/issue/${opts.issueId}/comment/${comment.id}`,
    id: comment.id,
    author: renderUserById(view, comment.authorId),
    body: comment.body,
    updateAuthor: renderUserById(view, comment.updateAuthorId),
    created: formatJiraDate(comment.created, view.timeZone),
    updated: formatJiraDate(comment.updated, view.timeZone),
    jsdPublic: true,
  };
  if (opts.expandRenderedBody) out.renderedBody = adfToHtml(comment.body);
  if (opts.expandProperties) {
    out.properties = [...comment.properties].map(([key, value]) => ({ key, value }));
  }
  return out;
}

/** A crude HTML rendering of ADF text, enough for renderedBody / renderedFields. */
export function adfToHtml(doc: unknown): string {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string; text?: string; content?: unknown[] };
    if (n.type === 'text' && typeof n.text === 'string')
      texts.push(n.text.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`));
    if (n.type === 'paragraph') texts.push('<p>');
    for (const child of n.content ?? []) walk(child);
    if (n.type === 'paragraph') texts.push('</p>');
  };
  walk(doc);
  return texts.join('');
}
