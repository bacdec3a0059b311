import type { AdfDoc } from '../model.ts';

/** Jira v3 refuses anything that is not an ADF document where rich text is expected. */
export function isAdfDoc(value: unknown): value is AdfDoc {
  if (!value || typeof value !== 'object') return false;
  const doc = value as Record<string, unknown>;
  return doc.type === 'doc' && doc.version === 1 && Array.isArray(doc.content) && doc.content.every(isNode);
}

function isNode(node: unknown): boolean {
  if (!node || typeof node !== 'object') return false;
  const n = node as Record<string, unknown>;
  if (typeof n.type !== 'string') return false;
  if (n.type === 'text' && typeof n.text !== 'string') return false;
  return n.content === undefined || (Array.isArray(n.content) && n.content.every(isNode));
}
