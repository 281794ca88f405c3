// The admin upload page: preview a plan file, then add it. Everything from the server is shown
// with textContent; the token lives in this tab's sessionStorage only.
import { apiUrl, errorMessage } from "./api.js";
import { el, clear } from "./dom.js";

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = "cchc-admin-token";
const FIELDS = {
  province: "Tỉnh", doc_number: "Số", place: "Nơi ban hành", doc_date: "Ngày", title: "Tiêu đề", year: "Năm kế hoạch",
  signer: "Người ký", signer_title: "Chức vụ", amends_number: "Sửa đổi, bổ sung KH số", replaces_number: "Thay thế KH số",
};

// The rows table: every field the parser understood, the page each row starts on (PDF), and the
// cells OCR read with low confidence highlighted with their confidence in the title.
const ROW_FIELDS = {
  number: "STT", task: "Nhiệm vụ", activity: "Hoạt động", product: "Sản phẩm", lead: "Chủ trì",
  coordinating: "Phối hợp", period: "Thời hạn", budget: "Kinh phí",
};
const POLL_MS = 500;

function authorization() {
  return { Authorization: `Bearer ${$("token").value}` };
}

async function post(path, form) {
  const response = await fetch(apiUrl(path), { method: "POST", body: form, headers: authorization() });
  if (!response.ok) throw new Error(await errorMessage(response));
  return response;
}

async function send(path, form) {
  return (await post(path, form)).json();
}

function table(headings, rows) {
  const head = el("tr", {}, ...headings.map((h) => el("th", { scope: "col" }, h)));
  return el("table", { class: "preview-table" }, el("thead", {}, head),
    el("tbody", {}, ...rows.map((cells) => el("tr", {}, ...cells.map((c) => el("td", {}, c))))));
}

function show(preview) {
  $("preview").hidden = false;
  const metadata = clear($("metadata"));
  for (const [key, label] of Object.entries(FIELDS)) {
    metadata.append(el("dt", {}, label), el("dd", {}, preview.metadata[key] == null ? "—" : String(preview.metadata[key])));
  }
  const columns = clear($("columns"));
  preview.tables.forEach((cols, i) => {
    columns.append(el("h3", {}, `Bảng nhiệm vụ ${i + 1}: vai trò các cột`),
      table(["Tiêu đề cột", "Vai trò", "Căn cứ", "Lý do"], cols.map((c) => [c.heading || "(trống)", c.role, c.source, c.why])));
  });
  $("counts").textContent = `${preview.rows} dòng nhiệm vụ, ${preview.sections} đoạn văn.`;
  clear($("rows")).append(preview.records.length ? rowsTable(preview.records) : "");
  $("correction").value = "";  // a sheet chosen for another file must not ride along
  $("flag-legend").hidden = !preview.records.some((r) => Object.keys(r.flagged).length);
  $("sheet-button").disabled = preview.records.length === 0;
  const warnings = clear($("warnings"));
  for (const period of preview.periods_not_understood) warnings.append(el("li", {}, `Thời hạn chưa hiểu: ${period}`));
  for (const message of preview.agencies_not_understood) warnings.append(el("li", {}, `Cơ quan chưa rõ: ${message}`));
  $("missing").hidden = preview.missing.length === 0;
  $("confirm-button").disabled = Boolean(preview.error);
  if (preview.error) $("status").textContent = `Không lập chỉ mục được: ${preview.error}`;
}

function rowsTable(records) {
  const pages = records.some((r) => r.page);
  const fields = Object.keys(ROW_FIELDS).filter((f) => records.some((r) => r[f]));
  const head = el("tr", {}, pages && el("th", { scope: "col" }, "Trang"),
    ...fields.map((f) => el("th", { scope: "col" }, ROW_FIELDS[f])));
  const body = records.map((r) => el("tr", {}, pages && el("td", {}, r.page == null ? "" : String(r.page)),
    ...fields.map((f) => cell(r, f))));
  return el("table", { class: "preview-table", id: "rows-table" }, el("thead", {}, head), el("tbody", {}, ...body));
}

function cell(record, field) {
  const confidence = record.flagged[field];
  if (confidence === undefined) return el("td", {}, record[field]);
  const note = `OCR đọc chưa chắc — độ tin cậy ${Math.round(confidence)}%`;
  return el("td", { class: "flagged", title: note }, record[field], el("span", { class: "visually-hidden" }, ` (${note})`));
}

function fileForm(job) {
  const form = new FormData();
  form.append("file", $("file").files[0]);
  if (job) form.append("job", job);
  return form;
}

// Live counts while the server reads the file: the page names the job and polls how far it is.
function watch(job) {
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    try {
      const response = await fetch(apiUrl(`admin/plans/preview/${job}`), { headers: authorization() });
      if (response.ok && !stopped) $("status").textContent = progressText(await response.json());
    } catch (_) {
      /* a missed poll changes nothing: the next one tells */
    }
    if (!stopped) setTimeout(tick, POLL_MS);
  };
  setTimeout(tick, POLL_MS);
  return () => { stopped = true; };
}

function progressText(progress) {
  if (progress.state === "waiting") return "Đang chờ lượt đọc (máy chủ đang đọc tệp khác)…";
  if (progress.pages_total) return `Đang đọc trang ${progress.pages_done}/${progress.pages_total}…`;
  return "Đang đọc tệp…";
}

async function downloadSheet() {
  $("sheet-button").disabled = true;
  $("status").textContent = "Đang tạo bảng Excel…";
  try {
    const response = await post("admin/plans/preview.xlsx", fileForm());
    const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    const link = el("a", { href: URL.createObjectURL(await response.blob()), download: name ? name[1] : "ke-hoach.xlsx" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    $("status").textContent = "Đã tải bảng Excel. Sửa các ô nền vàng nếu sai, lưu lại, rồi chọn tệp ở ô «Bảng đã sửa».";
  } catch (error) {
    $("status").textContent = error.message;
  } finally {
    $("sheet-button").disabled = false;
  }
}

$("token").value = sessionStorage.getItem(TOKEN_KEY) || "";
$("upload").addEventListener("submit", async (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $("token").value);
  $("status").textContent = "Đang đọc tệp…";
  const job = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  const stop = watch(job);
  try {
    const preview = await send("admin/plans/preview", fileForm(job));
    stop();
    show(preview);
    if (!preview.error) $("status").textContent = "Đã đọc xong. Kiểm tra rồi xác nhận.";
  } catch (error) {
    stop();
    $("status").textContent = error.message;
  }
});
$("sheet-button").addEventListener("click", downloadSheet);
$("confirm").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = fileForm();
  for (const name of ["province", "year", "title"]) if ($(name).value.trim()) form.append(name, $(name).value.trim());
  if ($("correction").files.length) form.append("correction", $("correction").files[0]);
  $("confirm-button").disabled = true;
  try {
    await send("admin/plans", form);
    $("status").textContent = "Đã thêm kế hoạch. Chỉ mục đang được xây dựng lại; câu trả lời sẽ dùng kế hoạch mới sau ít phút.";
  } catch (error) {
    $("status").textContent = error.message;
    $("confirm-button").disabled = false;
  }
});
document.body.dataset.ready = "true";
