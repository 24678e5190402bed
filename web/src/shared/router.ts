// Hash routes (#/queue/123): the server serves one HTML file per page, so page-internal places
// live after the #. Only ids go here, never a token.
import { signal } from "@preact/signals";

function parse(): string[] {
  return window.location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
}

export const route = signal<string[]>(parse());
window.addEventListener("hashchange", () => {
  route.value = parse();
});

export function navigate(...parts: string[]): void {
  const hash = "#/" + parts.map(encodeURIComponent).join("/");
  if (window.location.hash !== hash) window.location.hash = hash;
  else route.value = parse();
}
