// Printing one answer: a header (question, plan, date asked) above it, every group and item
// unfolded, the [n] numbers and the sources kept (style.css, @media print), the rest of the chat
// left out while this answer prints.

import { el, vnDate } from "./dom.js";

/** The header printed above an answer; hidden on screen. */
export function printHeader(question, answer, plans) {
  const planIds = [...new Set((answer.citations || []).map((c) => c.id.split("_")[0]))];
  // Before the plan list has loaded (a restored conversation), the citation names the plan.
  const names = planIds.map((id) => {
    const plan = plans.get(id);
    if (!plan) return answer.citations.find((c) => c.id.startsWith(`${id}_`)).label.split(",")[0];
    return [plan.title, plan.doc_number && `số ${plan.doc_number}`, plan.doc_date && `ngày ${vnDate(plan.doc_date)}`]
      .filter(Boolean).join(", ");
  });
  const asked = answer.query && answer.query.today ? vnDate(answer.query.today) : "";
  return el("header", { class: "print-header" },
    el("p", {}, el("strong", {}, "Câu hỏi: "), question),
    names.length ? el("p", {}, el("strong", {}, "Kế hoạch: "), names.join("; ")) : null,
    asked ? el("p", {}, el("strong", {}, "Ngày hỏi: "), asked) : null);
}

/** Print `message` alone: the page marks it, prints, and unmarks it once the dialog closes. */
export function printAnswer(message) {
  if (!message) return window.print();
  message.classList.add("print-target");
  document.body.classList.add("print-one");
  const done = () => {
    message.classList.remove("print-target");
    document.body.classList.remove("print-one");
  };
  window.addEventListener("afterprint", done, { once: true });
  window.print();
}
