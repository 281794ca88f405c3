// The conversation: a question goes to /api/ask/stream; the answer streams into its bubble,
// citations appear as chips as soon as they are known, and each answer can be rated 👍/👎.

import { apiUrl, errorMessage, postJson, streamAnswer } from "./api.js";
import { openCitation } from "./citations.js";
import { clear, el } from "./dom.js";
import { copyWith, editQuestion, permalink } from "./conventions.js";
import { printAnswer, printHeader } from "./print.js";
import { loadProfile } from "./profile.js";
import { plainText, renderBlocks } from "./render.js";

const NOT_FOUND = "Không tìm thấy nhiệm vụ phù hợp trong các kế hoạch hiện có. Hãy thử ghi rõ tên cơ quan, tỉnh hoặc khoảng thời gian.";
const CUT_OFF = "Kết nối bị gián đoạn trước khi trả lời xong. Xin hỏi lại.";
const STOPPED = "Đã dừng theo yêu cầu. Bấm «Thử lại» để hỏi lại.";
const OFFLINE = "Không kết nối được máy chủ. Kiểm tra mạng rồi bấm «Thử lại».";
const HISTORY_KEY = "cchc.history";
const HISTORY_LIMIT = 30;

const SESSION_KEY = "cchc.session";

/** This tab's conversation id (sessionStorage is per tab), so follow-up questions keep their context.
 * The server issues it (POST /api/session): a page never makes up an id, nor reuses anyone else's. */
export async function tabSession(reset = false) {
  try {
    const kept = window.sessionStorage.getItem(SESSION_KEY);
    if (!reset && kept && /^w1\.[\w-]+\.[\w-]+$/.test(kept)) return kept;
  } catch (_) {
    /* storage disabled: a new id per page load */
  }
  const { session } = await postJson("session", {});
  try {
    window.sessionStorage.setItem(SESSION_KEY, session);
  } catch (_) {
    /* not kept: the conversation ends with the page */
  }
  return session;
}

function understoodLine(query) {
  const parts = [];
  if (query.agency) parts.push(query.agency.name);
  if (query.role === "lead") parts.push("chủ trì");
  if (query.role === "coordinating") parts.push("phối hợp");
  if (query.provinces && query.provinces.length) parts.push(query.provinces.join(", "));
  if (query.period) parts.push(query.period.label);
  else if (query.year) parts.push(`năm ${query.year}`);
  return parts.length ? `Đã hiểu: ${parts.join(" · ")}` : "";
}

/** The stream's last event names its citations by id and leaves out the text the deltas carried
 *  (POST /api/duties answers whole): the answer as /api/ask gives it. */
function whole(view, done) {
  if (!done.citation_ids) return done;
  const { citation_ids: ids, ...rest } = done;
  return { ...rest, answer: view.streamed.join("").trim(), citations: ids.map((id) => view.cited.get(id)).filter(Boolean) };
}

/** A question in the conversation; screen readers hear who speaks. */
function userMessage(text) {
  return el("li", { class: "message user" }, el("span", { class: "speaker" }, "Bạn hỏi:"), el("p", { class: "bubble" }, text));
}

export class Chat {
  constructor({ today, agencyId, province, plans, onBusy }) {
    this.today = today;
    this.agencyId = agencyId; // a function: the profile may change between questions
    this.province = province || (() => ""); // a function too: the profile's province scopes every question
    this.plans = plans; // a function: plan id -> plan, for the sources of copied answers
    this.onBusy = onBusy;
    this.session = null; // asked of the server before the first question
    this.messages = document.getElementById("messages");
    this.welcome = document.getElementById("welcome");
    this.live = document.getElementById("answer-live");
    this.busy = false;
  }

  reset() {
    this.session = null;
    sessionStorage.removeItem(SESSION_KEY);
    clear(this.messages);
    this.welcome.hidden = false;
    sessionStorage.removeItem(HISTORY_KEY);
  }

  /** The conversation of this tab, back after a reload. */
  restore() {
    let history = [];
    try {
      history = JSON.parse(sessionStorage.getItem(HISTORY_KEY) || "[]");
    } catch (_) {
      history = [];
    }
    for (const { question, answer } of history) {
      const view = this.answerView();
      this.messages.append(userMessage(question), view.item);
      this.finish(view, question, answer, false);
    }
    if (history.length) this.welcome.hidden = true;
  }

