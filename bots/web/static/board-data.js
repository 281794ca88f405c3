// The duty board's data: an agency's tasks from POST /api/duties (every period, both roles) as
// two lanes, the plan year they sit on, and the filters that drive the screen, print and Excel.

const DAY = 24 * 60 * 60 * 1000;

export function parseDay(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

export function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

/** Items of an answer's groups, each with its lane: «coordinating» for the coordination group. */
export function boardItems(answer) {
  const items = [];
  for (const block of answer.blocks || []) {
    if (block.type !== "group") continue;
    const lane = block.kind === "coordination" ? "coordinating" : "lead";
    for (const item of block.items) items.push({ ...item, lane, group: block.title });
  }
  return items;
}

/** The plan names in the items, the one of today's year first choice, else the latest. */
export function planChoices(items, plansByName, today) {
  const names = [...new Set(items.map((item) => item.plan))];
  const year = (name) => (plansByName.get(name) || {}).year || 0;
  names.sort((a, b) => year(b) - year(a) || a.localeCompare(b, "vi"));
  const current = names.find((name) => year(name) === today.getUTCFullYear());
  return { names, chosen: current || names[0] || "" };
}

export const FILTERS = {
  all: { label: "Tất cả", keep: () => true },
  month: {
    label: "Đến hạn tháng này",
    keep: (item, today) => {
      if (!item.deadline_end) return false;
      const end = parseDay(item.deadline_end);
      return end.getUTCFullYear() === today.getUTCFullYear() && end.getUTCMonth() === today.getUTCMonth();
    },
  },
  next30: {
    label: "30 ngày tới",
    keep: (item, today) => {
      if (!item.deadline_end) return false;
      const end = parseDay(item.deadline_end).getTime();
      return end >= today.getTime() && end <= today.getTime() + 30 * DAY;
    },
  },
  overdue: { label: "Quá hạn", keep: (item) => item.status === "overdue" },
  recurring: { label: "Thường xuyên", keep: (item) => item.status === "recurring" },
};

export function applyFilters(items, { show, plan }, today) {
  const filter = FILTERS[show] || FILTERS.all;
  return items.filter((item) => (!plan || item.plan === plan) && filter.keep(item, today));
}

/** Where a task sits on the year's twelve months: [first, last] (1-based), or null without dates. */
export function monthSpan(item, year) {
  if (!item.deadline_start || !item.deadline_end) return null;
  const start = parseDay(item.deadline_start);
  const end = parseDay(item.deadline_end);
  if (end.getUTCFullYear() < year || start.getUTCFullYear() > year) return null;
  const first = start.getUTCFullYear() < year ? 1 : start.getUTCMonth() + 1;
  const last = end.getUTCFullYear() > year ? 12 : end.getUTCMonth() + 1;
  return [first, last];
}

/** Today's place across the year, 0..1, or null when today is outside it. */
export function yearFraction(today, year) {
  if (today.getUTCFullYear() !== year) return null;
  const start = Date.UTC(year, 0, 1);
  return (today.getTime() - start) / (Date.UTC(year + 1, 0, 1) - start);
}
