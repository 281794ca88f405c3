// The citation panel: the cited row as printed in the plan (its own column headings), what the
// assistant understood from it, and where it sits in which plan.

import { getJson } from "./api.js";
import { clear, el, vnDate } from "./dom.js";

const dialog = () => document.getElementById("citation-dialog");
const body = () => document.getElementById("citation-body");
const title = () => document.getElementById("citation-title");

export function setupCitationDialog() {
  const node = dialog();
  document.getElementById("citation-close").addEventListener("click", () => node.close());
  // A click on the backdrop (outside the box) closes it too.
  node.addEventListener("click", (event) => {
    if (event.target === node) node.close();
  });
  // On a phone, Back closes the row viewer instead of leaving the app: opening it adds a history
  // entry, and closing it by any other way takes that entry back.
  window.addEventListener("popstate", () => {
    if (node.open) node.close();
  });
  node.addEventListener("close", () => {
    if (window.history.state && window.history.state.citation) window.history.back();
  });
}

export async function openCitation(id, label) {
  const node = dialog();
  title().textContent = label || "Nguồn trích dẫn";
  clear(body()).append(el("p", { class: "loading" }, "Đang tải nguyên văn…"));
  if (!node.open) {
    window.history.pushState({ citation: id }, "");
    node.showModal();
  }
  try {
    const detail = await getJson(`rows/${encodeURIComponent(id)}`);
    renderDetail(detail);
  } catch (error) {
    clear(body()).append(el("p", { class: "error" }, error.message));
  }
}

function planLine(plan) {
  const parts = [plan.title];
  if (plan.doc_number) parts.push(`số ${plan.doc_number}`);
  if (plan.doc_date) parts.push(`ngày ${vnDate(plan.doc_date)}`);
  else if (plan.doc_date_text) parts.push(plan.doc_date_text);
  return parts.join(", ");
}

function renderDetail(detail) {
  const { record, plan } = detail;
  title().textContent = record.label;
  const container = clear(body());
  container.append(
    el(
      "dl",
      { class: "source" },
      el("dt", {}, "Kế hoạch"),
      el("dd", { class: "plan-title" }, `${plan.short_title} — ${planLine(plan)}`),
      el("dt", {}, "Mục"),
      el("dd", { class: "section" }, record.section),
    ),
  );
  if (detail.kind === "prose") {
    container.append(el("h3", {}, record.heading || "Đoạn văn"), el("p", { class: "prose" }, record.text));
    return;
  }
  const cells = record.cells && record.cells.length ? record.cells : [{ heading: "Nội dung", text: record.text }];
  container.append(
    el(
      "table",
      { class: "row-table" },
      el("caption", {}, "Dòng trong văn bản gốc"),
      el("tbody", {}, cells.map((cell) => el("tr", {}, el("th", { scope: "row" }, cell.heading), el("td", {}, cell.text)))),
    ),
  );
  const understood = [];
  if (record.lead && record.lead.length) understood.push(["Chủ trì", record.lead.map((a) => a.name).join("; ")]);
  if (record.coordinating && record.coordinating.length) understood.push(["Phối hợp", record.coordinating.map((a) => a.name).join("; ")]);
  if (record.period && record.period.text) understood.push(["Thời hạn", record.period.text]);
  if (record.budget && record.budget.text) understood.push(["Kinh phí", record.budget.text]);
  if (understood.length) {
    container.append(
      el(
        "table",
        { class: "row-table understood-table" },
        el("caption", {}, "Trợ lý hiểu dòng này là"),
        el("tbody", {}, understood.map(([heading, text]) => el("tr", {}, el("th", { scope: "row" }, heading), el("td", {}, text)))),
      ),
    );
  }
}
