// Building result elements from API data. Every piece of data goes in as text (el() from dom.js, Text nodes),
// never as markup: a title or transcript holding "<script>" shows those characters and runs nothing.

import { el } from "./dom.js";

// The API wraps matched words in « and » (and turns those characters in the text itself into ‹ ›):
// split on them, plain Text nodes outside, <mark> elements with textContent inside.
export function snippetNodes(snippet) {
  const frag = document.createDocumentFragment();
  const parts = String(snippet).split("«");
  frag.append(document.createTextNode(parts[0]));
  for (const part of parts.slice(1)) {
    const close = part.indexOf("»");
    if (close < 0) {
      frag.append(document.createTextNode(part));
      continue;
    }
    frag.append(el("mark", null, part.slice(0, close)), document.createTextNode(part.slice(close + 1)));
  }
  return frag;
}

// "2025-09-30" or "2025-09-30T10:30:00-04:00" -> "Sep 30, 2025" in the reader's locale (the day as published)
export function formatDate(published) {
  if (!published) return "";
  const day = String(published).slice(0, 10);
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return date.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
}

// One result: podcast and date, episode title, the time to play from, chapter, speakers, highlighted snippet.
// `onPlay(hit, item)` runs on click and on Enter/Space; arrow keys move between results.
export function renderHit(hit, number, { onPlay, onLeaveTop }) {
  const item = el("li", "hit");
  item.tabIndex = 0;
  item.dataset.passage = String(hit.id);
  const episode = hit.episode || {};

  const meta = el("div", "hit-meta");
  meta.append(el("span", "hit-podcast", episode.podcast || "Unnamed podcast"));
  const date = formatDate(episode.published);
  if (date) meta.append(el("span", "hit-date", date));
  item.append(meta);

  item.append(el("h3", "hit-title", episode.title || episode.id));

  const where = el("div", "hit-where");
  const time = el("span", "hit-time", hit.timestamp ? `▶ ${hit.timestamp}` : "▶ Play");
  if (hit.time_estimated) time.title = "Approximate time: the transcript gave no exact times here";
  where.append(time);
  if (hit.chapter && hit.chapter.title) where.append(el("span", "hit-chapter", hit.chapter.title));
  if (hit.speakers && hit.speakers.length) where.append(el("span", "hit-speakers", hit.speakers.join(", ")));
  if (hit.kind && hit.kind !== "transcript") where.append(el("span", "hit-kind", hit.kind));
  item.append(where);

  const snippet = el("p", "hit-snippet");
  snippet.id = `snippet-${number}`;
  snippet.append(snippetNodes(hit.snippet || hit.text || ""));
  item.append(snippet);

  // a short name for the focused result; screen readers read the snippet after it as its description
  const from = hit.timestamp ? ` from ${hit.timestamp}` : "";
  const label = `Result ${number}: play ${episode.title || episode.id}${from}`;
  makePlayable(item, hit, label, snippet.id, { onPlay, onLeaveTop });
  return item;
}

// A result or source the keyboard can use like the mouse: Enter or Space (or a click) plays `target`; the arrow
// keys move between its siblings, and ArrowUp from the first calls `onLeaveTop` (back to the search box).
export function makePlayable(item, target, label, describedBy, { onPlay, onLeaveTop }) {
  item.setAttribute("aria-label", label);
  item.setAttribute("aria-describedby", describedBy);
  item.addEventListener("click", () => onPlay(target, item));
  item.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      onPlay(target, item);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = event.key === "ArrowDown" ? item.nextElementSibling : item.previousElementSibling;
      if (next) next.focus();
      else if (event.key === "ArrowUp") onLeaveTop();
    }
  });
}

// `item` is the one marked as playing (for the eye and for screen readers) among those in `container`.
export function markPlaying(container, item) {
  for (const old of container.querySelectorAll(".playing")) {
    old.classList.remove("playing");
    old.removeAttribute("aria-current");
  }
  item.classList.add("playing");
  item.setAttribute("aria-current", "true");
}
