// An answer's typed blocks as DOM. A listing opens with its summary line and a colour legend;
// groups (collapsible) hold compact items — one line with a deadline badge coloured by status,
// the task and the agency's role — whose product and row details unfold on a tap, each with one
// small numbered citation that opens the row as printed. A lookup is a card of labelled fields.
// Text goes in with textContent only.

import { copyWith, itemText } from "./conventions.js";
import { el, vnDate } from "./dom.js";

const KIND_CLASS = {
  due: "kind-due", overdue: "kind-overdue", lead: "kind-lead", ongoing: "kind-ongoing", guidance: "kind-guidance",
  collective: "kind-collective", coordination: "kind-coordination", text: "kind-text", other: "kind-other",
};
export const STATUS_LEGEND = [
  ["due", "Có thời hạn, chưa quá hạn"], ["overdue", "Quá hạn"], ["recurring", "Thường xuyên, định kỳ, cả năm"],
  ["event", "Theo hướng dẫn, khi phát sinh"],
];

function citeButton(number, id, label, onCite) {
  return el("button", {
    type: "button", class: "cite-num", title: label, "aria-label": `Nguồn ${number}: ${label}`,
    dataset: { citation: id }, on: { click: () => onCite(id, label) },
  }, String(number)); // printed as [n] by the stylesheet
}

function badge(item) {
  if (!item.deadline_kind) return null; // a duty from the plan's prose has no deadline cell
  const text = item.deadline_label || item.deadline || "Không ghi thời hạn";
  return el("span", { class: `badge deadline status-${item.status || "none"}` }, text);
}

/** The unfolded part of an item: what a person needs to act on it, and the plan's own words. */
function itemDetails(item) {
  const lines = [];
  const line = (label, value, cls) => value && lines.push(el("p", { class: `muted ${cls}` }, el("span", { class: "field-label" }, `${label}: `), value));
  if (item.activity && item.task) line("Nhiệm vụ", item.task, "context");
  line("Sản phẩm", item.product, "product");
  if (item.role !== "Chủ trì") line("Chủ trì", item.lead, "lead");
  line("Phối hợp", item.coordinating, "coordinating");
  if (item.deadline && item.deadline !== item.deadline_label) line("Thời hạn ghi trong kế hoạch", item.deadline, "original-deadline");
  line("Kinh phí", item.budget, "budget");
  line("Nguồn", item.label, "where");
  const copy = el("button", { type: "button", class: "action copy-item", on: { click: () => copyWith(copy, itemText(item)) } },
    "Sao chép việc này");
  return el("div", { class: "item-body" }, ...lines, copy);
}

function itemView(item, number, onCite) {
  const work = item.activity || item.task;
  const line = el("summary", { class: "item-line" }, badge(item), el("span", { class: "task" }, work),
    item.role ? el("span", { class: "role" }, item.role) : null);
  const details = el("details", { class: "item-details" }, line, itemDetails(item));
  const cite = number ? citeButton(number, item.id, item.label, onCite) : null;
  return el("li", { class: `item status-${item.status || "none"}`, dataset: { id: item.id } }, details, cite);
}

function legend() {
  return el("ul", { class: "legend", "aria-label": "Chú giải màu thời hạn" },
    ...STATUS_LEGEND.map(([status, label]) => el("li", {}, el("span", { class: `badge deadline status-${status}` }, label))));
}

/** «Mở tất cả» unfolds every group and item (to read or print); «Thu gọn tất cả» folds them. */
/** The listed agency's duty board (/bang-viec), for a listing about one agency. */
function boardLink(query) {
  if (!query || !query.agency) return null;
  const params = new URLSearchParams({ agency: query.agency.id, name: query.agency.name });
  if (query.provinces && query.provinces.length === 1) params.set("province", query.provinces[0]);
  const today = new URLSearchParams(window.location.search).get("today");
  if (today) params.set("today", today);
  return el("a", { class: "button-link board-link", href: `bang-viec?${params}` }, `Bảng việc của ${query.agency.name}`);
}

function expandAll(query) {
  const button = el("button", { type: "button", class: "expand-all secondary", "aria-pressed": "false" }, "Mở tất cả");
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-pressed") !== "true";
    setAllOpen(button.closest(".answer-text") || document, open);
    button.setAttribute("aria-pressed", String(open));
    button.textContent = open ? "Thu gọn tất cả" : "Mở tất cả";
  });
  return el("div", { class: "listing-tools" }, boardLink(query), button);
}

