// Calls to the JSON API shared by the search and ask modes: error messages people can read, and JSON fetches.

// 422s list {loc, msg} per bad field; other errors carry one message in `detail`
export function errorMessage(status, body) {
  const detail = body && body.detail;
  if (Array.isArray(detail)) {
    return detail.map((e) => {
      const where = (e.loc || []).filter((part) => part !== "query" && part !== "body").join(".");
      const why = String(e.msg || "invalid").replace(/^Value error, /, "");
      return where ? `${where}: ${why}` : why;
    }).join("; ");
  }
  if (typeof detail === "string") return detail;
  if (body && typeof body.error === "string") return body.error; // /health while the index is not loaded
  return `The server answered ${status}.`;
}

export async function readJSON(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

export async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await readJSON(response);
  if (!response.ok) throw new Error(errorMessage(response.status, body));
  return body;
}

// Server-sent events from a fetch() response (EventSource cannot POST): calls onEvent(name, data) for each
// `event:`/`data:` block as it arrives; data is JSON.
export async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
    const blocks = buffer.split(/\r?\n\r?\n/);
    buffer = done ? "" : blocks.pop();
    for (const block of blocks) {
      let name = "message";
      const data = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) onEvent(name, JSON.parse(data.join("\n")));
    }
    if (done) return;
  }
}
