#!/usr/bin/env bash
# Scanned plans are read by Debian's Tesseract with its Vietnamese data. Optional: without it the
# OCR test is skipped with the reason, and `cchc index` says what to install.
set -uo pipefail
if command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx vie; then
    exit 0
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
if ! { $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq tesseract-ocr tesseract-ocr-vie >/dev/null; }; then
    echo "Không cài được tesseract-ocr, tesseract-ocr-vie: bài kiểm tra OCR sẽ được bỏ qua." >&2
fi
exit 0
