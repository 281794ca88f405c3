#!/usr/bin/env bash
# Old .doc plans are converted by LibreOffice (Debian libreoffice-writer-nogui, about a minute to
# install). Optional: without it the .doc test is skipped with the reason, and a .doc upload says
# what to install.
set -uo pipefail
if command -v soffice >/dev/null; then
    exit 0
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
if ! { $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libreoffice-writer-nogui >/dev/null; }; then
    echo "Không cài được libreoffice-writer-nogui: bài kiểm tra tệp .doc sẽ được bỏ qua." >&2
fi
exit 0
