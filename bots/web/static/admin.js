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

async function send(path, form) {
  const response = await fetch(apiUrl(path), {
    method: "POST", body: form, headers: { Authorization: `Bearer ${$("token").value}` },
  });
  if (!response.ok) throw new Error(await errorMessage(response));
  return response.json();
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
  clear($("rows")).append(table(["Địa chỉ", "Nhiệm vụ", "Chủ trì", "Thời hạn"],
    preview.first_rows.map((r) => [r.label, r.task.slice(0, 200), r.lead, r.period])));
  const warnings = clear($("warnings"));
  for (const period of preview.periods_not_understood) warnings.append(el("li", {}, `Thời hạn chưa hiểu: ${period}`));
  for (const message of preview.agencies_not_understood) warnings.append(el("li", {}, `Cơ quan chưa rõ: ${message}`));
  $("missing").hidden = preview.missing.length === 0;
  $("confirm-button").disabled = Boolean(preview.error);
  if (preview.error) $("status").textContent = `Không lập chỉ mục được: ${preview.error}`;
}

function fileForm() {
  const form = new FormData();
  form.append("file", $("file").files[0]);
  return form;
}

$("token").value = sessionStorage.getItem(TOKEN_KEY) || "";
$("upload").addEventListener("submit", async (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $("token").value);
  $("status").textContent = "Đang đọc tệp…";
  try {
    const preview = await send("admin/plans/preview", fileForm());
    show(preview);
    if (!preview.error) $("status").textContent = "Đã đọc xong. Kiểm tra rồi xác nhận.";
  } catch (error) {
    $("status").textContent = error.message;
  }
});
$("confirm").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = fileForm();
  for (const name of ["province", "year", "title"]) if ($(name).value.trim()) form.append(name, $(name).value.trim());
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
