// The conversation list: every conversation of this browser kept in localStorage (the open one
// also lives in the tab's sessionStorage, which the chat restores from), to reopen, rename or
// delete. Newest first; old ones give way when the list or the storage is full.

import { clear, el } from "./dom.js";

const LIST_KEY = "cchc.conversations";
const CURRENT_KEY = "cchc.conversation";
const HISTORY_KEY = "cchc.history"; // the chat's own record of the open conversation (chat.js)
const MAX_CONVERSATIONS = 20;
const MAX_TURNS = 10; // answers kept per conversation: a long listing is ~150 KB

function read(storage, key, fallback) {
  try {
    return JSON.parse(storage.getItem(key) || "null") ?? fallback;
  } catch (_) {
    return fallback;
  }
}

function newId() {
  return `c${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export class Conversations {
  constructor({ panel, toggle, list }) {
    this.panel = panel;
    this.toggle = toggle;
    this.list = list;
    this.toggle.addEventListener("click", () => this.setOpen(this.panel.hidden));
    document.addEventListener("cchc:remembered", () => this.saveCurrent());
  }

  all() {
    return read(window.localStorage, LIST_KEY, []);
  }

  current() {
    let id = read(window.sessionStorage, CURRENT_KEY, null);
    if (!id) {
      id = newId();
      window.sessionStorage.setItem(CURRENT_KEY, JSON.stringify(id));
    }
    return id;
  }

  write(conversations) {
    // Storage full: drop the oldest until it fits (the open conversation stays in the tab).
    for (let kept = conversations.slice(0, MAX_CONVERSATIONS); kept.length; kept = kept.slice(0, -1)) {
      try {
        window.localStorage.setItem(LIST_KEY, JSON.stringify(kept));
        return;
      } catch (_) {
        /* try with one fewer */
      }
    }
  }

  /** The open conversation, as the chat just recorded it, goes to the top of the list. */
  saveCurrent() {
    const history = read(window.sessionStorage, HISTORY_KEY, []);
    if (!history.length) return;
    const id = this.current();
    const conversations = this.all();
    const old = conversations.find((c) => c.id === id);
    const entry = {
      id, title: old && old.renamed ? old.title : history[0].question.slice(0, 80), renamed: Boolean(old && old.renamed),
      updated: new Date().toISOString(), history: history.slice(-MAX_TURNS),
    };
    this.write([entry, ...conversations.filter((c) => c.id !== id)]);
    if (!this.panel.hidden) this.render();
  }

  /** «Cuộc trò chuyện mới»: the next question starts another entry. */
  startNew() {
    window.sessionStorage.setItem(CURRENT_KEY, JSON.stringify(newId()));
    if (!this.panel.hidden) this.render();
  }

  open(conversation) {
    window.sessionStorage.setItem(CURRENT_KEY, JSON.stringify(conversation.id));
    window.sessionStorage.setItem(HISTORY_KEY, JSON.stringify(conversation.history));
    window.sessionStorage.removeItem("cchc.session"); // its server-side context is not this one's
    window.location.reload();
  }

  rename(conversation) {
    const title = window.prompt("Tên mới của cuộc trò chuyện:", conversation.title);
    if (!title || !title.trim()) return;
    this.write(this.all().map((c) => (c.id === conversation.id ? { ...c, title: title.trim().slice(0, 80), renamed: true } : c)));
    this.render();
  }

  remove(conversation) {
    if (!window.confirm(`Xoá cuộc trò chuyện «${conversation.title}»?`)) return;
    this.write(this.all().filter((c) => c.id !== conversation.id));
    this.render();
  }

  setOpen(open) {
    this.panel.hidden = !open;
    this.toggle.setAttribute("aria-expanded", String(open));
    if (open) this.render();
  }

  render() {
    const conversations = this.all();
    const current = read(window.sessionStorage, CURRENT_KEY, null);
    clear(this.list);
    if (!conversations.length) {
      this.list.append(el("li", { class: "empty" }, "Chưa có cuộc trò chuyện nào được lưu."));
      return;
    }
    for (const conversation of conversations) {
      const when = new Date(conversation.updated).toLocaleString("vi-VN", { dateStyle: "short", timeStyle: "short" });
      const here = conversation.id === current;
      this.list.append(el("li", { class: `conversation${here ? " current" : ""}` },
        el("span", { class: "conversation-title" }, conversation.title),
        el("span", { class: "muted" }, `${when} · ${conversation.history.length} câu hỏi${here ? " · đang mở" : ""}`),
        el("span", { class: "conversation-actions" },
          here ? null : el("button", { type: "button", class: "action", on: { click: () => this.open(conversation) } }, "Mở"),
          el("button", { type: "button", class: "action", on: { click: () => this.rename(conversation) } }, "Đổi tên"),
          el("button", { type: "button", class: "action", on: { click: () => this.remove(conversation) } }, "Xoá"))));
    }
  }
}
