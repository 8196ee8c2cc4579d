#!/usr/bin/env bash
# Bad input: a clear message naming the problem, a non-zero exit, and an existing --out file
# left exactly as it was.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hockney=$1
dir=$(mktemp -d)
echo '{"precious": true}' >"$dir/out.json"
cp "$dir/out.json" "$dir/before.json"
failures=0
expect_error() {  # expect_error "message fragment" args...
  local want=$1
  shift
  timeout 120 "$hockney" "$@" --out "$dir/out.json" >"$dir/stdout" 2>"$dir/stderr"  # a hang is a failure
  local rc=$?
  if [ "$rc" -ne 2 ]; then
    echo "FAIL: exit $rc (not 2, bad input) for: $*"; failures=$((failures + 1))
  elif ! grep -qF -- "$want" "$dir/stderr"; then
    echo "FAIL: for: $* expected '$want' in:"; cat "$dir/stderr"; failures=$((failures + 1))
  elif ! cmp -s "$dir/out.json" "$dir/before.json" || [ -e "$dir/out.json.jsonl" ]; then
    echo "FAIL: $* touched the --out file or left a checkpoint"; failures=$((failures + 1))
  else
    echo "ok: $* -> $(head -n1 "$dir/stderr")"
  fi
}
expect_plain_error() {  # for commands without --out
  local want=$1
  shift
  "$hockney" "$@" >"$dir/stdout" 2>"$dir/stderr"
  local rc=$?
  if [ "$rc" -ne 2 ] || ! grep -qF -- "$want" "$dir/stderr"; then
    echo "FAIL: $* rc=$rc (want 2), expected '$want' in:"; cat "$dir/stderr"; failures=$((failures + 1))
  else
    echo "ok: $* -> $(head -n1 "$dir/stderr")"
  fi
}
expect_error "unknown allreduce algorithm 'warp_drive'" run --algo ring,warp_drive --sizes 8
# Reference fabrics (ref:NAME): an unknown one lists the names there are; two calibrations with no
# fit in common are refused without --model (it compares the steps they price), not "malformed".
fixtures=$here/../fixtures
expect_error "no reference fabric 'nope' (there are: a100-node" project --calibration ref:nope \
  --model gpt3-175b --layout tp=8,pp=16,dp=8
expect_plain_error "no reference fabric 'h100'" fabrics h100
expect_plain_error "--out needs a fabric name" fabrics --out "$dir/out.json"
expect_error "ref:h100-ndr-ib and $fixtures/plot/fast/calibration.json share no fit" \
  compare ref:h100-ndr-ib "$fixtures/plot/fast/calibration.json"
