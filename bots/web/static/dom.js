// Building DOM nodes. Strings always become text nodes: nothing from a document, a question or
// an answer is ever parsed as HTML on this page (no innerHTML, no insertAdjacentHTML).

/**
 * el("p", {class: "note"}, "text", child) -> <p class="note">text…</p>
 * Attributes are set one by one; event handlers are passed as functions under "on".
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "on") {
      for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    } else if (name === "dataset") {
      Object.assign(node.dataset, value);
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(node, ...children);
  return node;
}

export function append(node, ...children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

/** Lowercase, no diacritics, đ -> d: "Sở Nội vụ" and "so noi vu" match (as indexer.vntext.fold). */
export function fold(text) {
  return String(text || "")
    .toLowerCase()
    .normalize("NFD")
    .replace(/đ/g, "d")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** "2021-12-24" -> "24/12/2021" */
export function vnDate(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
  return match ? `${match[3]}/${match[2]}/${match[1]}` : String(iso || "");
}
