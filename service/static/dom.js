// The page's two DOM helpers, shared by every module: find an element by id, and make one whose data goes in as
// text (textContent), never as markup, so a title or transcript holding "<script>" shows those characters and
// runs nothing.

export const $ = (id) => document.getElementById(id);

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// A status line (role="status"): its text, styled as an error or not.
export function showStatus(line, text, isError = false) {
  line.textContent = text;
  line.classList.toggle("error", isError);
}