  remember(question, answer) {
    try {
      const history = JSON.parse(sessionStorage.getItem(HISTORY_KEY) || "[]");
      history.push({ question, answer });
      sessionStorage.setItem(HISTORY_KEY, JSON.stringify(history.slice(-HISTORY_LIMIT)));
      document.dispatchEvent(new CustomEvent("cchc:remembered")); // the conversation list keeps it too
    } catch (_) {
      /* storage full or disabled: the conversation just is not kept */
    }
  }

  /** Ask a question; true once it is answered (the box is then cleared), false otherwise. */
  async ask(question, send = null) {
    const text = question.trim();
    if (!text) return false;
    if (this.busy) {
      this.onBusy("Đang trả lời câu trước, xin chờ một chút rồi gửi lại.");
      return false;
    }
    this.busy = true;
    document.body.classList.add("busy");
    this.welcome.hidden = true;
    const asked = userMessage(text);
    const view = this.answerView();
    this.messages.append(asked, view.item);
    let answered = false;
    const handle = (name, data) => {
      if (name === "query") view.understood.textContent = understoodLine(data);
      else if (name === "citation") this.addChip(view, data);
      else if (name === "delta") {
        view.streamed.push(data.text);
        view.text.append(data.text);
      } else if (name === "done") {
        answered = true;
        this.finish(view, text, whole(view, data));
      } else if (name === "error") this.fail(view, data.detail, text, send);
    };
    try {
      this.controller = new AbortController(); // «Dừng» cancels the stream, even before it starts
      this.session = this.session || (await tabSession());
      await (send ? send(handle) : streamAnswer(this.body(text), handle, this.controller.signal));
      if (!answered && !view.item.classList.contains("failed")) this.fail(view, CUT_OFF, text, send);
    } catch (error) {
      if (/^Mã phiên/.test(error.message)) {
        this.session = null; // the server's key changed: «Thử lại» asks for a new id
        sessionStorage.removeItem(SESSION_KEY);
      }
      const stopped = error.name === "AbortError";
      this.fail(view, stopped ? STOPPED : error instanceof TypeError ? OFFLINE : error.message || CUT_OFF, text, send);
    } finally {
      this.busy = false;
      document.body.classList.remove("busy");
    }
    return answered;
  }

  stop() {
    if (this.busy && this.controller) this.controller.abort();
  }

  body(text) {
    const body = { question: text, session: this.session };
    if (this.today) body.today = this.today;
    const agency = this.agencyId();
    if (agency) body.agency = agency;
    // «Đơn vị của tôi» travels whole: its province scopes a question that names none (issue 18).
    const province = this.province();
    if (province) body.province = province;
    if (this.hasHistory()) body.continued = true; // a lost conversation is then said to be lost
    return body;
  }

  hasHistory() {
    try {
      return JSON.parse(sessionStorage.getItem(HISTORY_KEY) || "[]").length > 0;
    } catch (_) {
      return false;
    }
  }

  /** A named request (the quick buttons): POST /api/duties, shown like an answer. */
  async duties(label, request) {
    const body = { ...request };
    if (this.today) body.today = this.today;
    return this.ask(label, async (handle) => {
      handle("done", await postJson("duties", { ...body, session: this.session }));
    });
  }

  answerView() {
    const status = el("p", { class: "status", role: "status" }, "Đang tìm trong các kế hoạch…");
    const understood = el("p", { class: "understood" });
    const text = el("div", { class: "answer-text" });
    const chips = el("ul", { class: "chips", "aria-label": "Nguồn trích dẫn" });
    const sourcesTitle = el("summary", {}, "Nguồn (0)");
    const sources = el("details", { class: "sources" }, sourcesTitle, chips);
    const footer = el("div", { class: "answer-footer" });
    const bubble = el("div", { class: "bubble" }, status, understood, text, sources, footer);
    return {
      item: el("li", { class: "message assistant", "aria-busy": "true" }, el("span", { class: "speaker" }, "Trợ lý trả lời:"), bubble),
      status, understood, text, chips, sources, sourcesTitle, footer, ids: new Set(), cited: new Map(), streamed: [],
    };
  }

