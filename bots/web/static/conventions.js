// What people expect of a chat page: a dark theme (the system's, or chosen), «Xuống cuối» when
// scrolled up, a link that asks the same question again, copy helpers, and editing a question.

const THEME_KEY = "cchc.theme";

/** The system's light or dark theme unless the official chose one with the toggle (kept). */
export function setupTheme(button) {
  const root = document.documentElement;
  const system = window.matchMedia("(prefers-color-scheme: dark)");
  let chosen = null;
  try {
    chosen = window.localStorage.getItem(THEME_KEY);
  } catch (_) {
    /* storage disabled: follow the system */
  }
  const apply = () => {
    const dark = chosen ? chosen === "dark" : system.matches;
    root.dataset.theme = dark ? "dark" : "light";
    button.setAttribute("aria-pressed", String(dark));
    button.textContent = "Giao diện tối";
  };
  button.addEventListener("click", () => {
    chosen = root.dataset.theme === "dark" ? "light" : "dark";
    try {
      window.localStorage.setItem(THEME_KEY, chosen);
    } catch (_) {
      /* not kept */
    }
    apply();
  });
  system.addEventListener("change", apply);
  apply();
}

/** «Xuống cuối» appears once the latest message is more than a screen below. */
export function setupScrollToLatest(button) {
  const update = () => {
    const below = document.documentElement.scrollHeight - window.scrollY - window.innerHeight;
    button.hidden = below < window.innerHeight;
  };
  button.addEventListener("click", () => {
    window.scrollTo({ top: document.documentElement.scrollHeight, behavior: "smooth" });
    document.getElementById("question").focus({ preventScroll: true });
  });
  window.addEventListener("scroll", update, { passive: true });
  new ResizeObserver(update).observe(document.getElementById("messages"));
  update();
}

/** A link that asks `question` again as of the same day, for the same «Đơn vị của tôi». */
export function permalink(question, answer, profile) {
  const url = new URL(window.location.pathname, window.location.href);
  url.searchParams.set("q", question);
  if (answer.query && answer.query.today) url.searchParams.set("today", answer.query.today);
  if (profile && profile.agency) {
    url.searchParams.set("agency", profile.agency.id);
    url.searchParams.set("name", profile.agency.name);
    if (profile.province) url.searchParams.set("province", profile.province);
  }
  return url.toString();
}

/** Copy `text`; the button says whether it worked. */
export async function copyWith(button, text, done = "Đã sao chép") {
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = done;
  } catch (_) {
    button.textContent = "Không sao chép được";
  }
  window.setTimeout(() => { button.textContent = label; }, 2500);
}

/** «Sửa câu hỏi»: the question back in the box, to change and send again. */
export function editQuestion(question) {
  const input = document.getElementById("question");
  input.value = question;
  input.dispatchEvent(new Event("input"));
  input.focus();
  input.setSelectionRange(question.length, question.length);
}

/** One item as a line to paste: task, deadline, product, role and where it is written. */
export function itemText(item) {
  const parts = [item.activity || item.task];
  if (item.deadline_label || item.deadline) parts.push(`thời hạn: ${item.deadline_label || item.deadline}`);
  if (item.product) parts.push(`sản phẩm: ${item.product}`);
  if (item.role) parts.push(item.role.toLowerCase());
  return `${parts.join("; ")} [${item.label}]`;
}
