#!/usr/bin/env bash
# check-html.sh — render an html report of `fundaudit audit --format html` in
# headless Chromium at phone, tablet and desktop widths and print it to PDF,
# and fail unless the page is whole and usable.
#
# Usage:
#   scripts/check-html.sh REPORT.html [OUTDIR]
#
# Writes to OUTDIR (default: REPORT.check/ beside the report), for a person to
# look at: shot-375.png, shot-768.png, shot-1280.png and report.pdf.
#
# What it checks (exit 1 on any failure, 2 on bad usage or no Chromium):
#   - the page loads from file:// with the network off (the report is one
#     self-contained file; its CSP forbids fetches anyway);
#   - its script ran to the end without a JavaScript error (it sets
#     <body data-ready="1"> last; an 'error' listener sets data-js-error="1");
#   - the chart is there, its bars coloured by severity (<rect class="seg sev-…">
#     in svg#risk-chart when the report has findings);
#   - a first click on the findings' amount header sorts the largest first;
#   - at each width, nothing makes the page wider than the window (tables
#     scroll in their own box), and no table cell wraps one character per line;
#   - printed (A4, print styles), the PDF has A4 pages and shows the evidence
#     of the findings (the first evidence places of the page are in its text),
#     which the screen folds away.
# The layout is measured by a copy of the report with a probe script added at
# its end; the report itself is not changed.
#
# Needs chromium (Debian: apt-get install -y chromium); pdfinfo and pdftotext
# (poppler-utils) for the PDF checks, which are skipped with a note without them.
# Make a report with e.g.
#   node bin/fundaudit audit fixtures/demo --format html --out /tmp/report.html
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 REPORT.html [OUTDIR]" >&2
  exit 2
fi
report=$1
if [ ! -f "$report" ]; then
  echo "check-html: no such file: $report" >&2
  exit 2
fi
out=${2:-${report%.html}.check}
mkdir -p "$out"
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$chrome" ]; then
  echo "check-html: chromium not found; install it (apt-get install -y chromium)" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
url="file://$(abs "$report")"

# The probe: measured after the report's own script has run, written into <body> attributes.
probe='<script>(function(){var b=document.body,d=document.documentElement;
b.setAttribute("data-overflow",String(d.scrollWidth-window.innerWidth));
var bad=[];document.querySelectorAll("th,td").forEach(function(c){var t=c.textContent.trim();
if(t.length<2||t.length>12||c.offsetParent===null)return;var r=document.createRange();r.selectNodeContents(c);
var tops={},n=0,rs=r.getClientRects();for(var i=0;i<rs.length;i++){var k=Math.round(rs[i].top);if(!tops[k]){tops[k]=1;n++;}}
if(n>=Array.from(t).length)bad.push(t);});
b.setAttribute("data-one-char-cells",bad.slice(0,5).join("|"));
var sev={};document.querySelectorAll("#risk-chart rect.seg").forEach(function(x){sev[x.getAttribute("fill")]=1;});
b.setAttribute("data-chart-colours",String(Object.keys(sev).length));
var t=document.querySelector("table.sortable.cards");if(t){var hs=t.querySelectorAll("thead th[data-type=num]"),h=hs[hs.length-1];
var col=Array.prototype.indexOf.call(t.querySelectorAll("thead th"),h);h.click();
var v=Array.prototype.map.call(t.tBodies[0].rows,function(r){return parseFloat(r.cells[col].getAttribute("data-sort"))||0;});
var ok=true;for(var i=1;i<v.length;i++)if(v[i]>v[i-1])ok=false;b.setAttribute("data-sort-largest-first",ok?"1":"0");}})();</script>'
probed="$work/probed.html"
# The probe goes just before </body> (the last occurrence): after the report's own script.
awk -v probe="$probe" '{ lines[NR] = $0 } END { last = 0; for (i = 1; i <= NR; i++) if (index(lines[i], "</body>")) last = i;
  for (i = 1; i <= NR; i++) { if (i == last) { sub(/<\/body>/, probe "</body>", lines[i]) } print lines[i] } }' "$report" > "$probed"

flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
  --disable-sync --no-first-run --hide-scrollbars)

