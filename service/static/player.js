// The one <audio> element of the page: plays an episode from the second a hit names, and says what plays.

import { $ } from "./dom.js";
import { webUrl } from "./safeurl.js";

export function createPlayer() {
  const bar = $("player");
  const audio = $("audio");
  const problem = $("audio-error");
  const title = $("now-title");
  const where = $("now-where");
  const link = $("now-link");
  let pendingSeek = null; // where to seek once a newly loaded file's metadata is known

  function showProblem(text) {
    problem.textContent = text;
    problem.hidden = false;
  }

  // src = audio_url#t=N (the media fragment starts there on its own) and currentTime = N: before metadata
  // arrives that sets the default playback start position, and "loadedmetadata" seeks again to be sure.
  function play(hit) {
    const episode = hit.episode || {};
    const start = hit.seek_s ?? hit.start_s ?? 0;
    bar.hidden = false;
    document.body.classList.add("has-player");
    title.textContent = episode.title || episode.id || "";
    where.textContent = [hit.chapter && hit.chapter.title, hit.timestamp].filter(Boolean).join(" · ");
    const page = webUrl(episode.url);
    link.hidden = !page;
    if (page) link.href = page;
    else link.removeAttribute("href");
    problem.hidden = true;

    const source = webUrl(episode.audio_url);
    if (!source) {
      audio.removeAttribute("src");
      delete audio.dataset.base;
      audio.load();
      showProblem(episode.audio_url ? "This episode's audio address is not a web (http or https) link; not played."
        : "This episode has no audio file to play.");
      return;
    }
    const base = source.split("#")[0];
    if (audio.dataset.base === base && audio.readyState >= HTMLMediaElement.HAVE_METADATA) {
      audio.currentTime = start; // the same file: seek, don't download it again
    } else {
      audio.dataset.base = base;
      pendingSeek = start;
      audio.src = `${base}#t=${start}`;
      audio.currentTime = start;
    }
    const playing = audio.play();
    if (playing) playing.catch(() => {}); // refused autoplay or a failed load: the "error" event reports the latter
  }

  audio.addEventListener("loadedmetadata", () => {
    if (pendingSeek !== null && Math.abs(audio.currentTime - pendingSeek) > 0.5) audio.currentTime = pendingSeek;
    pendingSeek = null;
  });
  audio.addEventListener("error", () => {
    if (!audio.getAttribute("src")) return;
    let host = "its server";
    try {
      host = new URL(audio.src).host || host;
    } catch {
      // keep the generic name
    }
    showProblem(`The audio could not be loaded from ${host}. The episode page may still play it.`);
  });

  return { play };
}
