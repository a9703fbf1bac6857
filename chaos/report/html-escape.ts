/**
 * Escaping for text placed in HTML. Journals hold process output, HTTP bodies and names written by
 * whoever wrote the experiment, so every journal string goes through `esc` before it reaches the page.
 */

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values alike. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** A fragment id made of the characters that need no escaping anywhere. */
export function anchor(prefix: string, index: number): string {
  return `${prefix.replace(/[^a-z0-9-]/gi, '')}-${index + 1}`;
}
