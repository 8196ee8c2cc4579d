#!/usr/bin/env bash
# Open MPI reads the rules file `hockney tune` writes and runs the algorithm it names.
# On 4 ranks the all-reduce's result identifies the algorithm that ran (tests/mpi/tuned_probe.cc):
# the variant chosen must be seen running under the file, and the library's own choice where
# the file keeps it. The times handed to tune are edited so that the chosen variant wins: this
# test is about the file, not about which algorithm is fast here (BENCHMARKS.md has that).
# Usage: tune_rules_test.sh HOCKNEY TUNED_PROBE
set -euo pipefail
hockney=$1
probe=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mpirun() { "$here/mpirun.sh" "$@"; }
bytes=16384

mpirun 4 "$probe" variants $bytes >prints.txt
library=$(awk '$1 == "vendor" {print $2}' prints.txt)
variant=$(awk -v lib="$library" '$1 != "vendor" && $2 != lib {print $1; exit}' prints.txt)
[[ -n "$variant" ]] || { echo "FAIL: no variant differs from the library's choice"; cat prints.txt; exit 1; }
want=$(awk -v v="$variant" '$1 == v {print $2}' prints.txt)
echo "library's choice $library; $variant $want"

# Real rows of every variant at this size, then the chosen one made the clear winner.
mpirun 4 "$hockney" run -p allreduce --algo vendor:all --sizes $bytes -n 20 --out m.json >/dev/null
edit() {  # edit IN OUT WINNER: WINNER's time a tenth of every other row's
  python3 - "$@" <<'PY'
import json, sys
src, dst, winner = sys.argv[1:]
r = json.load(open(src))
slowest = max(row["time_us"]["median"] for row in r["results"])
for row in r["results"]:
    t = slowest / 10 if row["algorithm"] == winner else slowest
    row["time_us"] = {k: t for k in row["time_us"]}
json.dump(r, open(dst, "w"))
PY
}
edit m.json won.json "$variant"
"$hockney" tune won.json --format ompi-rules --out rules.conf --json tune.json >table.txt
id=$(python3 -c "import json; r = json.load(open('m.json')); print(next(x['details']['variant']['id'] for x in r['results'] if x['algorithm'] == '$variant'))")
grep -Eq "^$bytes $id " rules.conf || { echo "FAIL: rules.conf has no rule $bytes -> $id"; cat rules.conf; exit 1; }

tuned() {  # tuned FILE [RANKS]
  mpirun "${2:-4}" --mca coll_tuned_use_dynamic_rules 1 --mca coll_tuned_dynamic_rules_filename "$work/$1" \
    "$probe" default $bytes | awk '{print $2}'
}
got=$(tuned rules.conf)
[[ "$got" == "$want" ]] || { echo "FAIL: under rules.conf the all-reduce ran $got, not $variant ($want)"; cat rules.conf; exit 1; }
echo "under rules.conf: $variant ran"

# Where the library's own row wins, the file keeps its choice (algorithm 0).
edit m.json kept.json vendor
"$hockney" tune kept.json --format ompi-rules --out kept.conf >/dev/null
got=$(tuned kept.conf)
[[ "$got" == "$library" ]] || { echo "FAIL: kept.conf changed the library's choice ($got)"; cat kept.conf; exit 1; }
# Communicator sizes never measured keep the library's choice: rules for 1 and 5 ranks say so.
grep -Eq "^1 1 " rules.conf && grep -Eq "^5 1 " rules.conf || { echo "FAIL: no default rule for 1 and 5 ranks"; cat rules.conf; exit 1; }
# ... and Open MPI, which takes the rules of the largest size not above the communicator's,
# runs its own choice on 3 ranks with the file in force.
three=$(mpirun 3 "$probe" default $bytes | awk '{print $2}')
got=$(tuned rules.conf 3)
[[ "$got" == "$three" ]] || { echo "FAIL: on 3 ranks rules.conf changed the library's choice"; exit 1; }

# Variants cannot be forced while a rules file is in force (coll/tuned would take the file's).
set +e
mpirun 2 --mca coll_tuned_dynamic_rules_filename "$work/rules.conf" --mca coll_tuned_use_dynamic_rules 1 \
  "$hockney" run -p allreduce --algo vendor:ring --sizes 4K --out refused.json >refused.txt 2>&1
rc=$?
set -e
[[ $rc == 2 ]] && grep -q "rules file" refused.txt || { echo "FAIL: a variant under a rules file: exit $rc"; cat refused.txt; exit 1; }
[[ ! -e refused.json ]] || { echo "FAIL: a report was written"; exit 1; }

# A report measured with the file in force is the tuned library: tune refuses it as input, and
# --check takes it.
mpirun 4 --mca coll_tuned_use_dynamic_rules 1 --mca coll_tuned_dynamic_rules_filename "$work/rules.conf" \
  "$hockney" run -p allreduce --algo vendor --sizes $bytes -n 20 --out t.json >/dev/null
set +e
"$hockney" tune t.json --format ompi-rules --out x.conf >x.txt 2>&1
rc=$?
set -e
[[ $rc == 2 ]] && grep -q "in force" x.txt || { echo "FAIL: tune took a tuned report: exit $rc"; cat x.txt; exit 1; }
python3 -c "import json; t = json.load(open('t.json'))['mpi']['tuning']; assert t['dynamic_rules_filename'].endswith('rules.conf'), t"
set +e
"$hockney" tune m.json --check t.json --json check.json >check.txt
rc=$?
set -e
[[ $rc == 0 || $rc == 1 ]] || { echo "FAIL: tune --check exit $rc"; cat check.txt; exit 1; }
python3 -c "import json; c = json.load(open('check.json')); assert c['kind'] == 'tune_check' and len(c['rows']) == 1, c"
echo "PASS"
