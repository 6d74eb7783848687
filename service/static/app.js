// podquery search page: the form, the URL and the calls to the JSON API. An ES module (no build step):
// render.js turns hits into elements (data only ever as text), player.js runs the one <audio> element.
// The query and filters live in the URL (?q=...&podcast=...), so a search can be shared and reloaded; so does a
// question (?ask=...), which opens the Ask tab (ask.js). The modes and limits come from GET /config: the page
// copies none of the API's constants.

import { getJSON } from "./api.js";
import { createAsk } from "./ask.js";
import { $, showStatus } from "./dom.js";
import { createPlayer } from "./player.js";
import { markPlaying, renderHit } from "./render.js";

const PAGE = 10;
const FILTERS = ["podcast", "after", "before", "mode"];
const DEFAULTS = {}; // a filter's value when the URL names none (the mode's, from GET /config)
// what the mode menu says for each mode GET /config lists (a mode not named here shows as itself)
const MODE_LABELS = { hybrid: "Words & meaning", keyword: "Exact words", semantic: "Meaning only" };
let maxOffset = Infinity; // GET /config's max_offset; without it, "More" shows until the API refuses an offset

const form = $("search-form");
const q = $("q");
const fields = { podcast: $("podcast"), after: $("after"), before: $("before"), mode: $("mode") };
const statusLine = $("status");
const intro = $("intro");
const results = $("results");
const more = $("more");
const player = createPlayer();
const tabs = { search: $("tab-search"), ask: $("tab-ask") };
const panels = { search: $("panel-search"), ask: $("panel-ask") };
const asker = createAsk({ player, onAsked: (question) => writeUrl(new URLSearchParams({ ask: question }), true) });
const skip = document.querySelector(".skip");
let current = "search"; // the selected tab

let shown = null; // {params, offset, count} of the results on screen
let latest = 0; // number of the newest search; answers to older ones are dropped

const setStatus = (text, isError = false) => showStatus(statusLine, text, isError);

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
    if (field instanceof HTMLSelectElement && value && ![...field.options].some((o) => o.value === value)) {
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

// ----- results -----

function play(hit, item) {
  markPlaying(results, item);
  player.play(hit);
}

const hitHandlers = { onPlay: play, onLeaveTop: () => q.focus() };

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
    data.hits.forEach((hit, n) => results.append(renderHit(hit, offset + n + 1, hitHandlers)));
    const count = (append && shown ? shown.count : 0) + data.hits.length;
    shown = { params, offset, count };
    intro.hidden = true;
    more.hidden = data.hits.length < PAGE || offset + PAGE > maxOffset;
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

// ----- tabs: Search and Ask -----

function selectTab(name) {
  current = name;
  skip.setAttribute("href", name === "ask" ? "#answer" : "#results");
  for (const [key, tab] of Object.entries(tabs)) {
    const selected = key === name;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    panels[key].hidden = !selected;
  }
}

function modeInput() {
  return current === "ask" ? asker.input : q;
}

// what the URL says: ?ask=... opens Ask with that question, anything else is a search
function route(params) {
  if (params.has("ask")) {
    selectTab("ask");
    const question = (params.get("ask") || "").trim();
    if (question) asker.ask(question);
    else asker.clear();
    return;
  }
  selectTab("search");
  applyParams(params);
  if (params.get("q")) search(params);
  else clearResults();
}

// the tab's panel, with the URL of what it shows (the question asked, or the search and its filters)
function openTab(name) {
  if (name === current) return;
  selectTab(name);
  if (name === "ask") writeUrl(new URLSearchParams({ ask: asker.input.value.trim() }), false);
  else writeUrl(formParams(), false);
}

for (const [name, tab] of Object.entries(tabs)) {
  tab.addEventListener("click", () => {
    openTab(name);
    modeInput().focus();
  });
  tab.addEventListener("keydown", (event) => { // arrow keys move between tabs (the ARIA tabs pattern)
    if (!["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
    event.preventDefault();
    const other = name === "search" ? "ask" : "search";
    const target = event.key === "Home" ? "search" : event.key === "End" ? "ask" : other;
    openTab(target);
    tabs[target].focus();
  });
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
window.addEventListener("popstate", () => route(new URLSearchParams(location.search)));
document.addEventListener("keydown", (event) => {
  const typing = event.target.closest && event.target.closest("input, select, textarea");
  if (event.key === "/" && !typing) { // "/" jumps to the search (or question) box, as on many sites
    event.preventDefault();
    modeInput().focus();
    modeInput().select();
  }
});

// the mode menu and the limits, as the API defines them
async function loadConfig() {
  try {
    const config = await getJSON("/config");
    maxOffset = config.max_offset;
    DEFAULTS.mode = config.default_mode;
    fields.mode.replaceChildren(...config.modes.map((mode) => new Option(MODE_LABELS[mode] || mode, mode)));
    fields.mode.value = config.default_mode;
    q.maxLength = config.max_query_chars;
    asker.input.maxLength = config.max_query_chars;
  } catch {
    // the menu stays empty, so searches use the API's default mode; the API still checks every limit
  }
}

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
  // both before applying the URL, so that its mode and podcast can be selected
  await Promise.all([loadConfig(), loadPodcasts()]);
  const params = new URLSearchParams(location.search);
  route(params);
  if (!params.get("q") && !params.get("ask")) modeInput().focus();
}

start();
