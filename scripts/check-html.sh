#!/usr/bin/env bash
# check-html.sh — render an html report of `fundaudit audit --format html` in
# headless Chromium and fail unless the page is whole.
#
# Usage:
#   scripts/check-html.sh REPORT.html [SCREENSHOT.png]
#
# What it checks (exit 1 on any failure, 2 on bad usage or no Chromium):
#   - the page loads from file:// with the network off (the report is one
#     self-contained file: no CDN, no fetches; its CSP forbids them anyway);
#   - its script ran to the end without a JavaScript error: the report's
#     script sets <body data-ready="1"> as its last step, and a window
#     'error' listener sets data-js-error="1"; both are read from the DOM
#     that Chromium dumps after the page has loaded;
#   - the chart is present: an <svg id="risk-chart"> in the rendered DOM,
#     with at least one bar (<rect>) when the report has findings;
#   - a screenshot (1280×2000) is written to SCREENSHOT.png (default:
#     REPORT.png beside the report) for a person to look at.
#
# Needs chromium (Debian: apt-get install -y chromium). Make a report with e.g.
#   node bin/fundaudit audit ./exports --format html --out /tmp/report.html
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 REPORT.html [SCREENSHOT.png]" >&2
  exit 2
fi
report=$1
shot=${2:-${report%.html}.png}
if [ ! -f "$report" ]; then
  echo "check-html: no such file: $report" >&2
  exit 2
fi
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$chrome" ]; then
  echo "check-html: chromium not found; install it (apt-get install -y chromium)" >&2
  exit 2
fi

url="file://$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
  --disable-sync --no-first-run --user-data-dir="$profile" --window-size=1280,2000)

dom=$("$chrome" "${flags[@]}" --virtual-time-budget=5000 --dump-dom "$url" 2>/dev/null || true)
"$chrome" "${flags[@]}" --screenshot="$shot" "$url" >/dev/null 2>&1 || true

fail=0
if [ -z "$dom" ]; then
  echo "check-html: FAIL: Chromium rendered nothing for $url" >&2
  exit 1
fi
if ! grep -q '<body[^>]*data-ready="1"' <<<"$dom"; then
  echo "check-html: FAIL: the report's script did not run to the end (JavaScript error?)" >&2
  fail=1
fi
if grep -q 'data-js-error="1"' <<<"$dom"; then
  echo "check-html: FAIL: a JavaScript error was raised on the page" >&2
  fail=1
fi
if ! grep -q '<svg id="risk-chart"' <<<"$dom"; then
  echo "check-html: FAIL: the chart (svg#risk-chart) is absent" >&2
  fail=1
elif grep -q 'class="sev sev-' <<<"$dom" && ! grep -q '<rect' <<<"$dom"; then
  echo "check-html: FAIL: the report has findings but the chart has no bars" >&2
  fail=1
fi
if [ ! -s "$shot" ]; then
  echo "check-html: FAIL: no screenshot was written to $shot" >&2
  fail=1
fi
if [ $fail -eq 0 ]; then
  echo "check-html: ok: $report (screenshot: $shot)"
fi
exit $fail
