"""/lich: the subscribe address of «Đơn vị của tôi»'s calendar feed, which the web app serves
(bots.web.routers.calendar) at CCHC_PUBLIC_URL."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bots.telegram import texts
from bots.telegram.formatting import escape
from bots.telegram.profile import Profile
from bots.telegram.replies import reply_html
from service.calendar import feed_name


class CalendarLink:
    def __init__(self, public_url: str | None):
        self.public_url = (public_url or "").rstrip("/")

    def url(self, profile: Profile) -> str:
        return f"{self.public_url}/api/lich/{feed_name(profile.agency_id, profile.province)}.ics"

    async def command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        profile = Profile.load(context.user_data)
        if profile is None:
            await reply_html(message, texts.NEED_AGENCY)
        elif not self.public_url:
            await reply_html(message, texts.LICH_NO_ADDRESS)
        else:
            await reply_html(message, texts.LICH.format(agency=escape(profile.agency_name),
                                                        province=escape(profile.province), url=escape(self.url(profile))))
