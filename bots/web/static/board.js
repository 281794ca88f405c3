// The duty board (/bang-viec): the chosen agency's tasks on the plan year's timeline, months and
// quarters across, lead and coordinating as two lanes, today marked. The filters (this month,
// next 30 days, overdue, recurring, plan) drive the screen, the printout and the Excel file alike.

import { apiUrl, errorMessage, getJson, postJson } from "./api.js";
import { openCitation, setupCitationDialog } from "./citations.js";
import {
  FILTERS, applyFilters, boardItems, isoDay, monthSpan, parseDay, planChoices, yearFraction,
} from "./board-data.js";
import { clear, el, vnDate } from "./dom.js";
import { loadProfile, subjectOf } from "./profile.js";

const ROMAN = ["I", "II", "III", "IV"];
const LANES = [["lead", "Chủ trì"], ["coordinating", "Phối hợp"]];
const params = new URLSearchParams(window.location.search);

function who() {
  if (params.get("agency")) {
    return { agency: { id: params.get("agency"), name: params.get("name") || params.get("agency") }, province: params.get("province") || "" };
  }
  return loadProfile();
}

function referenceDay() {
  const value = params.get("today");
  return value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null;
}

function scale(year) {
  const quarters = ROMAN.map((roman, i) => el("span", { class: `quarter q${i + 1}` }, `Quý ${roman}`));
  const months = Array.from({ length: 12 }, (_, i) => el("span", { class: "month" }, `T${i + 1}`));
  return el("div", { class: "scale", "aria-hidden": "true" }, el("span", { class: "scale-label" }, `Năm ${year}`), ...quarters, ...months);
}

function taskRow(item, year) {
  const span = monthSpan(item, year);
  const bar = el("span", { class: `bar status-${item.status || "none"}`, "aria-hidden": "true" });
  if (span) {
    bar.style.setProperty("grid-column", `${span[0] + 1} / ${span[1] + 2}`);
  } else bar.classList.add("no-date");
  const open = el("button", { type: "button", class: "task-link", on: { click: () => openCitation(item.id, item.label) } },
    item.activity || item.task);
  const label = el("div", { class: "task-label" },
    el("span", { class: `badge deadline status-${item.status || "none"}` }, item.deadline_label || item.deadline || "Không ghi thời hạn"),
    open, item.lane === "coordinating" && item.lead ? el("span", { class: "muted" }, `Chủ trì: ${item.lead}`) : null);
  return el("li", { class: "task-row", dataset: { id: item.id } }, label, bar);
}

function lane(name, title, items, year, today) {
  const rows = items.filter((item) => item.lane === name);
  const list = el("ul", { class: "timeline" }, ...rows.map((item) => taskRow(item, year)));
  const fraction = yearFraction(today, year);
  const body = el("div", { class: "lane-body" }, scale(year), list);
  if (fraction !== null) {
    const marker = el("span", { class: "today-marker" }, el("span", { class: "today-label" }, `Hôm nay ${vnDate(isoDay(today))}`));
    marker.style.setProperty("--today", String(fraction));
    if (fraction > 0.5) marker.classList.add("label-before"); // late in the year the label reads leftwards
    body.append(marker);
  }
  if (!rows.length) list.replaceWith(el("p", { class: "empty-lane" }, "Không có nhiệm vụ nào theo bộ lọc này."));
  return el("section", { class: `lane lane-${name}`, "aria-labelledby": `lane-${name}` },
    el("h2", { id: `lane-${name}` }, `${title} (${rows.length})`), body);
}

async function download(items, title) {
  const groups = LANES.map(([name, label]) => ({ title: label, ids: items.filter((i) => i.lane === name).map((i) => i.id) }))
    .filter((group) => group.ids.length);
  const response = await fetch(apiUrl("export"), {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ids: items.map((i) => i.id), format: "xlsx", title, groups }),
  });
  if (!response.ok) throw new Error(await errorMessage(response));
  const named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
  const link = el("a", { href: URL.createObjectURL(await response.blob()), download: named ? named[1] : "bang-viec.xlsx" });
  document.body.append(link);
  link.click();
  link.remove();
}

async function start() {
  setupCitationDialog();
  const status = document.getElementById("board-status");
  const today = referenceDay();
  const day = today ? parseDay(today) : parseDay(isoDay(new Date()));
  if (today) {
    const note = document.getElementById("today-note");
    note.textContent = `Ngày tham chiếu: ${vnDate(today)} (thay cho hôm nay).`;
    note.hidden = false;
  }
  const profile = who();
  if (!profile.agency) {
    clear(status).append("Chưa chọn đơn vị. Hãy chọn ", el("a", { href: "./" }, "«Đơn vị của tôi» ở trang hỏi đáp"), " rồi quay lại.");
    document.body.dataset.ready = "true";
    return;
  }
  const subject = subjectOf(profile);
  document.getElementById("board-title").textContent = `Bảng việc: ${subject}`;
  document.title = `Bảng việc: ${subject} — Trợ lý CCHC`;
  let items;
  let plans;
  try {
    const request = { agency: profile.agency.id, period: "all", role: "any" };
    if (profile.province) request.province = profile.province;
    if (today) request.today = today;
    [items, plans] = await Promise.all([postJson("duties", request).then(boardItems), getJson("plans")]);
  } catch (error) {
    status.className = "error";
    status.setAttribute("role", "alert");
    status.textContent = error.message;
    document.body.dataset.ready = "true";
    return;
  }
  const plansByName = new Map(plans.map((plan) => [plan.short_title, plan]));
  const form = document.getElementById("board-filters");
  const select = document.getElementById("board-plan");
  const choices = planChoices(items, plansByName, day);
  select.replaceChildren(...choices.names.map((name) => el("option", { value: name }, name)));
  select.value = params.get("plan") && choices.names.includes(params.get("plan")) ? params.get("plan") : choices.chosen;
  const shown = params.get("show");
  if (shown && FILTERS[shown]) form.elements.show.value = shown;
  status.hidden = true;
  form.hidden = false;

  let visible = [];
  const render = () => {
    const chosen = { show: form.elements.show.value, plan: select.value };
    visible = applyFilters(items, chosen, day);
    const plan = plansByName.get(chosen.plan);
    const year = plan ? plan.year : day.getUTCFullYear();
    const count = document.getElementById("board-shown");
    count.textContent = `${FILTERS[chosen.show].label} · ${chosen.plan}: ${visible.length} nhiệm vụ`;
    count.hidden = false;
    clear(document.getElementById("board-lanes")).append(...LANES.map(([name, title]) => lane(name, title, visible, year, day)));
    const query = new URLSearchParams(window.location.search);
    query.set("show", chosen.show);
    query.set("plan", chosen.plan);
    window.history.replaceState(null, "", `?${query}`);
  };
  form.addEventListener("change", render);
  document.getElementById("board-print").addEventListener("click", () => window.print());
  document.getElementById("board-xlsx").addEventListener("click", async () => {
    try {
      await download(visible, `${document.getElementById("board-title").textContent} — ${document.getElementById("board-shown").textContent}`);
    } catch (error) {
      document.getElementById("board-shown").textContent = error.message;
    }
  });
  render();
  document.body.dataset.ready = "true";
}

start();