  addChip(view, citation) {
    if (view.ids.has(citation.id)) return;
    view.ids.add(citation.id);
    view.cited.set(citation.id, citation);
    const chip = el(
      "button",
      { type: "button", class: "chip", title: citation.section, dataset: { citation: citation.id } },
      citation.label,
    );
    chip.addEventListener("click", () => openCitation(citation.id, citation.label));
    view.chips.append(el("li", {}, el("span", { class: "chip-number" }, `${view.ids.size}.`), chip));
    view.sourcesTitle.textContent = `Nguồn (${view.ids.size})`;
  }

  finish(view, question, answer, fresh = true) {
    view.item.removeAttribute("aria-busy");
    view.status.remove();
    if (!view.understood.textContent && answer.query) view.understood.textContent = understoodLine(answer.query);
    // The final answer is authoritative: its blocks replace the streamed text, and its citation
    // list replaces the streamed chips (an answer found to be empty cites nothing).
    clear(view.chips);
    view.ids.clear();
    for (const citation of answer.citations) this.addChip(view, citation);
    view.sourcesTitle.textContent = `Nguồn (${answer.citations.length})`;
    // A fact card carries its one citation itself; a second «Nguồn» list would only repeat it.
    const card = (answer.blocks || []).some((b) => b.type === "fact_card");
    view.sources.hidden = answer.citations.length === 0 || (card && answer.citations.length === 1);
    const numbers = new Map(answer.citations.map((c, i) => [c.id, i + 1]));
    // The server's «Đã hiểu: …» note replaces the line guessed from the query, shown once.
    const understood = (answer.blocks || []).find((b) => b.type === "note" && b.text.startsWith("Đã hiểu: "));
    if (understood) view.understood.textContent = understood.text;
    const blocks = (answer.blocks || []).filter((b) => b !== understood);
    if (blocks.length) clear(view.text).append(...renderBlocks(blocks, numbers, openCitation, (q) => this.ask(q), answer.query));
    else view.text.textContent = answer.answer;
    if (!answer.found) {
      view.item.classList.add("not-found");
      view.text.before(el("p", { class: "not-found-note" }, NOT_FOUND));
    }
    view.text.before(printHeader(question, answer, this.plans()));
    if (answer.found) view.footer.append(this.actions(question, answer));
    view.footer.append(this.feedbackControls(question, answer));
    if (fresh) {
      this.remember(question, answer);
      this.live.textContent = `Đã có câu trả lời: ${blocks.length && blocks[0].text ? blocks[0].text : answer.answer.slice(0, 120)}`;
      view.item.scrollIntoView({ block: "start", behavior: "smooth" }); // the answer's start, once it has content
      // Asked by a button (quick, suggestion, follow-up): focus goes to the answer, not left on a
      // button that may be off-screen; typed questions keep the focus in the box.
      if (document.activeElement !== document.getElementById("question")) {
        const heading = view.text.querySelector(".answer-heading, .card-title") || view.text;
        heading.tabIndex = -1;
        heading.focus({ preventScroll: true });
      }
    }
  }

  fail(view, message, question = "", send = null) {
    view.item.removeAttribute("aria-busy");
    // The question waits in the box (a suggestion or a quick button never put it there).
    const input = document.getElementById("question");
    if (question && !input.value.trim() && !send) input.value = question;
    view.item.classList.add("failed");
    view.status.className = "error";
    view.status.setAttribute("role", "alert");
    view.status.textContent = message;
    if (!view.status.isConnected) view.text.before(view.status);
    if (question) {
      const retry = el("button", { type: "button", class: "retry", on: { click: () => {
        view.item.previousElementSibling?.remove();
        view.item.remove();
        this.ask(question, send).then((answered) => {
          if (!answered || input.value !== question) return;
          input.value = ""; // answered at last: the box is free for the next question
          input.dispatchEvent(new Event("input"));
        });
      } } }, "Thử lại");
      view.footer.append(retry);
    }
    view.item.scrollIntoView({ block: "nearest" }); // the error and «Thử lại» in sight
  }

