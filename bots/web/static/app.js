// Page start-up: wire the form, the profile picker, suggestions and the citation dialog.

import { getJson } from "./api.js";
import { Chat } from "./chat.js";
import { setupCitationDialog } from "./citations.js";
import { el, vnDate } from "./dom.js";
import { setupScrollToLatest, setupTheme } from "./conventions.js";
import { Conversations } from "./conversations.js";
import { ProfilePicker } from "./profile.js";

/** ?q=… (a shared link, conventions.permalink): the question and the agency it was asked for. */
function linkedQuestion() {
  const params = new URLSearchParams(window.location.search);
  const question = (params.get("q") || "").slice(0, 2000);
  const agency = params.get("agency");
  const profile = agency ? { agency: { id: agency, name: params.get("name") || agency }, province: params.get("province") || "" } : null;
  return { question, profile };
}

/** ?today=YYYY-MM-DD fixes the reference day (demos, tests); anything else is ignored. */
function todayParam() {
  const value = new URLSearchParams(window.location.search).get("today");
  return value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null;
}

function suggestionsFor(plans) {
  const first = plans[0];
  const second = plans[1] || plans[0];
  if (!first) {
    return [
      "Sở Nội vụ chủ trì những việc gì trong quý này?",
      "Ai chủ trì việc đo lường sự hài lòng của người dân?",
    ];
  }
  return [
    `Sở Nội vụ tỉnh ${first.province} chủ trì những việc gì trong quý này?`,
    "Ai chủ trì việc đo lường sự hài lòng của người dân?",
    `Sở Thông tin và Truyền thông tỉnh ${second.province} phối hợp những việc gì trong cả năm?`,
    `Kế hoạch cải cách hành chính năm ${second.year} của tỉnh ${second.province} do ai ký?`,
  ];
}

function showBanner(text) {
  const banner = document.getElementById("banner");
  banner.textContent = text;
  banner.hidden = !text;
}

function quarterOf(iso) {
  const day = iso ? new Date(`${iso}T00:00:00`) : new Date();
  return { year: day.getFullYear(), quarter: Math.floor(day.getMonth() / 3) + 1 };
}

const ROMAN = ["I", "II", "III", "IV"];

/** The welcome screen says which plans are loaded and what «quý này» means against them. */
function showPlans(plans, today) {
  const list = document.getElementById("plans-held");
  list.replaceChildren(...plans.map((plan) => {
    const number = [plan.doc_number && `số ${plan.doc_number}`, plan.doc_date && `ngày ${vnDate(plan.doc_date)}`].filter(Boolean).join(", ");
    return el("li", {}, `${plan.short_title} (${plan.province}, năm ${plan.year})${number ? ` — ${number}` : ""}`);
  }));
  if (!plans.length) return;
  const { year, quarter } = quarterOf(today);
  const years = [...new Set(plans.map((plan) => plan.year))].sort();
  const note = document.getElementById("period-note");
  const asked = `quý ${ROMAN[quarter - 1]}/${year}`;
  note.textContent = years.includes(year)
    ? `«Quý này» là ${asked}.`
    : `«Quý này» là ${asked}, nhưng các kế hoạch đã nạp thuộc năm ${years.join(", ")}: câu hỏi về quý này được trả lời bằng cùng kỳ của kế hoạch gần nhất, có ghi rõ.`;
  note.hidden = false;
}

