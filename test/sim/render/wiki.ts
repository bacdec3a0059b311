/**
 * ADF to Jira wiki markup, for webhook bodies: Jira sends REST v2 shapes there, where description
 * and comment bodies are wiki-markup strings (mentions as [~accountid:...]).
 */
interface Node {
  type?: string;
  text?: string;
  attrs?: Record<string, unknown>;
  marks?: Array<{ type: string; attrs?: Record<string, unknown> }>;
  content?: Node[];
}

function inline(node: Node): string {
  if (node.type === 'text') {
    // Wiki marks must hug the text: keep surrounding spaces outside them.
    const raw = node.text ?? '';
    const lead = raw.length - raw.trimStart().length;
    const tail = raw.length - raw.trimEnd().length;
    let text = raw.trim();
    if (text === '') return raw;
    for (const mark of node.marks ?? []) {
      if (mark.type === 'strong') text = `*${text}*`;
      else if (mark.type === 'em') text = `_${text}_`;
      else if (mark.type === 'code') text = `{{${text}}}`;
      else if (mark.type === 'strike') text = `-${text}-`;
      else if (mark.type === 'link') text = `[${text}|${String(mark.attrs?.href ?? '')}]`;
    }
    return raw.slice(0, lead) + text + raw.slice(raw.length - tail);
  }
  if (node.type === 'hardBreak') return '\n';
  if (node.type === 'mention') return `[~accountid:${String(node.attrs?.id ?? '')}]`;
  if (node.type === 'emoji') return String(node.attrs?.shortName ?? '');
  if (node.type === 'inlineCard')
    return `[${String(node.attrs?.url ?? '')}|${String(node.attrs?.url ?? '')}|smart-link]`;
  return (node.content ?? []).map(inline).join('');
}

function block(node: Node, bullet = ''): string {
  const children = node.content ?? [];
  switch (node.type) {
    case 'paragraph':
      return children.map(inline).join('');
    case 'heading':
      return `h${Number(node.attrs?.level ?? 1)}. ${children.map(inline).join('')}`;
    case 'bulletList':
    case 'orderedList': {
      const mark = `${bullet}${node.type === 'bulletList' ? '*' : '#'}`;
      return children
        .map((item) =>
          item.content
            ?.map((c) => (c.type?.endsWith('List') ? block(c, mark) : `${mark} ${block(c)}`))
            .join('\n'),
        )
        .join('\n');
    }
    case 'codeBlock':
      return `{code}${children.map(inline).join('')}{code}`;
    case 'blockquote':
      return `{quote}${children.map((c) => block(c)).join('\n')}{quote}`;
    case 'rule':
      return '----';
    default:
      return children.map((c) => block(c)).join('\n');
  }
}

export function adfToWiki(doc: unknown): string {
  const root = doc as Node;
  return (root.content ?? []).map((n) => block(n)).join('\n\n');
}
