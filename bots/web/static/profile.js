// «Đơn vị của tôi»: one search over agency + province pairs ("Sở Tài chính — Hà Tĩnh"), chosen once,
// remembered in localStorage, then asked about with one click.

import { getJson } from "./api.js";
import { append, clear, el, fold } from "./dom.js";

const STORAGE_KEY = "cchc.profile";
const MAX_RESULTS = 12;
// Centrally-governed cities are «thành phố», every other province is «tỉnh».
const CITIES = new Set(["ha noi", "hai phong", "da nang", "ho chi minh", "thanh pho ho chi minh", "can tho", "hue"]);

export function loadProfile() {
  try {
    const saved = JSON.parse(window.localStorage.getItem(STORAGE_KEY) || "null");
    if (saved && saved.agency && typeof saved.agency.id === "string" && typeof saved.agency.name === "string") {
      return { agency: { id: saved.agency.id, name: saved.agency.name }, province: String(saved.province || "") };
    }
  } catch (_) {
    /* unreadable storage: start without a profile */
  }
  return { agency: null, province: "" };
}

function saveProfile(profile) {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(profile));
  } catch (_) {
    /* private mode or full storage: the choice lasts for this page only */
  }
}

export function subjectOf(profile) {
  if (!profile.agency) return "";
  if (!profile.province) return profile.agency.name;
  const prefix = CITIES.has(fold(profile.province)) ? "thành phố" : "tỉnh";
  return `${profile.agency.name} ${prefix} ${profile.province}`;
}

// Each quick button names what it wants (POST /api/duties); no sentence is written for the assistant.
const QUICK = {
  "this-quarter": { period: "this_quarter", role: "lead", label: "việc chủ trì trong quý này" },
  "next-quarter": { period: "next_quarter", role: "lead", label: "việc chủ trì trong quý sau" },
  "whole-year": { period: "this_year", role: "lead", label: "việc chủ trì cả năm" },
  coordinating: { period: "this_year", role: "coordinating", label: "việc phối hợp cả năm" },
};

/** The request behind a quick button, and the line shown for it in the conversation. */
export function quickRequest(kind, profile) {
  const quick = QUICK[kind];
  const request = { agency: profile.agency.id, period: quick.period, role: quick.role };
  if (profile.province) request.province = profile.province;
  return { label: `${subjectOf(profile)}: ${quick.label}`, request };
}

function searchable(agency) {
  return fold([agency.name, agency.short, ...(agency.aliases || [])].join(" | "));
}

/** One entry per agency and province the plans name together ("Sở Tài chính — Hà Tĩnh"),
 *  searchable by the agency's names and aliases and by the province. */
export function pickerEntries(agencies, choices) {
  const byId = new Map(agencies.map((agency) => [agency.id, agency]));
  return choices.map((choice) => {
    const agency = byId.get(choice.id) || { id: choice.id, name: choice.name, short: "", aliases: [], collective: false };
    return { ...choice, agency, folded: `${searchable(agency)} | ${fold(choice.province)}` };
  });
}

/** Entries whose agency names or province contain every word typed (diacritics optional). */
export function matchEntries(entries, query) {
  const words = fold(query).split(" ").filter(Boolean);
  if (!words.length) return [];
  const joined = words.join(" ");
  const scored = [];
  for (const entry of entries) {
    if (!words.every((word) => entry.folded.includes(word))) continue;
    const name = fold(entry.agency.name);
    const score = (joined.startsWith(name) || name.startsWith(joined) ? 0 : 2) + (entry.agency.collective ? 1 : 0)
      + (fold(entry.agency.short) === joined ? -3 : 0);
    scored.push([score, name.length, entry.label, entry]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2].localeCompare(b[2], "vi"));
  return scored.slice(0, MAX_RESULTS).map((item) => item[3]);
}

export class ProfilePicker {
  constructor({ onDuties }) {
    this.onDuties = onDuties;
    this.profile = loadProfile();
    this.active = -1;
    this.results = [];
    this.panel = document.getElementById("profile");
    this.toggle = document.getElementById("profile-toggle");
    this.search = document.getElementById("agency-search");
    this.list = document.getElementById("agency-results");
    this.current = document.getElementById("profile-current");
    this.quick = document.getElementById("quick");
    this.quickAgency = document.getElementById("quick-agency");

    this.toggle.addEventListener("click", () => this.setOpen(this.panel.hidden));
    this.search.addEventListener("input", () => this.showResults());
    this.search.addEventListener("keydown", (event) => this.onKey(event));
    for (const button of this.quick.querySelectorAll("button[data-quick]")) {
      button.addEventListener("click", () => {
        this.setOpen(false); // make room for the answer
        const { label, request } = quickRequest(button.dataset.quick, this.profile);
        this.onDuties(label, request);
      });
    }
    this.entries = [];
    this.render();
  }

