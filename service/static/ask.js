// Ask mode: a question in; out comes an answer quoted from the episodes, then its sources, each of which plays
// from the second its quote starts. Answers arrive as server-sent events (POST /ask?stream=true): with a
// language model its words show as it writes them, and the final `answer` event replaces them with the checked
// answer. Everything from the API goes into the page as text (el() sets textContent), never as markup.

import { errorMessage, readEvents, readJSON } from "./api.js";
import { $, el, showStatus } from "./dom.js";
import { formatDate, makePlayable, markPlaying, renderHit } from "./render.js";

// One source: its number, the quote in quotation marks, when and where it was said, and the episode.
function renderCitation(citation, { onPlay, onLeaveTop }) {
  const episode = citation.episode || {};
  const item = el("li", "citation");
  item.tabIndex = 0;
  item.dataset.passage = String(citation.passage_id);
  item.append(el("span", "cite-n", citation.n));

  const body = el("div", "cite-body");
  const quote = el("blockquote", "cite-quote", `“${citation.quote}”`);
  quote.id = `quote-${citation.n}-${citation.passage_id}`;
  body.append(quote);

  const where = el("div", "hit-where");
  where.append(el("span", "hit-time", citation.timestamp ? `▶ ${citation.timestamp}` : "▶ Play episode"));
  if (citation.chapter && citation.chapter.title) where.append(el("span", "hit-chapter", citation.chapter.title));
  if (citation.kind && citation.kind !== "transcript") where.append(el("span", "hit-kind", citation.kind));
  body.append(where);

  const from = el("div", "cite-episode");
  from.append(el("span", "cite-title", episode.title || episode.id || ""));
  const meta = [episode.podcast, formatDate(episode.published)].filter(Boolean).join(" · ");
  if (meta) from.append(el("span", "cite-podcast", meta));
  body.append(from);
  item.append(body);

  const at = citation.timestamp ? ` from ${citation.timestamp}` : "";
  const label = `Source ${citation.n}: play ${episode.title || episode.id || "the episode"}${at}`;
  makePlayable(item, citation, label, quote.id, { onPlay, onLeaveTop });
  return item;
}

// `onAsked(question)` runs when the form asks (the page puts the question in its URL)
export function createAsk({ player, onAsked }) {
  const panel = $("panel-ask");
  const form = $("ask-form");
  const input = $("ask-q");
  const statusLine = $("ask-status");
  const intro = $("ask-intro");
  const box = $("answer");
  const label = $("answer-label");
  const text = $("answer-text");
  const note = $("answer-note");
  const sources = $("sources");
  const citations = $("citations");
  const closest = $("closest");
  const passages = $("passages");
  let latest = 0; // number of the newest question; events for older ones are dropped
  let controller = null;

  const setStatus = (message, isError = false) => showStatus(statusLine, message, isError);

  function play(target, item) {
    markPlaying(panel, item);
    // a passage (renderHit) plays from its best-matching second (seek_s); a citation, having none, from its
    // quote's start (start_s)
    player.play(target);
  }

  const handlers = { onPlay: play, onLeaveTop: () => input.focus() };

  function showDraft(words) {
    intro.hidden = true;
    box.hidden = false;
    box.classList.add("drafting");
    label.textContent = "Writing…";
    text.textContent = words;
    note.hidden = true;
    sources.hidden = true;
    closest.hidden = true;
  }

  function showAnswer(data) {
    intro.hidden = true;
    box.hidden = false;
    box.classList.remove("drafting");
    box.classList.toggle("not-found", !data.found);
    const n = data.citations.length;
    const counted = `${n} source${n === 1 ? "" : "s"}`;
    label.textContent = !data.found ? "No answer"
      : data.answerer === "llm" ? `Answer · written by a language model, checked against ${counted}`
        : `Answer · quoted from ${counted}`;
    text.textContent = data.answer;
    const notes = [...data.warnings];
    if (data.dropped_citations) {
      const d = data.dropped_citations;
      notes.push(`${d} quote${d === 1 ? " was" : "s were"} left out: not found word for word in the episodes.`);
    }
    note.textContent = notes.join(" ");
    note.hidden = notes.length === 0;
    citations.replaceChildren(...data.citations.map((c) => renderCitation(c, handlers)));
    sources.hidden = n === 0;
    passages.replaceChildren(...(data.found ? [] : data.passages.map((hit, i) => renderHit(hit, i + 1, handlers))));
    closest.hidden = data.found || data.passages.length === 0;
    setStatus(`${data.found ? "Answered" : "Searched"} in ${Math.round(data.took_ms)} ms`);
  }

  function clear() {
    latest += 1;
    if (controller) controller.abort();
    box.hidden = true;
    closest.hidden = true;
    intro.hidden = false;
    setStatus("");
  }

  async function ask(question) {
    const number = ++latest;
    if (controller) controller.abort();
    controller = new AbortController();
    input.value = question;
    setStatus("Finding the answer…");
    box.setAttribute("aria-busy", "true");
    let draft = "";
    try {
      const response = await fetch("/ask?stream=true", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
        body: JSON.stringify({ question }),
        signal: controller.signal,
      });
      if (!response.ok) throw new Error(errorMessage(response.status, await readJSON(response)));
      await readEvents(response, (event, data) => {
        if (number !== latest) return;
        if (event === "token") {
          draft += data.text;
          showDraft(draft);
        } else if (event === "answer") {
          showAnswer(data);
        } else if (event === "error") {
          throw new Error(data.detail || "The answer failed.");
        }
      });
    } catch (error) {
      if (number !== latest || error.name === "AbortError") return;
      box.hidden = true;
      closest.hidden = true;
      setStatus(error.message || "The answer failed.", true);
    } finally {
      if (number === latest) box.removeAttribute("aria-busy");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    onAsked(question);
    if (question) ask(question);
    else clear();
  });

  return { ask, clear, input };
}
