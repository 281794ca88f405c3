// «Đơn vị của tôi»: pick an agency (and optionally a province) once, remembered in localStorage,
// then ask about it with one click.

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

/** Agencies whose name, short name or an alias contains every word typed (diacritics optional). */
export function matchAgencies(agencies, query) {
  const words = fold(query).split(" ").filter(Boolean);
  if (!words.length) return [];
  const scored = [];
  for (const agency of agencies) {
    const haystack = agency._folded || (agency._folded = searchable(agency));
    if (!words.every((word) => haystack.includes(word))) continue;
    const name = fold(agency.name);
    const joined = words.join(" ");
    const score = (name.startsWith(joined) ? 0 : 2) + (agency.collective ? 1 : 0) + (fold(agency.short) === joined ? -3 : 0);
    scored.push([score, name.length, agency]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return scored.slice(0, MAX_RESULTS).map((item) => item[2]);
}

export class ProfilePicker {
  constructor({ onDuties }) {
    this.onDuties = onDuties;
    this.agencies = [];
    this.profile = loadProfile();
    this.active = -1;
    this.results = [];
    this.panel = document.getElementById("profile");
    this.toggle = document.getElementById("profile-toggle");
    this.search = document.getElementById("agency-search");
    this.list = document.getElementById("agency-results");
    this.province = document.getElementById("province");
    this.current = document.getElementById("profile-current");
    this.quick = document.getElementById("quick");
    this.quickAgency = document.getElementById("quick-agency");

    this.toggle.addEventListener("click", () => this.setOpen(this.panel.hidden));
    this.search.addEventListener("input", () => this.showResults());
    this.search.addEventListener("keydown", (event) => this.onKey(event));
    this.province.addEventListener("change", () => {
      this.profile.province = this.province.value;
      saveProfile(this.profile);
      this.render();
    });
    for (const button of this.quick.querySelectorAll("button[data-quick]")) {
      button.addEventListener("click", () => {
        this.setOpen(false); // make room for the answer
        const { label, request } = quickRequest(button.dataset.quick, this.profile);
        this.onDuties(label, request);
      });
    }
    this.render();
    this.loadProvinces();
  }

  get agencyId() {
    return this.profile.agency ? this.profile.agency.id : null;
  }

  setAgencies(agencies) {
    this.agencies = agencies;
  }

  setProvinces(provinces) {
    for (const name of provinces) this.province.append(el("option", { value: name }, name));
    this.province.value = provinces.includes(this.profile.province) ? this.profile.province : "";
  }

  setOpen(open) {
    this.panel.hidden = !open;
    this.toggle.setAttribute("aria-expanded", String(open));
    if (open && !this.profile.agency) this.search.focus();
  }

  showResults() {
    this.results = matchAgencies(this.agencies, this.search.value);
    this.active = this.results.length ? 0 : -1;
    clear(this.list);
    if (!this.search.value.trim()) {
      this.list.hidden = true;
      this.search.setAttribute("aria-expanded", "false");
      return;
    }
    if (!this.results.length) {
      this.list.append(el("li", { class: "empty" }, "Không tìm thấy đơn vị phù hợp."));
    }
    this.results.forEach((agency, i) => {
      const extra = [agency.short, ...(agency.aliases || []).slice(0, 2)].filter(Boolean).join(", ");
      const option = el(
        "li",
        { role: "option", id: `agency-option-${i}`, "aria-selected": String(i === this.active), dataset: { agency: agency.id } },
        el("span", { class: "option-name" }, agency.name),
        extra ? el("span", { class: "option-extra" }, extra) : null,
      );
      option.addEventListener("mousedown", (event) => event.preventDefault()); // keep focus in the input
      option.addEventListener("click", () => this.choose(agency));
      this.list.append(option);
    });
    this.list.hidden = false;
    this.search.setAttribute("aria-expanded", "true");
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
    }
  }

  choose(agency) {
    this.profile.agency = { id: agency.id, name: agency.name };
    saveProfile(this.profile);
    this.search.value = "";
    this.list.hidden = true;
    clear(this.list);
    this.search.setAttribute("aria-expanded", "false");
    this.render();
    this.loadProvinces();
  }

  /** Provinces whose plans name the chosen agency: one is chosen for you, several need a choice. */
  async loadProvinces() {
    if (!this.profile.agency) return;
    try {
      const choices = await getJson(`agency-choices?q=${encodeURIComponent(this.profile.agency.name)}`);
      this.provincesOf = [...new Set(choices.filter((c) => c.id === this.profile.agency.id).map((c) => c.province))];
    } catch (_) {
      this.provincesOf = [];
    }
    if (this.provincesOf.length === 1 && !this.profile.province) {
      this.profile.province = this.provincesOf[0];
      this.province.value = this.provincesOf[0];
      saveProfile(this.profile);
    }
    this.render();
  }

  render() {
    const subject = subjectOf(this.profile);
    clear(this.current);
    const several = this.provincesOf && this.provincesOf.length > 1 && !this.profile.province;
    if (subject && several) {
      append(this.current, "Đơn vị đã chọn: ", el("strong", {}, subject),
        el("span", { class: "need-province", role: "alert" },
          ` — có trong kế hoạch của ${this.provincesOf.join(", ")}: hãy chọn tỉnh để hỏi nhanh.`));
      this.toggle.textContent = `Đơn vị: ${this.profile.agency.name}`;
      this.quick.hidden = true;
      return;
    }
    if (subject) {
      append(this.current, "Đơn vị đã chọn: ", el("strong", {}, subject));
      this.toggle.textContent = `Đơn vị: ${this.profile.agency.name}`;
    } else {
      append(this.current, "Chưa chọn đơn vị.");
      this.toggle.textContent = "Đơn vị của tôi";
    }
    this.quick.hidden = !subject;
    this.quickAgency.textContent = subject ? `${subject}:` : "";
  }
}
