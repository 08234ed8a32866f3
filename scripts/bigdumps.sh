#!/usr/bin/env bash
# Speed and memory of the release `netdoc` on a 10,000-service cluster's dumps.
#
# Generates ../shared/bench/gen.py's large set into a temp dir (or uses DIR when given),
# then runs `netdoc parse --as KIND FILE` and `netdoc diagnose FILE` on each big file under
# /usr/bin/time -v and prints: file, size MB, seconds, MB/s, max RSS MB, RSS/input ratio,
# and (RSS - the same command's RSS on an empty file)/input: what the input itself costs,
# without the program's own few MB (which dominate the ratio for a 4 MB dump).
#
#   scripts/bigdumps.sh            # generate, build, measure (several minutes on 2 cores)
#   scripts/bigdumps.sh DIR        # reuse DIR/large/*.txt from an earlier gen.py run
#
# Needs python3 and GNU time (`apt-get install time` on Debian/Ubuntu).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x /usr/bin/time ]]; then
    echo "GNU time is missing: apt-get install time" >&2
    exit 2
fi

if [[ $# -ge 1 ]]; then
    data="$1"
else
    data="$(mktemp -d -t netdoc-bigdumps.XXXXXX)"
    trap 'rm -rf "$data"' EXIT
    python3 ../shared/bench/gen.py --out "$data" --sizes large >/dev/null
fi

cargo build --release -q -p netdoc-engine --bin netdoc
bin="$PWD/target/release/netdoc"

# file → parser kind
files=(
    "iptables-save.txt iptables-save"
    "iptables-L.txt iptables-list"
    "ipvsadm.txt ipvsadm"
    "conntrack.txt conntrack"
    "ss.txt ss"
    "ss-tuanp.txt ss"
    "pods.txt kubectl-get-pods"
)

# The program's own RSS: each mode on an empty file.
empty="$(mktemp)"
base_rss() {
    local log
    log="$(mktemp)"
    /usr/bin/time -v -o "$log" "$@" >/dev/null || true
    awk -F': ' '/Maximum resident set size/ {print $2}' "$log"
    rm -f "$log"
}
base_parse=$(base_rss "$bin" parse --as ss "$empty")
base_diagnose=$(base_rss "$bin" diagnose -f json "$empty")
rm -f "$empty"

printf '%-20s %-9s %8s %8s %8s %10s %9s %11s\n' file mode "size MB" seconds "MB/s" "max RSS MB" "RSS/input" "added/input"
for entry in "${files[@]}"; do
    read -r file kind <<<"$entry"
    path="$data/large/$file"
    [[ -f "$path" ]] || { echo "missing $path" >&2; exit 2; }
    bytes=$(stat -c %s "$path")
    for mode in parse diagnose; do
        if [[ $mode == parse ]]; then
            cmd=("$bin" parse --as "$kind" "$path")
        else
            cmd=("$bin" diagnose -f json "$path")
        fi
        log="$(mktemp)"
        # diagnose exits 1 when it finds something: not a failure here.
        /usr/bin/time -v -o "$log" "${cmd[@]}" >/dev/null || [[ $? -eq 1 ]]
        secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$log")
        rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
        rm -f "$log"
        if [[ $mode == parse ]]; then base=$base_parse; else base=$base_diagnose; fi
        awk -v f="$file" -v m="$mode" -v b="$bytes" -v s="$secs" -v r="$rss_kb" -v z="$base" 'BEGIN {
            mb = b / 1e6; rmb = r * 1024 / 1e6; zmb = z * 1024 / 1e6;
            printf "%-20s %-9s %8.1f %8.2f %8.1f %10.0f %9.2f %11.2f\n", f, m, mb, s, (s > 0 ? mb / s : 0), rmb, rmb / mb, (rmb - zmb) / mb
        }'
    done
done
