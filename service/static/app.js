// podquery search page: the form, the URL and the calls to the JSON API. An ES module (no build step):
// render.js turns hits into elements (data only ever as text), player.js runs the one <audio> element.
// The query and filters live in the URL (?q=...&podcast=...), so a search can be shared and reloaded.

import { createPlayer } from "./player.js";
import { renderHit } from "./render.js";

const PAGE = 10;
const MAX_OFFSET = 1000; // the API's limit on offset
const FILTERS = ["podcast", "after", "before", "mode"];
const DEFAULTS = { mode: "hybrid" };

const $ = (id) => document.getElementById(id);
const form = $("search-form");
const q = $("q");
const fields = { podcast: $("podcast"), after: $("after"), before: $("before"), mode: $("mode") };
const statusLine = $("status");
const intro = $("intro");
const results = $("results");
const more = $("more");
const player = createPlayer();

let shown = null; // {params, offset, count} of the results on screen
let latest = 0; // number of the newest search; answers to older ones are dropped

function setStatus(text, isError = false) {
  statusLine.textContent = text;
  statusLine.classList.toggle("error", isError);
}

// ----- URL <-> form -----

function formParams() {
  const params = new URLSearchParams();
  const text = q.value.trim();
  if (text) params.set("q", text);
  for (const name of FILTERS) {
    const value = fields[name].value;
    if (value && value !== DEFAULTS[name]) params.set(name, value);
  }
  return params;
}

function applyParams(params) {
  q.value = params.get("q") || "";
  for (const name of FILTERS) {
    const value = params.get(name) || DEFAULTS[name] || "";
    const field = fields[name];
    if (field.tagName === "SELECT" && value && ![...field.options].some((o) => o.value === value)) {
      field.append(new Option(value, value)); // e.g. a podcast named in a shared link but not listed
    }
    field.value = value;
  }
}

function writeUrl(params, push) {
  const url = params.toString() ? `?${params}` : location.pathname;
  if (url === location.search || (url === location.pathname && !location.search)) return;
  history[push ? "pushState" : "replaceState"](null, "", url);
}

// ----- API -----

// 422s list {loc, msg} per bad field; other errors carry one message in `detail`
function errorMessage(status, body) {
  const detail = body && body.detail;
  if (Array.isArray(detail)) {
    return detail.map((e) => {
      const where = (e.loc || []).filter((part) => part !== "query").join(".");
      const why = String(e.msg || "invalid").replace(/^Value error, /, "");
      return where ? `${where}: ${why}` : why;
    }).join("; ");
  }
  if (typeof detail === "string") return detail;
  if (body && typeof body.error === "string") return body.error; // /health while the index is not loaded
  return `The server answered ${status}.`;
}

async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) throw new Error(errorMessage(response.status, body));
  return body;
}

// ----- results -----

function play(hit, item) {
  for (const old of results.querySelectorAll(".hit.playing")) {
    old.classList.remove("playing");
    old.removeAttribute("aria-current");
  }
  item.classList.add("playing");
  item.setAttribute("aria-current", "true");
  player.play(hit);
}

async function search(params, append = false) {
  const number = ++latest;
  const offset = append && shown ? shown.offset + PAGE : 0;
  const api = new URLSearchParams(params);
  api.set("k", String(PAGE));
  if (offset) api.set("offset", String(offset));
  setStatus(append ? "Loading more…" : "Searching…");
  results.setAttribute("aria-busy", "true");
  try {
    const data = await getJSON(`/search?${api}`);
    if (number !== latest) return;
    if (!append) results.replaceChildren();
    const handlers = { onPlay: play, onLeaveTop: () => q.focus() };
    data.hits.forEach((hit, n) => results.append(renderHit(hit, offset + n + 1, handlers)));
    const count = (append && shown ? shown.count : 0) + data.hits.length;
    shown = { params, offset, count };
    intro.hidden = true;
    more.hidden = data.hits.length < PAGE || offset + PAGE > MAX_OFFSET;
    if (count === 0) {
      setStatus(`Nothing matched “${data.query}”. Try other words, “Meaning only”, or fewer filters.`);
    } else {
      const counted = `${count}${more.hidden ? "" : "+"} moment${count === 1 ? "" : "s"}`;
      setStatus(`${counted} for “${data.query}” · ${Math.round(data.took_ms)} ms`);
    }
  } catch (error) {
    if (number !== latest) return;
    if (!append) {
      results.replaceChildren();
      shown = null;
    }
    more.hidden = true;
    setStatus(error.message || "The search failed.", true);
  } finally {
    if (number === latest) results.removeAttribute("aria-busy");
  }
}

function clearResults() {
  latest += 1;
  shown = null;
  results.replaceChildren();
  results.removeAttribute("aria-busy");
  more.hidden = true;
  intro.hidden = false;
  setStatus("");
}

function searchFromForm(push) {
  const params = formParams();
  writeUrl(params, push);
  if (params.get("q")) search(params);
  else clearResults();
}

// ----- wiring -----

form.addEventListener("submit", (event) => {
  event.preventDefault();
  searchFromForm(true);
});
for (const field of Object.values(fields)) {
  field.addEventListener("change", () => {
    if (q.value.trim()) searchFromForm(false);
    else writeUrl(formParams(), false);
  });
}
more.addEventListener("click", () => {
  if (shown) search(shown.params, true);
});
window.addEventListener("popstate", () => {
  const params = new URLSearchParams(location.search);
  applyParams(params);
  if (params.get("q")) search(params);
  else clearResults();
});
document.addEventListener("keydown", (event) => {
  const typing = event.target.closest && event.target.closest("input, select, textarea");
  if (event.key === "/" && !typing) { // "/" jumps to the search box, as on many sites
    event.preventDefault();
    q.focus();
    q.select();
  }
});

async function loadPodcasts() {
  try {
    const data = await getJSON("/podcasts");
    for (const podcast of data.podcasts) {
      if (podcast.name) fields.podcast.append(new Option(`${podcast.name} (${podcast.episodes})`, podcast.name));
    }
  } catch {
    // the filter stays at "All podcasts"; searching still works
  }
}

async function loadStats() {
  const stats = $("stats");
  try {
    const c = (await getJSON("/health")).counts;
    const podcasts = `${c.podcasts.toLocaleString()} podcast${c.podcasts === 1 ? "" : "s"}`;
    stats.textContent = `Searching ${c.passages.toLocaleString()} passages from ${c.episodes.toLocaleString()} ` +
      `episodes of ${podcasts}.`;
  } catch (error) {
    stats.textContent = error.message;
  }
}

async function start() {
  loadStats();
  await loadPodcasts(); // before applying the URL, so its podcast can be selected
  const params = new URLSearchParams(location.search);
  applyParams(params);
  if (params.get("q")) search(params);
  else q.focus();
}

start();