expect_error "bad size '12Q'" run --sizes 4,12Q
expect_error "bad size 'lots'" run -b lots
expect_error "--min-bytes (1048576) is larger than --max-bytes (1024)" run -b 1M -e 1K
expect_error "--buffer-sets 4 rotates buffers: it needs --buffers cold" run --sizes 64 --buffer-sets 4
expect_error "--buffers: lukewarm not in {hot,cold}" run --sizes 64 --buffers lukewarm
expect_error "size 6 bytes is not a whole number of float64 elements" run --sizes 8,6 -d float64
expect_error "unknown data type 'float128'" run --sizes 8 -d float128
expect_error "unknown reduction op 'avg'" run --sizes 8 -o avg
expect_error "unknown pattern 'allscatter'" run --pattern allscatter --sizes 8
expect_error "--step-factor must be at least 2" run -f 1
expect_error "--check" run --sizes 8 -c 2
expect_error "--timeout must be > 0" run --sizes 8 --timeout 0
expect_error "--malloc: lukewarm not in {pinned,dynamic}" run --sizes 8 --malloc lukewarm
# A pattern's options given with another pattern would be ignored: refused, naming the owner.
expect_error "--root applies to --pattern bcast or reduce, not allreduce" run --sizes 8 --root 1
expect_error "--schedule applies to --pattern pipeline, not allreduce" run --sizes 8 --schedule gpipe
expect_error "--routing applies to --pattern alltoall, not bcast" run --pattern bcast --sizes 8 --routing topk
# Files that are not what a command reads: exit 2 naming the file, never an internal error.
mkdir -p "$dir/adir"
echo '{"kind": "results", "schema_version": 1, "results": [{"pattern": 3}]}' >"$dir/broken.json"
echo '{"kind": "calibration", "schema_version": 1, "fits": [{"pattern": "allreduce"}]}' >"$dir/cal.json"
echo '{"kind": "results", "schema_version": 1, "results": [' >"$dir/cut.json"
expect_error "cannot read results report $dir/adir: it is a directory" fit "$dir/adir"
expect_error "$dir/broken.json is malformed" fit "$dir/broken.json"
expect_error "results report $dir/cut.json is not valid JSON" fit "$dir/cut.json"
expect_error "cannot read file $dir/adir: it is a directory" compare "$dir/adir" "$dir/broken.json"
expect_error "size 0 measures nothing" run --sizes 0
# Levels and the pair matrix (one process: one rank on one host).
expect_error "--pattern pairs measures rank pairs: it needs at least 2 ranks, not 1" run --pattern pairs
expect_error "--pairs-sample applies to --pattern pairs only" run --sizes 8 --pairs-sample 3
expect_error "--pairs-sample must be >= 0" run --pattern pairs --pairs-sample -1
expect_error "--pairs-repeats must be 1..1000, not 0" run --pattern pairs --pairs-repeats 0
expect_error "--pairs-repeats applies to --pattern pairs only" run --sizes 8 --pairs-repeats 3
expect_error "takes the median of at least 5 latency samples per pair and repeat: -n 3 is fewer" run --pattern pairs -n 3
expect_error "--rank-stat does not apply to --pattern pairs" run --pattern pairs --rank-stat avg
expect_error "--rank-stat: median not in {max,avg,min,rank0}" run --sizes 8 --rank-stat median
expect_error "--scope node does not apply to --pattern pairs" run --pattern pairs --scope node
expect_error "--scope node runs the pattern among the ranks of each host, but every host holds one rank" run --scope node --sizes 8
expect_error "--scope leaders runs the pattern among one rank per host, but all 1 ranks are on one host" run --scope leaders --sizes 8
expect_error "--scope: bogus not in {world,node,leaders}" run --scope bogus --sizes 8
expect_plain_error "--out $dir is a directory" topo --out "$dir"
expect_error "--level must be one of self, numa, socket, node, network, not 'intra-node'" calibrate --level intra-node
# The NCCL backend: options that need it, and no GPU (this machine: "no CUDA device", once MPI
# is up, on every rank) or no backend in this build (the sanitizer build) named as such.
expect_error "--backend: bogus not in {mpi,nccl}" run --backend bogus --sizes 8
expect_error "--cuda-graph captures device work: it needs --backend nccl" run --cuda-graph --sizes 8
expect_error "--pattern pairs measures over MPI: --backend nccl and --cuda-graph do not apply" run --pattern pairs --backend nccl
expect_error "--backend nccl: " run --backend nccl --sizes 8
if ! grep -qE "no CUDA device|this hockney has no NCCL backend" "$dir/stderr"; then
  echo "FAIL: --backend nccl did not say what is missing:"; cat "$dir/stderr"; failures=$((failures + 1))
fi
"$here/mpirun.sh" 2 "$hockney" run --backend nccl --sizes 8 --out "$dir/out.json" >"$dir/stdout" 2>"$dir/stderr"
rc=$?
if [ "$rc" -ne 2 ] || ! grep -qE -- "--backend nccl: (rank 0 on host .*: no CUDA device|this hockney has no NCCL backend)" "$dir/stderr" ||
  ! cmp -s "$dir/out.json" "$dir/before.json" || [ -e "$dir/out.json.jsonl" ]; then
  echo "FAIL: --backend nccl on 2 ranks: rc=$rc"; cat "$dir/stderr"; failures=$((failures + 1))
else
  echo "ok: --backend nccl on 2 ranks -> $(grep -m1 -- '--backend nccl' "$dir/stderr")"