fail=0
failed() { echo "check-html: FAIL: $*" >&2; fail=1; }
attr() { sed -n "s/.*<body[^>]*$1=\"\([^\"]*\)\".*/\1/p" <<<"$2" | head -1; }

for width in 375 768 1280; do
  profile="$work/profile-$width"
  height=$([ "$width" = 375 ] && echo 812 || ([ "$width" = 768 ] && echo 1024 || echo 2000))
  dom=$("$chrome" "${flags[@]}" --user-data-dir="$profile" --window-size="$width,$height" --virtual-time-budget=5000 --dump-dom "file://$probed" 2>/dev/null || true)
  "$chrome" "${flags[@]}" --user-data-dir="$profile" --window-size="$width,$height" --virtual-time-budget=5000 --screenshot="$(abs "$out")/shot-$width.png" "$url" >/dev/null 2>&1 || true
  if [ -z "$dom" ]; then
    failed "Chromium rendered nothing at width $width"
    continue
  fi
  if [ "$width" = 1280 ]; then
    grep -q '<body[^>]*data-ready="1"' <<<"$dom" || failed "the report's script did not run to the end (JavaScript error?)"
    if grep -q 'data-js-error="1"' <<<"$dom"; then failed "a JavaScript error was raised on the page"; fi
    if ! grep -q '<svg id="risk-chart"' <<<"$dom"; then
      failed "the chart (svg#risk-chart) is absent"
    elif grep -q 'class="sev sev-' <<<"$dom" && [ "$(attr data-chart-colours "$dom")" = "0" ]; then
      failed "the report has findings but the chart has no bars coloured by severity"
    fi
    if [ "$(attr data-sort-largest-first "$dom")" = "0" ]; then failed "a first click on the amount header does not sort the largest amounts first"; fi
  fi
  overflow=$(attr data-overflow "$dom")
  if [ -n "$overflow" ] && [ "$overflow" -gt 0 ]; then failed "at width $width the page is ${overflow}px wider than the window"; fi
  cells=$(attr data-one-char-cells "$dom")
  if [ -n "$cells" ]; then failed "at width $width table cells wrap one character per line: $cells"; fi
  [ -s "$out/shot-$width.png" ] || failed "no screenshot was written at width $width"
done

pdf="$out/report.pdf"
"$chrome" "${flags[@]}" --user-data-dir="$work/profile-print" --virtual-time-budget=5000 --no-pdf-header-footer --print-to-pdf-no-header \
  --print-to-pdf="$(abs "$out")/report.pdf" "$url" >/dev/null 2>&1 || true
if [ ! -s "$pdf" ]; then
  failed "no PDF was printed"
elif command -v pdfinfo >/dev/null && command -v pdftotext >/dev/null; then
  size=$(pdfinfo "$pdf" | sed -n 's/^Page size: *//p')
  case "$size" in
    *"(A4)"*|"595.2"*" x 841.8"*) ;;
    *) failed "the PDF is not A4 ($size)" ;;
  esac
  text=$(pdftotext -layout "$pdf" - 2>/dev/null || true)
  # The first evidence places of the page: each must be in the printed text.
  missing=0
  while IFS= read -r place; do
    [ -z "$place" ] && continue
    grep -qF "$place" <<<"$text" || { missing=$((missing + 1)); echo "check-html: evidence $place is not in the printed PDF" >&2; }
  done < <(grep -o '<div class="ev" id="[^"]*"><div class="scroll"><table><tbody><tr><td class="nowrap"><code>[^<]*' "$report" | sed 's/.*<code>//' | head -5)
  [ "$missing" -eq 0 ] || failed "$missing evidence place(s) missing from the printed PDF: print styles must show the evidence"
  pages=$(pdfinfo "$pdf" | sed -n 's/^Pages: *//p')
  echo "check-html: printed $pages A4 page(s)"
else
  echo "check-html: note: pdfinfo/pdftotext (poppler-utils) not found; the PDF was printed but not checked" >&2
fi

if [ $fail -eq 0 ]; then
  echo "check-html: ok: $report (screenshots and PDF in $out)"
fi
exit $fail