  get agencyId() {
    return this.profile.agency ? this.profile.agency.id : null;
  }

  /** The agency table (names, aliases) and the agency-province pairs of the loaded plans. */
  setChoices(agencies, choices) {
    this.entries = pickerEntries(agencies, choices);
    const { agency, province } = this.profile;
    if (agency && !province) {
      // saved before the province was part of the choice: complete it when only one fits
      const provinces = [...new Set(this.entries.filter((e) => e.id === agency.id).map((e) => e.province))];
      this.provincesOf = provinces;
      if (provinces.length === 1) {
        this.profile.province = provinces[0];
        saveProfile(this.profile);
      }
    }
    this.render();
  }

  setOpen(open) {
    this.panel.hidden = !open;
    this.toggle.setAttribute("aria-expanded", String(open));
    if (open && !this.profile.agency) this.search.focus();
  }

  showResults() {
    this.results = matchEntries(this.entries, this.search.value);
    this.active = this.results.length ? 0 : -1;
    clear(this.list);
    this.search.removeAttribute("aria-activedescendant");
    if (!this.search.value.trim()) {
      this.list.hidden = true;
      this.search.setAttribute("aria-expanded", "false");
      return;
    }
    if (!this.results.length) {
      this.list.append(el("li", { class: "empty" }, "Không tìm thấy đơn vị phù hợp."));
    }
    this.results.forEach((entry, i) => {
      const { agency } = entry;
      const extra = [agency.short, ...(agency.aliases || []).slice(0, 2)].filter(Boolean).join(", ");
      const option = el(
        "li",
        { role: "option", id: `agency-option-${i}`, "aria-selected": String(i === this.active),
          dataset: { agency: entry.id, province: entry.province } },
        el("span", { class: "option-name" }, entry.label),
        extra ? el("span", { class: "option-extra" }, extra) : null,
      );
      option.addEventListener("mousedown", (event) => event.preventDefault()); // keep focus in the input
      option.addEventListener("click", () => this.choose(entry));
      this.list.append(option);
    });
    this.list.hidden = false;
    this.search.setAttribute("aria-expanded", "true");
    if (this.results.length) this.search.setAttribute("aria-activedescendant", "agency-option-0"); // read out as typed
  }

  onKey(event) {
    if (this.list.hidden || !this.results.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + this.results.length) % this.results.length;
      this.list.querySelectorAll("[role=option]").forEach((node, i) => node.setAttribute("aria-selected", String(i === this.active)));
      this.search.setAttribute("aria-activedescendant", `agency-option-${this.active}`);
    } else if (event.key === "Enter") {
      event.preventDefault();
      this.choose(this.results[Math.max(0, this.active)]);
    } else if (event.key === "Escape") {
      this.list.hidden = true;
      this.search.setAttribute("aria-expanded", "false");
      this.search.removeAttribute("aria-activedescendant");
    }
  }

  choose(entry) {
    this.profile = { agency: { id: entry.id, name: entry.agency.name }, province: entry.province };
    saveProfile(this.profile);
    this.search.value = "";
    this.list.hidden = true;
    clear(this.list);
    this.search.setAttribute("aria-expanded", "false");
    this.search.removeAttribute("aria-activedescendant");
    this.render();
  }

  render() {
    const subject = subjectOf(this.profile);
    clear(this.current);
    const several = this.provincesOf && this.provincesOf.length > 1 && !this.profile.province;
    if (subject && several) {
      append(this.current, "Đơn vị đã chọn: ", el("strong", {}, subject),
        el("span", { class: "need-province", role: "alert" },
          ` — có trong kế hoạch của ${this.provincesOf.join(", ")}: hãy chọn lại đơn vị kèm tỉnh để hỏi nhanh.`));
      this.toggle.textContent = `Đơn vị: ${this.profile.agency.name}`;
      this.quick.hidden = true;
      return;
    }
    if (subject) {
      append(this.current, "Đơn vị đã chọn: ", el("strong", {}, subject));
      const where = this.profile.province ? ` — ${this.profile.province}` : "";
      this.toggle.textContent = `Đơn vị: ${this.profile.agency.name}${where}`;
    } else {
      append(this.current, "Chưa chọn đơn vị.");
      this.toggle.textContent = "Đơn vị của tôi";
    }
    this.quick.hidden = !subject;
    this.quickAgency.textContent = subject ? `${subject}:` : "";
  }
}
