"""Between the assistant and the channels: wiring from Settings, and the application API the web
chat, the Telegram bot and the CLI call."""