  actions(question, answer) {
    const ids = answer.citations.map((c) => c.id);
    const copy = el("button", { type: "button", class: "action", on: { click: async () => {
      const text = plainText(question, answer, this.plans());
      try {
        await navigator.clipboard.writeText(text);
        copy.textContent = "Đã sao chép";
      } catch (_) {
        copy.textContent = "Không sao chép được";
      }
    } } }, "Sao chép");
    const download = (format) => async () => {
      // The answer's query and groups give the file its title row, its name and its group column.
      const groups = answer.blocks.filter((b) => b.type === "group").map((b) => ({ title: b.title, ids: b.items.map((i) => i.id) }));
      const response = await fetch(apiUrl("export"), {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ ids, format, title: question, query: answer.query, groups }),
      });
      if (!response.ok) return this.onBusy(await errorMessage(response));
      const named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
      const link = el("a", { href: URL.createObjectURL(await response.blob()), download: named ? named[1] : `nhiem-vu-cchc.${format}` });
      document.body.append(link);
      link.click();
      link.remove();
    };
    const listing = answer.blocks.some((b) => b.type === "group"); // nothing to tabulate otherwise
    const buttons = [
      copy,
      listing && el("button", { type: "button", class: "action", on: { click: download("xlsx") } }, "Tải Excel"),
      listing && el("button", { type: "button", class: "action", on: { click: download("csv") } }, "Tải CSV"),
      el("button", { type: "button", class: "action", on: { click: (event) => printAnswer(event.target.closest(".message")) } }, "In"),
      el("button", { type: "button", class: "action", on: { click: () => this.ask(question) } }, "Hỏi lại"),
      el("button", { type: "button", class: "action", on: { click: () => editQuestion(question) } }, "Sửa câu hỏi"),
      el("button", { type: "button", class: "action", on: { click: (event) =>
        copyWith(event.target, permalink(question, answer, loadProfile()), "Đã chép liên kết") } }, "Chép liên kết"),
    ].filter(Boolean);
    if (navigator.share) {
      buttons.push(el("button", { type: "button", class: "action", on: { click: () =>
        navigator.share({ title: "Trợ lý CCHC", text: plainText(question, answer, this.plans()) }).catch(() => {}) } }, "Chia sẻ"));
    }
    return el("div", { class: "actions", role: "group", "aria-label": "Thao tác với câu trả lời" }, ...buttons);
  }

  feedbackControls(question, answer) {
    const box = el("div", { class: "feedback" });
    const send = async (rating, comment) => {
      for (const button of box.querySelectorAll("button")) button.disabled = true;
      try {
        await postJson("feedback", {
          answer_id: answer.answer_id,
          rating,
          question,
          answer: answer.answer,
          comment: comment || null,
          session: this.session,
          today: this.today || null,
          citations: answer.citations.map((c) => c.id),
        });
        clear(box).append(el("span", { class: "thanks", role: "status" }, "Đã ghi nhận góp ý. Cảm ơn bạn!"));
      } catch (error) {
        for (const button of box.querySelectorAll("button")) button.disabled = false;
        box.append(el("span", { class: "error" }, error.message));
      }
    };
    const up = el("button", { type: "button", class: "rate", dataset: { rating: "up" } }, "👍 Hữu ích");
    const down = el("button", { type: "button", class: "rate", dataset: { rating: "down" } }, "👎 Chưa đúng");
    up.addEventListener("click", () => send("up"));
    down.addEventListener("click", () => {
      if (box.querySelector("form")) return;
      const comment = el("textarea", { rows: "2", maxlength: "2000", placeholder: "Điều gì chưa đúng? (không bắt buộc)", "aria-label": "Góp ý thêm" });
      const form = el("form", { class: "feedback-form" }, comment, el("button", { type: "submit" }, "Gửi góp ý"));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        send("down", comment.value.trim());
      });
      box.append(form);
      comment.focus();
    });
    box.append(el("span", { class: "feedback-label" }, "Câu trả lời có hữu ích không?"), up, down);
    return box;
  }
}