fi
"$hockney" calibrate --backend nccl --out "$dir/cal-nccl" --budget 5 >"$dir/stdout" 2>"$dir/stderr"
rc=$?
if [ "$rc" -ne 2 ] || ! grep -qE -- "--backend nccl: (rank 0 on host .*: no CUDA device|this hockney has no NCCL backend)" "$dir/stderr" ||
  [ -e "$dir/cal-nccl/results.json.jsonl" ] || [ -e "$dir/cal-nccl/calibration.json" ]; then
  echo "FAIL: calibrate --backend nccl: rc=$rc"; cat "$dir/stderr"; ls "$dir/cal-nccl" 2>/dev/null; failures=$((failures + 1))
else
  echo "ok: calibrate --backend nccl -> $(grep -m1 -- '--backend nccl' "$dir/stderr")"
fi
# More pairs asked for than 2 ranks have.
"$here/mpirun.sh" 2 "$hockney" run --pattern pairs --pairs-sample 2 --out "$dir/out.json" \
  >"$dir/stdout" 2>"$dir/stderr"
if ! grep -qF -- "--pairs-sample 2 is more than the 1 pairs of 2 ranks" "$dir/stderr" ||
  ! cmp -s "$dir/out.json" "$dir/before.json"; then
  echo "FAIL: --pairs-sample 2 on 2 ranks:"; cat "$dir/stderr"; failures=$((failures + 1))
else
  echo "ok: --pairs-sample 2 on 2 ranks -> $(grep -F -- --pairs-sample "$dir/stderr" | head -n1)"
