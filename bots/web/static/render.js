// An answer's typed blocks as DOM: groups with a bold heading and count (collapsible), items led
// by a deadline badge, the task in bold, the product on a muted line, and one small numbered
// citation that opens the row as printed. Text goes in with textContent only.

import { el, vnDate } from "./dom.js";

const KIND_CLASS = {
  due: "kind-due", lead: "kind-lead", ongoing: "kind-ongoing", guidance: "kind-guidance", collective: "kind-collective",
  coordination: "kind-coordination", text: "kind-text", other: "kind-other",
};

function citeButton(number, id, label, onCite) {
  return el("button", {
    type: "button", class: "cite-num", title: label, "aria-label": `Nguồn ${number}: ${label}`,
    dataset: { citation: id }, on: { click: () => onCite(id, label) },
  }, String(number));
}

function itemView(item, number, group, onCite) {
  const work = item.activity || item.task;
  const head = el("div", { class: "item-head" },
    el("span", { class: "badge deadline" }, item.deadline || "Không ghi thời hạn"), citeButton(number, item.id, item.label, onCite));
  const parts = [head, el("strong", { class: "task" }, work)];
  if (item.activity && item.task) parts.push(el("span", { class: "muted context" }, `Nhiệm vụ: ${item.task}`));
  // The asked agency leads every row of these groups: its name would only repeat.
  if (!["ongoing", "due", "guidance", "lead"].includes(group.kind) && item.lead) {
    parts.push(el("span", { class: "muted lead" }, `Chủ trì: ${item.lead}`));
  }
  if (item.product) parts.push(el("span", { class: "muted product" }, `Sản phẩm: ${item.product}`));
  return el("li", { class: "item", dataset: { id: item.id } }, ...parts);
}

/** Renders blocks; `numbers` maps record ids to their citation number in "Nguồn". */
export function renderBlocks(blocks, numbers, onCite, onAsk) {
  const nodes = [];
  for (const block of blocks) {
    if (block.type === "heading") nodes.push(el("h3", { class: "answer-heading" }, block.text));
    else if (block.type === "group") {
      const summary = el("summary", {}, el("strong", {}, block.title), " ", el("span", { class: "count" }, `(${block.count})`));
      const items = el("ul", { class: "items" }, ...block.items.map((item) => itemView(item, numbers.get(item.id), block, onCite)));
      nodes.push(el("details", { class: `group ${KIND_CLASS[block.kind] || ""}`, open: "" }, summary, items));
    } else if (block.type === "fact") {
      const fact = el("p", { class: "fact" }, block.text);
      if (block.citation && numbers.has(block.citation)) fact.append(" ", citeButton(numbers.get(block.citation), block.citation, "", onCite));
      nodes.push(fact);
    } else if (block.type === "note") {
      nodes.push(el("p", { class: `note severity-${block.severity}`, role: block.severity === "warning" ? "note" : null }, block.text));
    } else if (block.type === "follow_ups") {
      nodes.push(el("div", { class: "follow-ups", "aria-label": "Hỏi tiếp" },
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
    } else if (block.type === "fact" || block.type === "note") lines.push(block.text);
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
