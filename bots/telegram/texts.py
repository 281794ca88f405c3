"""Everything the bot says to users (Vietnamese, Telegram HTML), and its command menu.

Placeholders are filled with already-escaped values by the callers.
"""

from __future__ import annotations

# command -> menu description (setMyCommands)
COMMANDS: dict[str, str] = {
    "start": "Giới thiệu và cách hỏi",
    "help": "Ví dụ câu hỏi và các lệnh",
    "donvi": "Chọn đơn vị và tỉnh của tôi",
    "quynay": "Nhiệm vụ của đơn vị trong quý này",
    "quysau": "Nhiệm vụ của đơn vị trong quý sau",
    "phoihop": "Những việc đơn vị phối hợp thực hiện",
    "nhacviec": "Nhắc việc hằng tuần và đầu quý",
    "bangviec": "Việc của đơn vị đến hạn trong 30 ngày tới",
    "ngay": "Hỏi theo một ngày khác (tập huấn, thử nghiệm)",
    "lich": "Lịch nhiệm vụ của đơn vị để thêm vào Outlook, Google Calendar",
}

WELCOME = (
    "Xin chào {name}!\n"
    "Tôi là <b>Trợ lý CCHC</b>. Tôi tra cứu các kế hoạch cải cách hành chính của tỉnh và cho biết "
    "đơn vị của anh/chị chủ trì hay phối hợp những nhiệm vụ nào, thời hạn ra sao. "
    "Mỗi câu trả lời đều dẫn đúng dòng trong văn bản.\n\n"
    "<b>Các kế hoạch đang có:</b>\n{plans}\n\n"
    "<b>Cách hỏi:</b>\n"
    "• Gõ câu hỏi bằng tiếng Việt, ví dụ: «{example}»\n"
    "• /donvi — chọn đơn vị và tỉnh của anh/chị, sau đó dùng /quynay, /quysau, /phoihop.\n"
    "• /help — thêm ví dụ."
)
JOINED = "✅ Mã tham gia hợp lệ: anh/chị đã được cấp quyền sử dụng trợ lý."
NO_PLANS = "(chưa có kế hoạch nào được nạp)"

HELP = (
    "<b>Ví dụ câu hỏi</b>\n"
    "• {agency} tỉnh {province} chủ trì những việc gì trong quý này?\n"
    "• Ai chủ trì rà soát văn bản quy phạm pháp luật ở {province}?\n"
    "• Sở Tư pháp tỉnh {province} phối hợp những nhiệm vụ nào?\n"
    "• Còn Sở Tài chính thì sao? <i>(câu hỏi tiếp theo giữ ngữ cảnh câu trước)</i>\n\n"
    "<b>Lệnh</b>\n"
    "/donvi — chọn đơn vị và tỉnh của anh/chị\n"
    "/quynay — nhiệm vụ của đơn vị trong quý này\n"
    "/quysau — nhiệm vụ của đơn vị trong quý sau\n"
    "/phoihop — những việc đơn vị phối hợp thực hiện\n"
    "/nhacviec — bản tin nhắc việc hằng tuần và đầu quý\n"
    "/bangviec — việc của đơn vị đến hạn trong 30 ngày tới\n"
    "/lich — lịch nhiệm vụ của đơn vị để thêm vào Outlook, Google Calendar\n"
    "/ngay 2022-10-01 — hỏi như thể hôm nay là ngày đó (/ngay bo để trở lại hôm nay)\n"
    "/row_… — xem nguyên văn một dòng được trích dẫn\n\n"
    "<b>Nút dưới câu trả lời</b>\n"
    "📄 1, 📄 2… — nguyên văn dòng có số đó\n"
    "◀ ▶ — trang trước, trang sau; bấm «2/5» để chọn trang\n"
    "📥 Tải Excel — các dòng của câu trả lời, đánh số như trên\n"
    "👍 Hữu ích / 👎 Chưa đúng — góp ý"
)