fi
expect_error "size 18446744073709551612 bytes is larger than this host's memory" run --sizes 18446744073709551612
expect_error "size 1152921504606846976 bytes is larger than this host's memory" run --pattern pipeline --sizes 1073741824G
expect_error "--iters" run --sizes 8 -n 99999999999999999999
expect_error "unknown subcommand 'frobnicate' (available: run, list" frobnicate
# hockney plan: what the layout cannot take, what does not fit, what is unknown.
plan=(plan --calibration ref:a100-node --model gpt3-175b --gpu-type a100-80gb --global-batch 1536)
expect_error "needs 81.4 GB per GPU" "${plan[@]}" --layout tp=8,pp=16,dp=8
expect_error "96 heads, not divisible by tp=7" "${plan[@]}" --layout tp=7,pp=16,dp=8 --recompute full
expect_error "unknown --gpu-type 'v100' (known: a100-40gb" plan --calibration ref:a100-node --model gpt3-175b --gpu-type v100 --layout tp=8,pp=16,dp=8
expect_error "--recompute must be none, selective or full" "${plan[@]}" --layout tp=8,pp=16,dp=8 --recompute some
expect_error "not divisible by pp·interleave" "${plan[@]}" --layout tp=8,pp=16,dp=8 --recompute full --interleave 5
expect_error "--compute-efficiency: must be a fraction in (0, 1], not 1.5" "${plan[@]}" --layout tp=8,pp=16,dp=8 --recompute full --compute-efficiency 1.5
expect_error "unknown model 'gpt-9'" plan --calibration ref:a100-node --model gpt-9 --gpu-type h100 --layout tp=8
# The search (--gpus): one mode at a time, fabrics named, and a request nothing fits.
expect_error "give --layout (one layout) or --gpus N[,N...] (search every layout), not both" "${plan[@]}" --layout tp=8,pp=16,dp=8 --gpus 64
expect_error "not neither" plan --calibration ref:a100-node --model gpt3-175b --gpu-type h100
expect_error "--gpus takes GPU counts separated by commas, not '64,x'" "${plan[@]}" --gpus 64,x
expect_error "--fabric takes NAME=CALIBRATION" plan --model gpt3-175b --gpu-type h100 --gpus 64 --fabric ref:a100-node
expect_error "--fabric a is named twice" plan --model gpt3-175b --gpu-type h100 --gpus 64 --fabric a=ref:a100-node --fabric a=ref:h100-ndr-ib
expect_error "no layout of GPT-3 175B fits 8 GPUs of 40 GB (A100-SXM4-40GB): the smallest needs" plan --calibration ref:a100-node --model gpt3-175b --gpu-type a100-40gb --gpus 8 --global-batch 64
# Nonsense that used to be accepted (issue 28): an infinite or meaningless capacity factor, one
# size twice or none, a pattern hockney does not know, one report fitted twice, a FIFO, and an
# --out that is the model file.
expect_error "--capacity-factor: must be a finite number, not inf" project --calibration ref:h100-ndr-ib --model switch-c --layout tp=1,pp=1,dp=64,ep=64 --capacity-factor inf
expect_error "--capacity-factor 1e+300 must be in (0, 2048] for Switch-C" project --calibration ref:h100-ndr-ib --model switch-c --layout tp=1,pp=1,dp=64,ep=64 --global-batch 2048 --capacity-factor 1e300
expect_error "--capacity-factor: must be a finite number, not inf" run -p alltoall --routing topk --capacity-factor inf --sizes 4K
expect_error "--capacity-factor 100 is more than the 4 experts" run -p alltoall --routing topk --experts 4 --top-k 1 --capacity-factor 100 --sizes 4K
expect_error "--sizes names 8 bytes twice (8 and 8)" run --sizes 8,8
expect_error "--sizes names 1024 bytes twice (1K and 1024)" run --sizes 1K,1024
expect_error "--sizes is empty" run --sizes ''
sed 's/"pattern": "allreduce"/"pattern": "bogus"/' "$fixtures/plot/fast/results.json" >"$dir/bogus.json"
expect_error "a row's pattern 'bogus' is not one hockney knows" fit "$dir/bogus.json"
expect_error "is given twice" fit "$fixtures/plot/fast/results.json" "$fixtures/plot/fast/results.json"
mkfifo "$dir/fifo.json"
expect_error "not a regular file (a FIFO, socket or device)" fit "$dir/fifo.json"
expect_error "--out $dir/out.json is one of the inputs" project --calibration ref:h100-ndr-ib --model "$dir/out.json" --layout tp=8,pp=16,dp=8
expect_error "--out $dir/out.json is one of the inputs" plan --calibration ref:h100-ndr-ib --model "$dir/out.json" --layout tp=8,pp=16,dp=8 --gpu-type h100
expect_error "--out $dir/out.json is one of the inputs" compare ref:h100-ndr-ib ref:h100-gcp-a3mega --model "$dir/out.json" --layout tp=8,pp=16,dp=8
# tune: what it cannot tune is said, nothing is written.
expect_error "tune needs --format ompi-rules or nccl-tuner" tune "$fixtures/plot/fast/results.json"
expect_error "no mpi vendor variants in $fixtures/plot/fast/results.json: measure with --backend mpi --algo vendor:all" tune "$fixtures/plot/fast/results.json" --format ompi-rules
expect_error "is given twice" tune "$fixtures/plot/fast/results.json" "$fixtures/plot/fast/results.json" --format ompi-rules
expect_error "--format: ompi not in {ompi-rules,nccl-tuner}" tune "$fixtures/plot/fast/results.json" --format ompi
expect_error "is not a results report" tune "$fixtures/plot/fast/calibration.json" --format ompi-rules
expect_error "unknown allreduce algorithm 'vendorring'" run --algo vendorring --sizes 8
expect_error "allreduce/vendor: name a variant after 'vendor:'" run --algo vendor: --sizes 8
expect_error "sendrecv/vendor:ring: the mpi backend's library has no collective for sendrecv" run -p sendrecv --algo vendor:ring --sizes 8
expect_error "offers no such algorithm of MPI_Allreduce (it offers: basic_linear" run --algo vendor:warp --sizes 8
# OSU logs: an edited row that is no whole number of elements, --ranks for a two-rank test,
# --ranks 0 said plainly.
sed 's/^4 /7 /' "$fixtures/import/osu-7.5-allreduce-int.txt" >"$dir/osu-7.txt"
expect_error "size 7 B is not a whole number of int32 elements (4 B each)" import osu "$dir/osu-7.txt" --ranks 4
expect_error "sendrecv is a test between 2 ranks; --ranks 5 does not describe it" import osu "$fixtures/import/osu-5.6-latency.txt" --ranks 5
expect_error "--ranks: must be a whole number of ranks, at least 1, not 0" import osu "$fixtures/import/osu-5.6-latency.txt" --ranks 0
expect_error "--capacity-factor: must be positive, not -1" project --calibration "$dir/cal.json" --model gpt3-175b --layout tp=8,pp=16,dp=8 --capacity-factor -1
expect_error "--global-batch: must be positive, not 0" project --calibration "$dir/cal.json" --model gpt3-175b --layout tp=8,pp=16,dp=8 --global-batch 0
expect_error "--seq-len: must be positive, not -5" project --calibration "$dir/cal.json" --model gpt3-175b --layout tp=8,pp=16,dp=8 --seq-len -5
expect_error "GPUs is more than hockney projects" project --calibration "$dir/cal.json" --model gpt3-175b --layout tp=8,pp=16,dp=2000000000
printf '{"name": "m", "params": 1e9, "layers": 96.5, "d_model": 4096, "heads": 32, "ffn": 16384, "seq_len": 2048, "vocab": 50000}' >"$dir/model.json"
expect_plain_error "field 'layers' must be a whole number, not 96.5" models "$dir/model.json"
sed -e 's/96.5/24/; s/"d_model": 4096/"d_model": 1e15/' "$dir/model.json" >"$dir/model2.json"
expect_plain_error "field 'd_model' = 1e+15 is out of range" models "$dir/model2.json"
expect_error "$dir/cal.json is malformed" project --calibration "$dir/cal.json" --model gpt3-175b --layout tp=8,pp=16,dp=8
# A calibration whose numbers cannot be prices is refused on load by every command that reads
# one, naming the fit and the field: a negative alpha or beta, a level that is none; a beta that
# is not finite cannot be written in JSON (1e999 is refused as it is parsed, naming the number).
good="$here/../fixtures/plot/fast/calibration.json"
sed -e '0,/"alpha_s": [^,]*/s//"alpha_s": -2e-06/' "$good" >"$dir/neg.json"
sed -e '0,/"beta_s_per_byte": [^,]*/s//"beta_s_per_byte": -1e-10/' "$good" >"$dir/negb.json"
sed -e '0,/"beta_s_per_byte": [^,]*/s//"beta_s_per_byte": 1e999/' "$good" >"$dir/inf.json"
sed -e '0,/"level": "network"/s//"level": "nvlink"/' "$good" >"$dir/lvl.json"
expect_error "fit: alpha_s is -2e-06: it must be finite and >= 0" replay --calibration "$dir/neg.json" --model megatron-8.3b --layout tp=2,pp=1,dp=1 --global-batch 8
for cmd in project compare; do
  for bad in neg negb inf lvl; do
    case $bad in
      neg) want="fit: alpha_s is -2e-06: it must be finite and >= 0" ;;
      negb) want="fit: beta_s_per_byte is -1e-10: it must be finite and >= 0" ;;
      inf) want="number overflow parsing '1e999'" ;;
      lvl) want="level \"nvlink\" is not a link level" ;;
    esac
    if [ "$cmd" = project ]; then
      expect_error "$want" project --calibration "$dir/$bad.json" --model gpt3-175b --layout tp=8,pp=16,dp=8
    else
      expect_error "$want" compare "$good" "$dir/$bad.json"
    fi
  done
