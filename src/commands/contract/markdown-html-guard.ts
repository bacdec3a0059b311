/**
 * Raw HTML in command Markdown is shown as typed, never interpreted. Jira has no HTML node, so
 * marklassian drops HTML blocks (losing their text) and takes a block `<adf>...</adf>` as raw ADF
 * nodes to embed: from an outside system that would be arbitrary ADF (macros, mentions) or a throw
 * on bad JSON. A marker character after each `<` that would open a tag makes it plain text; it is
 * removed again from every string of the resulting document, code included, so no text changes.
 * Autolinks (`<https://...>`, `<a@b.c>`) are not tags and stay links.
 */

/** `<` opening an HTML tag, closing tag, comment, declaration or processing instruction. */
const tagStart = /(?<!\]\()<(?=[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|$)|\/[A-Za-z]|!|\?)/g;

/** A private-use character the text does not contain, to mark the `<`s made plain. */
function unusedMarker(text: string): string {
  const used = new Set<number>();
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xe000 && code <= 0xf8ff) used.add(code);
  }
  // 6,400 private-use characters and texts of at most 32,768: only a text made to exhaust them
  // leaves none, and then the first is taken (its occurrences in the text are dropped).
  let code = 0xe000;
  while (used.has(code) && code < 0xf8ff) code++;
  return String.fromCharCode(code);
}

/** The Markdown with its tags made plain text, and how to undo it in the converted strings. */
export function guardMarkdownHtml(markdown: string): { markdown: string; restore: (text: string) => string } {
  const marker = unusedMarker(markdown);
  const guarded = markdown.replace(tagStart, `<${marker}`);
  if (guarded === markdown) return { markdown, restore: (text) => text };
  return { markdown: guarded, restore: (text) => text.replaceAll(marker, '') };
}
