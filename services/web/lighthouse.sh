#!/bin/sh
# Lighthouse (mobile, its default) on the page's front, Spanish and one bulletin page;
# prints the four category scores of each. See docs/lighthouse.md.
#
#   services/web/lighthouse.sh [base-url] [bulletin-id]
#
# LIGHTHOUSE_DIR is where `npm i -E lighthouse@12.2.3` was run (default /tmp/lighthouse,
# outside the repository); CHROME_PATH defaults to Debian's /usr/bin/chromium. Reports
# (JSON) are kept in LIGHTHOUSE_OUT (default a temporary directory, printed).
set -eu
base=${1:-http://127.0.0.1:8091}
id=${2:-2020-03-14-confinament}
lh=${LIGHTHOUSE_DIR:-/tmp/lighthouse}/node_modules/.bin/lighthouse
out=${LIGHTHOUSE_OUT:-$(mktemp -d)}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
if [ ! -x "$lh" ]; then
	echo "lighthouse.sh: no $lh; run: mkdir -p /tmp/lighthouse && cd /tmp/lighthouse && npm i -E lighthouse@12.2.3" >&2
	exit 2
fi
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(uptime | sed 's/.*load/load/'), reports in $out"
printf '%-40s %12s %14s %15s %4s\n' page performance accessibility best-practices seo
for path in / /es/ "/bulletins/$id"; do
	name=$(echo "$path" | tr '/' '_')
	"$lh" "$base$path" --quiet --output=json --output-path="$out/lh$name.json" \
		--chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync" \
		|| { echo "lighthouse.sh: lighthouse failed on $path" >&2; exit 1; }
	node -e '
const r = require(process.argv[1]);
const s = k => r.categories[k].score === null ? "n/a" : Math.round(r.categories[k].score * 100);
const below = [];
for (const [k, c] of Object.entries(r.categories)) for (const ref of c.auditRefs) {
  const a = r.audits[ref.id];
  if (ref.weight > 0 && a.score !== null && a.score < 1) below.push(k + ":" + a.id + "=" + a.score);
}
console.log(process.argv[2].padEnd(40), String(s("performance")).padStart(12), String(s("accessibility")).padStart(14),
  String(s("best-practices")).padStart(15), String(s("seo")).padStart(4), below.length ? "  below 1: " + below.join(" ") : "");
' "$out/lh$name.json" "$path"
done