done
# No command writes over one of its inputs.
cp "$dir/broken.json" "$dir/input.json"
"$hockney" fit "$dir/input.json" --out "$dir/input.json" >"$dir/stdout" 2>"$dir/stderr"
rc=$?
if [ "$rc" -ne 2 ] || ! grep -qF "is one of the inputs" "$dir/stderr" || ! cmp -s "$dir/input.json" "$dir/broken.json"; then
  echo "FAIL: fit --out INPUT: rc=$rc"; cat "$dir/stderr"; failures=$((failures + 1))
else
  echo "ok: fit --out INPUT -> $(head -n1 "$dir/stderr")"
fi
# A documented parameter count far from what the dims give is warned about, as for the catalog.
sed -e 's/96.5/24/; s/"params": 1e9/"params": 1e30/' "$dir/model.json" >"$dir/model3.json"
if "$hockney" models "$dir/model3.json" >"$dir/stdout" 2>"$dir/stderr" &&
   grep -qF "the documented 1e+30" "$dir/stderr"; then
  echo "ok: models with params 1e30 -> $(head -n1 "$dir/stderr")"
else
  echo "FAIL: no parameter mismatch warning"; cat "$dir/stderr"; failures=$((failures + 1))
fi
# Under mpirun (with a second argument "mpi"): every rank stops, one message, non-zero exit.
if [ "${2:-}" != mpi ]; then
  [ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
  exit 0
fi
"$here/mpirun.sh" 2 "$hockney" run --algo nope --sizes 8 --out "$dir/out.json" >"$dir/stdout" 2>"$dir/stderr"
rc=$?
n=$(grep -c "unknown allreduce algorithm 'nope'" "$dir/stderr")
if [ "$rc" -ne 2 ] || [ "$n" -ne 1 ]; then
  echo "FAIL: under mpirun rc=$rc (want 2) with $n messages"; cat "$dir/stderr"; failures=$((failures + 1))
else
  echo "ok: under mpirun, rc=$rc, one message"
fi
# A usage error found under MPI is said before MPI_Finalize: with rank 0 lingering after it
# (tests/mpi/linger_after_finalize.cc) rank 1 exits 2 first and mpirun stops rank 0, and the
# message said after finalizing was lost, "interrupted by SIGTERM" in its place (CI saw it).
if [ -n "${3:-}" ]; then
  "$here/mpirun.sh" 2 -x LD_PRELOAD="$3" "$hockney" run --pattern alltoall --routing topk \
    --experts 1000000000 --sizes 4096 --out "$dir/out.json" >"$dir/stdout" 2>"$dir/stderr"
  rc=$?
  if [ "$rc" -ne 2 ] || ! grep -qF "GB for the router's 1000000000 experts" "$dir/stderr" ||
    grep -qF "interrupted" "$dir/stderr"; then
    echo "FAIL: a usage error with rank 0 lingering after MPI_Finalize: rc=$rc (want 2)"
    cat "$dir/stderr"; failures=$((failures + 1))
  else
    echo "ok: the usage error is said before MPI_Finalize (rank 0 lingering after it)"
  fi
fi
# Layouts that cannot exist on the job's ranks are refused before anything is measured.
expect_job_error() {  # expect_job_error NP "message fragment" args...
  local np=$1 want=$2
  shift 2
  "$here/mpirun.sh" "$np" "$hockney" "$@" --out "$dir/out.json" >"$dir/stdout" 2>"$dir/stderr"
  local rc=$?
  if [ "$rc" -ne 2 ] || ! grep -qF -- "$want" "$dir/stderr"; then
    echo "FAIL: np=$np $* rc=$rc (want 2), expected '$want' in:"; cat "$dir/stderr"; failures=$((failures + 1))
  elif [ -e "$dir/out.json.jsonl" ]; then
    echo "FAIL: $* left a checkpoint"; failures=$((failures + 1))
  else
    echo "ok: np=$np $* -> $(grep -F -- "$want" "$dir/stderr" | head -n1)"
  fi
}
expect_job_error 4 "--stages 5 needs at least 5 ranks, not 4" run --pattern pipeline --stages 5 --sizes 64
expect_job_error 4 "--servers must be at least 1, not 0" run --pattern ps --servers 0 --sizes 64
expect_job_error 2 "--top-k 3 is more than the 2 experts" run --pattern alltoall --routing topk --top-k 3 --sizes 4096
# What the MoE router would build or send is bounded by the job's memory before it is built
# (1e9 experts grew memory until killed; 1e6 experts and --top-k 1e6 drew without end).
expect_job_error 2 "GB for the router's 1000000000 experts" run --pattern alltoall --routing topk --experts 1000000000 --sizes 4096
expect_job_error 2 "sent and as much received with --top-k 1000000)" run --pattern alltoall --routing topk --experts 1000000 --top-k 1000000 --sizes 1M
expect_job_error 2 "alltoall/bruck cannot run here" run --pattern alltoall --algo bruck --routing topk --sizes 4096
expect_job_error 2 "--peers 0,5 must be two different ranks of 2" run --pattern sendrecv --peers 0,5 --sizes 64
expect_job_error 6 "size 12 bytes is less than the smallest reduce_scatter unit on 6 ranks" run --pattern reduce_scatter --sizes 12
expect_job_error 2 "less than the smallest alltoall unit on 2 ranks (one token" run --pattern alltoall --routing topk --hidden 64 --sizes 128
# A size whose buffers cannot fit in this host's memory is refused on every rank, naming the figures.
half=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) * 1024 / 2 / 4 * 4 ))
expect_job_error 2 "GB available per rank: choose smaller sizes" run --sizes "$half"
# Resuming a checkpoint of another run (here: another rank count) is refused, naming the field.
"$here/mpirun.sh" 2 "$hockney" run --algo ring --sizes 64 -n 2 -w 0 --out "$dir/np2.json" >/dev/null 2>&1
/usr/bin/python3 - "$dir/np2.json" "$dir/dead.json.jsonl" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:  # what a killed 2-rank job leaves: its header and a row
    f.write(json.dumps({"checkpoint_of": {"pattern": "allreduce", "ranks": 2}}) + "\n")
    f.write(json.dumps(report["results"][0]) + "\n")