async function start() {
  const today = todayParam();
  if (today) {
    const note = document.getElementById("today-note");
    note.textContent = `Ngày tham chiếu: ${vnDate(today)} (thay cho hôm nay).`;
    note.hidden = false;
    document.getElementById("board-open").search = `?today=${today}`; // the board keeps the same day
  }
  setupCitationDialog();

  const form = document.getElementById("ask-form");
  const input = document.getElementById("question");
  let picker;
  const plansById = new Map();
  const hint = document.getElementById("form-hint");
  const chat = new Chat({
    today, agencyId: () => picker.agencyId, province: () => picker.profile.province || "", plans: () => plansById, onBusy: (message) => { hint.textContent = message; },
  });
  // A failed question stays in the box, to be sent again; an answered one is cleared.
  const ask = async (question) => {
    hint.textContent = "";
    if (!question.trim()) {
      hint.textContent = "Hãy nhập câu hỏi, ví dụ: «Sở Nội vụ chủ trì những việc gì trong quý này?»";
      return;
    }
    if (question.length > limit()) { // said before sending; nothing is ever cut
      showCount();
      input.focus();
      return;
    }
    // Cleared once answered, unless the official has already typed the next question.
    if ((await chat.ask(question)) && input.value === question) input.value = "";
    showCount();
  };
  picker = new ProfilePicker({ onDuties: (label, request) => chat.duties(label, request) });
  const link = linkedQuestion();
  if (link.profile) { // a shared link asks for its own agency, without changing the one saved here
    picker.profile = link.profile;
    picker.render();
  }
  const counter = document.getElementById("counter");
  // The limit is checked here, not by maxlength: a long paste stays whole and is flagged at once.
  const limit = () => Number(input.dataset.limit) || 500;
  const showCount = () => {
    const length = input.value.length;
    const over = length > limit();
    counter.textContent = `${length}/${limit()}`;
    counter.classList.toggle("near-limit", length > limit() * 0.9);
    input.setAttribute("aria-invalid", String(over));
    if (over) hint.textContent = `Câu hỏi dài ${length} ký tự, quá giới hạn ${limit()}. Hãy rút gọn rồi gửi (trợ lý không tự cắt bớt).`;
    else if (hint.textContent.startsWith("Câu hỏi dài")) hint.textContent = "";
  };
  input.addEventListener("input", showCount);
  chat.restore();

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ask(input.value);
  });
  input.addEventListener("keydown", (event) => {
    // Enter sends, Shift+Enter starts a new line (as in common chat apps).
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ask(input.value);
    }
  });
  document.getElementById("new-chat").addEventListener("click", () => {
    const asked = document.querySelectorAll("#messages .message").length > 0;
    if (asked && !window.confirm("Bắt đầu cuộc trò chuyện mới? Cuộc này vẫn được lưu trong «Các cuộc trò chuyện».")) return;
    chat.reset();
    conversations.startNew();
    input.focus();
  });
  document.getElementById("stop").addEventListener("click", () => chat.stop());
  const conversations = new Conversations({
    panel: document.getElementById("conversations"), toggle: document.getElementById("conversations-toggle"),
    list: document.getElementById("conversation-list"),
  });
  setupTheme(document.getElementById("theme-toggle"));
  setupScrollToLatest(document.getElementById("to-latest"));

  const suggestions = document.getElementById("suggestions");
  const showSuggestions = (plans) => {
    suggestions.replaceChildren(
      ...suggestionsFor(plans).map((question) =>
        el("li", {}, el("button", { type: "button", class: "suggestion", on: { click: () => ask(question) } }, question)),
      ),
    );
  };

  const [health, plans, agencies, choices] = await Promise.allSettled(
    [getJson("health"), getJson("plans"), getJson("agencies"), getJson("agency-choices")]);
  if (health.status === "fulfilled") {
    if (!health.value.loaded) showBanner("Chỉ mục kế hoạch chưa sẵn sàng; trợ lý sẽ trả lời được sau khi quản trị viên xây dựng chỉ mục.");
    if (health.value.max_question_chars) input.dataset.limit = String(health.value.max_question_chars);
  } else {
    showBanner("Không kết nối được máy chủ. Xin tải lại trang sau ít phút.");
  }
  const planList = plans.status === "fulfilled" ? plans.value : [];
  for (const plan of planList) plansById.set(plan.id, plan);
  showPlans(planList, today);
  showCount();
  showSuggestions(planList);
  if (choices.status === "fulfilled") picker.setChoices(agencies.status === "fulfilled" ? agencies.value : [], choices.value);
  document.body.dataset.ready = "true"; // for tests and for styling the first paint
  if (link.question) {
    window.history.replaceState(null, "", window.location.pathname + (today ? `?today=${today}` : ""));
    ask(link.question);
  }
}

start();
