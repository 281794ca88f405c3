// The conversation: a question goes to /api/ask/stream; the answer streams into its bubble,
// citations appear as chips as soon as they are known, and each answer can be rated 👍/👎.

import { postJson, streamAnswer } from "./api.js";
import { openCitation } from "./citations.js";
import { clear, el } from "./dom.js";

const NOT_FOUND = "Không tìm thấy nhiệm vụ phù hợp trong các kế hoạch hiện có. Hãy thử ghi rõ tên cơ quan, tỉnh hoặc khoảng thời gian.";
const CUT_OFF = "Kết nối bị gián đoạn trước khi trả lời xong. Xin hỏi lại.";

function newSessionId() {
  // crypto.getRandomValues works on plain http too (randomUUID needs a secure context).
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** One id per browser tab (sessionStorage is per tab), so follow-up questions keep their context. */
export function tabSession(reset = false) {
  const key = "cchc.session";
  try {
    let id = window.sessionStorage.getItem(key);
    if (reset || !id || !/^[a-f0-9]{32}$/.test(id)) {
      id = newSessionId();
      window.sessionStorage.setItem(key, id);
    }
    return id;
  } catch (_) {
    return newSessionId();
  }
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

export class Chat {
  constructor({ today, agencyId }) {
    this.today = today;
    this.agencyId = agencyId; // a function: the profile may change between questions
    this.session = tabSession();
    this.messages = document.getElementById("messages");
    this.welcome = document.getElementById("welcome");
    this.busy = false;
  }

  reset() {
    this.session = tabSession(true);
    clear(this.messages);
    this.welcome.hidden = false;
  }

  async ask(question) {
    const text = question.trim();
    if (!text || this.busy) return false;
    this.busy = true;
    document.body.classList.add("busy");
    this.welcome.hidden = true;
    const asked = el("li", { class: "message user" }, el("p", { class: "bubble" }, text));
    const view = this.answerView();
    this.messages.append(asked, view.item);
    // The question at the top of the screen, its answer growing below it (on a phone too).
    asked.scrollIntoView({ block: "start", behavior: "smooth" });

    const body = { question: text, session: this.session };
    if (this.today) body.today = this.today;
    const agency = this.agencyId();
    if (agency) body.agency = agency;

    let finished = false;
    try {
      await streamAnswer(body, (name, data) => {
        if (name === "query") view.understood.textContent = understoodLine(data);
        else if (name === "citation") this.addChip(view, data);
        else if (name === "delta") view.text.append(data.text);
        else if (name === "done") {
          finished = true;
          this.finish(view, text, data);
        } else if (name === "error") {
          finished = true;
          this.fail(view, data.detail);
        }
      });
      if (!finished) this.fail(view, CUT_OFF);
    } catch (error) {
      this.fail(view, error.message || CUT_OFF);
    } finally {
      this.busy = false;
      document.body.classList.remove("busy");
    }
    return true;
  }

  answerView() {
    const status = el("p", { class: "status", role: "status" }, "Đang tìm trong các kế hoạch…");
    const understood = el("p", { class: "understood" });
    const text = el("div", { class: "answer-text" });
    const chips = el("ul", { class: "chips", "aria-label": "Nguồn trích dẫn" });
    const footer = el("div", { class: "answer-footer" });
    const bubble = el("div", { class: "bubble" }, status, understood, text, chips, footer);
    return { item: el("li", { class: "message assistant", "aria-busy": "true" }, bubble), status, understood, text, chips, footer, ids: new Set() };
  }

  addChip(view, citation) {
    if (view.ids.has(citation.id)) return;
    view.ids.add(citation.id);
    const chip = el(
      "button",
      { type: "button", class: "chip", title: citation.section, dataset: { citation: citation.id } },
      citation.label,
    );
    chip.addEventListener("click", () => openCitation(citation.id, citation.label));
    view.chips.append(el("li", {}, chip));
  }

  finish(view, question, answer) {
    view.item.removeAttribute("aria-busy");
    view.status.remove();
    // The final answer is authoritative: it replaces the streamed text, and its citation list
    // replaces the streamed chips (an answer found to be empty cites nothing).
    view.text.textContent = answer.answer;
    clear(view.chips);
    view.ids.clear();
    for (const citation of answer.citations) this.addChip(view, citation);
    if (!answer.found) {
      view.item.classList.add("not-found");
      view.text.before(el("p", { class: "not-found-note" }, NOT_FOUND));
    }
    view.footer.append(this.feedbackControls(question, answer));
  }

  fail(view, message) {
    view.item.removeAttribute("aria-busy");
    view.item.classList.add("failed");
    view.status.className = "error";
    view.status.textContent = message;
    if (!view.status.isConnected) view.text.before(view.status);
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