REFUSAL = (
    "Xin lỗi, trợ lý này chỉ phục vụ cán bộ, công chức đã được cấp quyền. "
    "Nếu anh/chị là cán bộ của tỉnh, vui lòng liên hệ bộ phận quản trị để được cấp mã tham gia, "
    "rồi gửi /start kèm mã đó."
)
RATE_LIMITED = "Anh/chị gửi hơi nhanh. Vui lòng chờ khoảng {wait} rồi hỏi tiếp."
APOLOGY = "Xin lỗi, đã có lỗi khi xử lý yêu cầu này. Anh/chị vui lòng thử lại sau ít phút."
UNKNOWN_COMMAND = "Không có lệnh này. Gõ /help để xem các lệnh."
TEXT_ONLY = "Tôi chỉ đọc được câu hỏi bằng chữ. Anh/chị hãy gõ câu hỏi."
EMPTY_MENTION = "Anh/chị muốn hỏi gì? Ví dụ: «Sở Nội vụ chủ trì những việc gì trong quý này?»"

NEED_AGENCY = (
    "Anh/chị chưa chọn đơn vị. Dùng /donvi để chọn đơn vị và tỉnh, "
    "ví dụ: <code>/donvi Sở Nội vụ</code>"
)
DONVI_PROMPT = (
    "Anh/chị làm việc ở đơn vị nào? Chọn bên dưới, hoặc gõ tên hay tên viết tắt, ví dụ «Sở Nội vụ», «SNV», «VP UBND tỉnh»."
)
DONVI_CURRENT = "Đơn vị hiện tại: <b>{agency}</b>, tỉnh <b>{province}</b>."
DONVI_CHOOSE = "Chọn đơn vị của anh/chị:"
DONVI_NOT_FOUND = (
    "Không tìm thấy đơn vị «{text}». Hãy thử tên đầy đủ hoặc tên viết tắt, ví dụ «Sở Nội vụ», «Sở TT&amp;TT»."
)
DONVI_PROVINCE = "Đơn vị: <b>{agency}</b>. Anh/chị thuộc tỉnh nào?"
DONVI_SAVED = (
    "Đã lưu: <b>{agency}</b>, tỉnh <b>{province}</b>.\n"
    "Dùng /quynay, /quysau hoặc /phoihop để xem nhiệm vụ của đơn vị."
)
DONVI_CANCELLED = "Đã hủy. Đơn vị đã chọn trước đó (nếu có) được giữ nguyên."
DONVI_STALE = "Lựa chọn này không còn hợp lệ. Hãy gõ lại /donvi."
NOT_YOUR_KEYBOARD = "Các nút này dành cho người đã gõ /donvi."
CANCEL_BUTTON = "✖️ Hủy"

ROW_BUTTON = "📄 Xem dòng {where}"
FEEDBACK_UP = "👍 Hữu ích"
FEEDBACK_DOWN = "👎 Chưa đúng"
THANKS_UP = "Cảm ơn anh/chị đã góp ý!"
THANKS_DOWN = "Cảm ơn anh/chị, câu trả lời này sẽ được xem lại."
FEEDBACK_EXPIRED = "Câu trả lời này đã cũ, không ghi nhận được góp ý."
ALREADY_RATED = "Anh/chị đã góp ý cho câu trả lời này rồi."

# Shown on the console by `cchc telegram` (through CchcError), never in Telegram.
MISSING_TOKEN = (
    "Chưa có mã bot Telegram: hãy đặt CCHC_TELEGRAM_TOKEN (mã do @BotFather cấp) "
    "trong biến môi trường hoặc tệp .env."
)
NO_ACCESS_RULE = (
    "Chưa cấu hình ai được dùng bot: hãy đặt CCHC_TELEGRAM_ALLOWED_IDS (mã người dùng hoặc nhóm, "
    "cách nhau bằng dấu phẩy) hoặc CCHC_TELEGRAM_JOIN_CODE (mã tham gia gửi kèm /start)."
)
BAD_TIMEZONE = "CCHC_TELEGRAM_TIMEZONE «{value}» không phải múi giờ hợp lệ; hãy dùng dạng «Asia/Ho_Chi_Minh»."
BAD_RATE_LIMIT = "CCHC_TELEGRAM_RATE_LIMIT «{value}» không hợp lệ; hãy viết dạng «10/minute» hoặc «100/hour»."
BAD_JOIN_LIMIT = "{setting} «{value}» không hợp lệ; hãy viết dạng «10/day» hoặc «50/hour»."
WEAK_JOIN_CODE = (
    "CCHC_TELEGRAM_JOIN_CODE quá ngắn hoặc dễ đoán: cần ít nhất {length} ký tự ngẫu nhiên, "
    "ví dụ tạo bằng lệnh «openssl rand -hex 8»."
)
WEBHOOK_URL_MISSING = (
    "Chế độ webhook cần CCHC_TELEGRAM_WEBHOOK_URL: địa chỉ HTTPS công khai mà Telegram gửi cập nhật tới, "
    "ví dụ https://cong.example.gov.vn/tro-ly/telegram."
)
WEBHOOK_SECRET_MISSING = (
    "Chế độ webhook cần CCHC_TELEGRAM_WEBHOOK_SECRET: 1–256 ký tự gồm chữ, số, «_» và «-», "
    "để chỉ chấp nhận cập nhật thật sự đến từ Telegram."
)
TOKEN_REJECTED = "Telegram từ chối mã bot (CCHC_TELEGRAM_TOKEN). Hãy kiểm tra lại mã do @BotFather cấp."
UNREACHABLE = "Không kết nối được tới máy chủ Telegram ({host}): {error}"

