#!/usr/bin/env bash
# The deployment-mode tests start real servers from Debian packages: redis-server and PostgreSQL
# (a temporary cluster; `chroma run` comes with the chromadb package). Without them those tests
# are skipped with the reason.
set -uo pipefail
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
if ! { $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
    echo "Không cài được ${missing[*]}: các bài kiểm tra chế độ triển khai sẽ được bỏ qua." >&2
fi
# Debian starts the services it just installed; the tests run their own on free ports.
for service in "${missing[@]}"; do
    $sudo service "$service" stop >/dev/null 2>&1 || true
done
exit 0
