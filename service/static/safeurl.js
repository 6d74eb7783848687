// Links and audio sources come from the index, which takes them from feeds and records anyone can write: only an
// absolute http(s) URL may become an href or a src. A "javascript:" episode page would run script when clicked
// (the CSP blocks it too, but a link that does nothing is still a trap), and "data:", "blob:" or "file:" audio has no
// business on a podcast page; such values are left off the page.

export function webUrl(value) {
  if (typeof value !== "string" || !value) return null;
  let url;
  try {
    url = new URL(value); // no base: a relative address means no page we know of
  } catch {
    return null;
  }
  return url.protocol === "http:" || url.protocol === "https:" ? value : null;
}
