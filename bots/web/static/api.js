// Calls to the HTTP API. URLs are relative to the page, so the app works under any path prefix a
// reverse proxy gives it (e.g. /tro-ly/).

const base = new URL(".", window.location.href);

export function apiUrl(path) {
  return new URL(`api/${path}`, base).toString();
}

/** The Vietnamese message of an error response ({"detail": ...}), or a fallback. */
export async function errorMessage(response) {
  try {
    const body = await response.json();
    if (body && typeof body.detail === "string") return body.detail;
  } catch (_) {
    /* not JSON: fall through */
  }
  if (response.status === 429) return "Bạn đã gửi quá nhiều yêu cầu. Xin thử lại sau ít phút.";
  return `Máy chủ trả lời lỗi ${response.status}. Xin thử lại sau.`;
}

export async function getJson(path) {
  const response = await fetch(apiUrl(path), { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(await errorMessage(response));
  return response.json();
}

export async function postJson(path, body) {
  const response = await fetch(apiUrl(path), {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(await errorMessage(response));
  return response.json();
}

/**
 * POST a question to /api/ask/stream and call onEvent(name, data) for each Server-Sent Event.
 * fetch + ReadableStream rather than EventSource, because EventSource cannot POST a body.
 * Resolves when the stream ends; rejects with a Vietnamese message on HTTP errors.
 */
export async function streamAnswer(body, onEvent, signal) {
  const response = await fetch(apiUrl("ask/stream"), {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok || !response.body) throw new Error(await errorMessage(response));
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    // Events end with a blank line; the server may use \r\n or \n.
    const parts = buffer.split(/\r?\n\r?\n/);
    buffer = parts.pop();
    for (const part of parts) dispatch(part, onEvent);
  }
  if (buffer.trim()) dispatch(buffer, onEvent);
}

function dispatch(block, onEvent) {
  let name = "message";
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(":")) continue; // comments carry keep-alive pings
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return;
  let parsed;
  try {
    parsed = JSON.parse(data.join("\n"));
  } catch (_) {
    return; // every event this server sends is JSON; anything else is not ours
  }
  onEvent(name, parsed);
}