EXCEL_BUTTON = "📥 Tải Excel"
EXCEL_CAPTION = "Các dòng của câu trả lời, mỗi dòng một nhiệm vụ."
PAGE_EXPIRED = "Câu trả lời này đã cũ; hãy hỏi lại để xem tiếp."
UNKNOWN_BUTTON = "Nút này không còn dùng được; hãy hỏi lại."
CODE_IN_GROUP = "Xin đừng gửi mã tham gia trong nhóm: mọi người đều đọc được. Hãy nhắn riêng cho bot: /start MÃ"
WRONG_CODE = "Mã tham gia không đúng. Hãy kiểm tra lại với đơn vị quản lý trợ lý (không phân biệt chữ hoa, chữ thường)."
JOIN_LOCKED = "Anh/chị đã nhập sai mã tham gia quá nhiều lần. Vui lòng thử lại sau khoảng {wait}."
JOIN_PAUSED = (
    "Việc nhập mã tham gia đang tạm khóa vì có quá nhiều lần thử sai. "
    "Vui lòng thử lại sau khoảng {wait} hoặc liên hệ bộ phận quản trị."
)
JOIN_UNAVAILABLE = "Chưa kiểm tra được mã tham gia lúc này. Vui lòng thử lại sau ít phút."
GROUP_NOT_ALLOWED = (
    "Xin lỗi, trợ lý chỉ ở lại những nhóm do cán bộ đã được cấp quyền thêm vào, nên tôi xin rời nhóm này. "
    "Nếu cần dùng trợ lý, vui lòng liên hệ bộ phận quản trị."
)
GROUP_GREETING = (
    "Xin chào cả nhóm! Tôi là Trợ lý CCHC: tôi trả lời các nhiệm vụ trong kế hoạch cải cách hành chính, "
    "kèm nguồn từng dòng. Trong nhóm, hãy nhắc tên tôi hoặc trả lời tin nhắn của tôi để hỏi, ví dụ: {example}"
)
ERROR_REPORT = "⚠️ Lỗi khi xử lý cập nhật {update} (chat {chat}): {error}"

# /nhacviec
REMINDER_NEEDS_AGENCY = "Để nhận nhắc việc, trước hết hãy chọn đơn vị bằng /donvi."
REMINDER_OFF = (
    "Nhắc việc đang tắt.\nBật để nhận mỗi tuần một bản tin các việc của <b>{agency}</b> — <b>{province}</b> "
    "đến hạn trong {days} ngày tới, và một bản tin đầu mỗi quý. Chọn ngày nhận:"
)
REMINDER_ON = (
    "Nhắc việc đang bật cho <b>{agency}</b> — <b>{province}</b>: {weekday} hằng tuần lúc {time} "
    "(giờ Việt Nam), các việc đến hạn trong {days} ngày tới.\nBản tin đầu quý (ngày 1/1, 1/4, 1/7, 1/10): {quarterly}."
)
REMINDER_CHOOSE_DAY = "Chọn ngày nhận bản tin hằng tuần:"
REMINDER_CHOOSE_TIME = "Nhận bản tin vào <b>{weekday}</b>. Chọn giờ nhận:"
REMINDER_STOPPED = "Đã tắt nhắc việc. Gõ /nhacviec để bật lại."
REMINDER_NOT_YOURS = "Các nút này dành cho người đã gõ /nhacviec."
REMINDER_WEEKLY = "🔔 Nhắc việc tuần: {agency} — {province}, các việc đến hạn trong {days} ngày tới"
REMINDER_QUARTERLY = "🔔 Đầu quý: {agency} — {province}, các việc trong quý này"
QUARTERLY_ON = "bật"
QUARTERLY_OFF = "tắt"
QUARTERLY_BUTTON_ON = "Bật bản tin đầu quý"
QUARTERLY_BUTTON_OFF = "Tắt bản tin đầu quý"
CHANGE_SCHEDULE_BUTTON = "🗓 Đổi ngày giờ"
STOP_REMINDER_BUTTON = "🔕 Tắt nhắc việc"
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
WEEKDAY_BUTTONS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")