PY
cp "$dir/dead.json.jsonl" "$dir/dead.before"
"$here/mpirun.sh" 3 "$hockney" run --algo ring --sizes 64,1024 -n 3 -w 0 --resume \
  --out "$dir/dead.json" >"$dir/stdout" 2>"$dir/stderr"
rc=$?
if [ "$rc" -ne 2 ] || ! grep -qF "belongs to another run" "$dir/stderr" ||
   ! grep -qF "its ranks is 2, this run's is 3" "$dir/stderr" ||
   ! cmp -s "$dir/dead.json.jsonl" "$dir/dead.before" || [ -e "$dir/dead.json" ]; then
  echo "FAIL: resume at another rank count: rc=$rc"; cat "$dir/stderr"; failures=$((failures + 1))
else
  echo "ok: resume at another rank count -> $(grep -F "belongs" "$dir/stderr" | head -n1)"
fi
# A pipeline that leaves ranks idle says so.
if "$here/mpirun.sh" 3 "$hockney" run --pattern pipeline --stages 2 --sizes 64 -n 2 -w 0 \
     --out "$dir/pipe.json" >"$dir/stdout" 2>"$dir/stderr" &&
   grep -qF "ranks 2..2 idle" "$dir/stdout" && grep -qF "ranks 2..2 idle" "$dir/pipe.json"; then
  echo "ok: pipeline idle ranks are named in the table and the report"
else
  echo "FAIL: no note of idle pipeline ranks"; cat "$dir/stdout" "$dir/stderr"; failures=$((failures + 1))
fi
# A crash that leaves an empty checkpoint does not block the next run.
: >"$dir/empty.json.jsonl"
if "$here/mpirun.sh" 2 "$hockney" run --sizes 8 -n 2 -w 0 --algo ring --out "$dir/empty.json" >"$dir/stdout" 2>"$dir/stderr" &&
   grep -qF "held no measured point" "$dir/stdout"; then
  echo "ok: an empty checkpoint is replaced, with a note"
else
  echo "FAIL: empty checkpoint blocked the run"; cat "$dir/stdout" "$dir/stderr"; failures=$((failures + 1))
fi

cmp -s "$dir/out.json" "$dir/before.json" || { echo "FAIL: out.json changed"; failures=$((failures + 1)); }
[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