export function setAllOpen(root, open) {
  for (const node of root.querySelectorAll("details.group, details.item-details")) node.open = open;
}

function factCard(block, numbers, onCite) {
  const number = numbers.get(block.citation);
  const rows = block.fields.map((field) => [
    el("dt", { class: field.asked ? "asked" : null }, field.label),
    el("dd", { class: `${field.key}${field.asked ? " asked" : ""}` }, field.value),
  ]);
  return el("article", { class: "fact-card", "aria-label": `Thông tin nhiệm vụ: ${block.title}` },
    el("h3", { class: "card-title" }, block.title),
    el("dl", { class: "card-fields" }, ...rows.flat()),
    el("p", { class: "card-source muted" }, block.source || "", number ? " " : "", number ? citeButton(number, block.citation, block.source, onCite) : null));
}

/** Renders blocks; `numbers` maps record ids to their citation number in "Nguồn"; `query` (what
 * was understood) links a listing to its agency's duty board. */
export function renderBlocks(blocks, numbers, onCite, onAsk, query = null) {
  const nodes = [];
  const hasGroups = blocks.some((block) => block.type === "group");
  let legendShown = false;
  if (hasGroups) nodes.push(expandAll(query));
  for (const block of blocks) {
    if (block.type === "heading") nodes.push(el("h3", { class: "answer-heading" }, block.text));
    else if (block.type === "summary") {
      nodes.push(el("p", { class: "listing-summary" }, block.text));
      if (!legendShown) nodes.push(legend());
      legendShown = true;
    } else if (block.type === "group") {
      const summary = el("summary", {}, el("strong", {}, block.title), " ", el("span", { class: "count" }, `(${block.count})`));
      const items = el("ul", { class: "items" }, ...block.items.map((item) => itemView(item, numbers.get(item.id), onCite)));
      nodes.push(el("details", { class: `group ${KIND_CLASS[block.kind] || ""}`, open: "" }, summary, items));
    } else if (block.type === "fact_card") {
      nodes.push(factCard(block, numbers, onCite));
    } else if (block.type === "fact") {
      if (blocks.some((b) => b.type === "fact_card" && b.citation === block.citation)) continue; // the card says it, labelled
      const fact = el("p", { class: "fact" }, block.text);
      if (block.citation && numbers.has(block.citation)) fact.append(" ", citeButton(numbers.get(block.citation), block.citation, "", onCite));
      nodes.push(fact);
    } else if (block.type === "note") {
      nodes.push(el("p", { class: `note severity-${block.severity}`, role: block.severity === "warning" ? "note" : null }, block.text));
    } else if (block.type === "follow_ups") {
      nodes.push(el("div", { class: "follow-ups", role: "group", "aria-label": "Hỏi tiếp" },
        ...block.questions.map((q) => el("button", { type: "button", class: "follow-up", on: { click: () => onAsk(q) } }, q))));
    }
  }
  return nodes;
}

/** The answer as clean text to paste into a report: the question, a numbered list, the sources. */
export function plainText(question, answer, plans) {
  const lines = [`Câu hỏi: ${question}`, ""];
  let number = 0;
  for (const block of answer.blocks) {
    if (block.type === "heading") lines.push(block.text);
    else if (block.type === "group") {
      lines.push(`${block.title} (${block.count}):`);
      for (const item of block.items) {
        number += 1;
        const extra = [item.deadline && `thời hạn: ${item.deadline}`, item.product && `sản phẩm: ${item.product}`].filter(Boolean);
        lines.push(`${number}. ${item.activity || item.task}${extra.length ? ` (${extra.join("; ")})` : ""}`);
      }
    } else if (block.type === "summary" || block.type === "note"
      || block.type === "fact" && !answer.blocks.some((b) => b.type === "fact_card" && b.citation === block.citation)) lines.push(block.text);
    else if (block.type === "fact_card") {
      lines.push(block.title, ...block.fields.map((field) => `${field.label}: ${field.value}`));
    }
  }
  if (!answer.blocks.length) lines.push(answer.answer);
  if (answer.citations.length) {
    lines.push("", "Nguồn:");
    answer.citations.forEach((citation, i) => {
      const plan = plans.get(citation.id.split("_")[0]);
      const source = plan ? [plan.title, plan.doc_number && `số ${plan.doc_number}`, plan.doc_date && `ngày ${vnDate(plan.doc_date)}`].filter(Boolean).join(", ") : "";
      lines.push(`[${i + 1}] ${citation.label}${source ? ` — ${source}` : ""}`);
    });
  }
  return lines.join("\n");
}