# issue 19: paging, reference date, digests, small talk
PAGE_COUNTER = "{page}/{pages} ☰"
JUMP_BACK = "↩ Quay lại"
YOU_ARE_WELCOME = "Không có gì ạ. Anh/chị cần tra cứu thêm nhiệm vụ nào cứ hỏi tôi."
REFERENCE_LINE = "🗓 Đang hỏi theo ngày {date} (/ngay bo để trở lại hôm nay)"
REFERENCE_NONE = (
    "Câu trả lời đang tính theo ngày hôm nay. Để hỏi như thể hôm nay là một ngày khác (tập huấn, thử kế hoạch cũ), "
    "gõ ví dụ <code>/ngay 2022-10-01</code>."
)
REFERENCE_IS = "Đang hỏi theo ngày <b>{date}</b>. Gõ /ngay bo để trở lại ngày hôm nay."
REFERENCE_SET = (
    "Đã đặt ngày tham chiếu <b>{date}</b>: «quý này», «30 ngày tới»… trong cuộc trò chuyện này được tính từ ngày đó. "
    "Gõ /ngay bo để trở lại ngày hôm nay."
)
REFERENCE_CLEARED = "Đã bỏ ngày tham chiếu: câu trả lời lại tính theo ngày hôm nay."
REFERENCE_BAD = "Ngày chưa đúng dạng. Hãy gõ ví dụ <code>/ngay 2022-10-01</code> hoặc <code>/ngay 01/10/2022</code>."
DIGEST_COUNTS = "Đến hạn từ {start} đến {end}: <b>{due}</b> việc"
DIGEST_OVERDUE_COUNT = "Đã quá hạn trong tuần qua: <b>{count}</b> việc"
DIGEST_NOTHING_DUE = "Không có việc nào đến hạn trong thời gian này."
DIGEST_MORE = "… và {count} việc nữa: bấm «Xem tất cả»."
DIGEST_ALL_BUTTON = "📋 Xem tất cả"
DIGEST_ALL_TITLE = "📋 {agency} — {province}: tất cả nhiệm vụ trong kỳ"
DIGEST_UNCOVERED_ADMIN = (
    "ℹ️ Nhắc việc: chưa có kế hoạch nào cho {period}, nên các bản tin nhắc việc của tỉnh này được bỏ qua "
    "cho đến khi nạp kế hoạch mới."
)
BOARD_TITLE = "🗂 Bảng việc: {agency} — {province}, {days} ngày tới"
BOARD_UNCOVERED = "Chưa có kế hoạch nào của tỉnh {province} cho thời gian từ {start}; hãy hỏi theo năm của kế hoạch."
REMINDER_OLD_MENU = "Tin nhắn này thuộc lịch nhắc cũ; hãy dùng tin nhắn mới nhất hoặc gõ /nhacviec."
LICH = (
    "📅 Lịch nhiệm vụ của <b>{agency}</b> — <b>{province}</b> (mỗi việc có thời hạn là một sự kiện vào ngày hết hạn):\n"
    "{url}\n\n"
    "Google Calendar: «Lịch khác» › «Từ URL». Outlook: «Thêm lịch» › «Đăng ký từ web». "
    "Lịch tự cập nhật khi kế hoạch thay đổi."
)
LICH_NO_ADDRESS = (
    "Chưa có đường dẫn lịch: quản trị viên cần đặt địa chỉ công khai của trợ lý (CCHC_PUBLIC_URL)."
)
