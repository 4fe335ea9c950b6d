#!/usr/bin/env bash
# Run a dcsim scenario on a Slurm cluster as a job array of shards plus one
# merge job, from the submit host:
#
#   deploy/slurm/submit.sh scenarios/kakao-2022.toml --shards 16 -n 100000
#   deploy/slurm/submit.sh --rerun results/slurm/kakao-2022/20261201T141500Z
#
# Each submission gets its own run directory,
# RESULTS/slurm/NAME/RUNID (RUNID is the UTC time of submission), holding
#   run.env          what was submitted (scenario copy, seed, replications, shards, dcsim)
#   jobs             the Slurm job ids, one "array ID" or "merge ID" line per submission
#   input/           the scenario as submitted, so later edits cannot mix into the run
#   slurm/           the scripts the jobs run
#   shards/NNNNN/    one dcsim result per shard (NNNNN.partial while running)
#   logs/            shard-I.log per task (appended across reruns), merge-JOBID.log
#   result/          the merged result: exactly what one unsharded run writes
# and RESULTS/slurm/NAME/latest points at the last run that merged.
#
# The array is --array=0-(N-1) and every task gets DCSIM_SHARDS=N, so its
# task id is its shard index. The merge is submitted with
# --dependency=afterany on the array: it runs however the tasks end, and if
# a shard is missing it lists it (state, end of its log) and exits 1.
# --rerun RUN resubmits only the shards of RUN that did not complete (as a
# list array, e.g. --array=3,7) and a new merge; finished shards are kept.
#
# The dcsim binary and the results directory must be visible at the same
# paths on the compute nodes (a shared filesystem), as is usual on clusters.
# Arguments after "--" go to both sbatch calls (e.g. -- --partition=short
# --account=proj). Prints run_dir=, array_job= and merge_job= lines.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() {
  cat <<USAGE
usage: $0 [options] SCENARIO [-- SBATCH_ARGS...]
       $0 --rerun RUN_DIR [options] [-- SBATCH_ARGS...]
options:
  -s, --shards N         array tasks, one shard each (default 16)
  -n, --replications R   replications of the whole run (default: the scenario's)
      --seed S           seed (default: the scenario's)
      --max-parallel M   at most M tasks at once (sbatch --array=...%M)
      --results DIR      results root (default: \$DCSIM_RESULTS or results)
      --dcsim PATH       dcsim binary (default: \$DCSIM, else dcsim on PATH)
      --cpus C           CPUs per task, also dcsim --workers (default 2)
      --time T           time limit per task (default 01:00:00)
      --mem M            memory per task (default 2G)
      --merge-time T     time limit of the merge (default 00:30:00)
      --merge-mem M      memory of the merge (default 4G)
      --no-plots         merge without plots and report.html
  -h, --help
USAGE
}
die() { echo "submit.sh: $*" >&2; exit 2; }

# resolve_dcsim NAME_OR_PATH: the binary's absolute path.
resolve_dcsim() {
  local d=$1
  if [[ $d != */* ]]; then
    d=$(command -v "$d") || die "dcsim not found on PATH: go install github.com/dcsim/dcsim/cmd/dcsim@latest, or pass --dcsim PATH"
  fi
  [ -f "$d" ] && [ -x "$d" ] || die "$d is not an executable file"
  echo "$(cd "$(dirname "$d")" && pwd)/$(basename "$d")"
}

# write_env RUN: records the run's settings, read by the jobs.
write_env() {
  {
    printf 'SCENARIO=%q\n' "$SCENARIO"
    printf 'NAME=%q\n' "$NAME"
    printf 'SHARDS=%q\n' "$SHARDS"
    printf 'REPLICATIONS=%q\n' "$REPLICATIONS"
    printf 'SEED=%q\n' "$SEED"
    printf 'PLOTS=%q\n' "$PLOTS"
    printf 'DCSIM=%q\n' "$DCSIM"
    printf 'SUBMITTED=%q\n' "$SUBMITTED"
  } >"$1/run.env.new"
  mv "$1/run.env.new" "$1/run.env"
}

shards=16 reps= seed= maxpar= results=${DCSIM_RESULTS:-results} dcsim=${DCSIM:-dcsim} newdcsim=
cpus=2 time=01:00:00 mem=2G mtime=00:30:00 mmem=4G plots=1 rerun= scenario=
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    -s | --shards) shards=${2:?}; shift ;;
    -n | --replications) reps=${2:?}; shift ;;
    --seed) seed=${2:?}; shift ;;
    --max-parallel) maxpar=${2:?}; shift ;;
    --results) results=${2:?}; shift ;;
    --dcsim) dcsim=${2:?} newdcsim=1; shift ;;
    --cpus) cpus=${2:?}; shift ;;
    --time) time=${2:?}; shift ;;
    --mem) mem=${2:?}; shift ;;
    --merge-time) mtime=${2:?}; shift ;;
    --merge-mem) mmem=${2:?}; shift ;;
    --no-plots) plots=0 ;;
    --rerun) rerun=${2:?}; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    -*) usage >&2; die "unknown option $1" ;;
    *) [ -z "$scenario" ] || die "one scenario only (got $scenario and $1)"; scenario=$1 ;;
  esac
  shift
done
for v in "shards:$shards" "cpus:$cpus" ${maxpar:+"max-parallel:$maxpar"} ${reps:+"replications:$reps"}; do
  [[ ${v#*:} =~ ^[1-9][0-9]*$ ]] || die "--${v%%:*} must be a positive whole number, got ${v#*:}"
done
[ -z "$seed" ] || [[ $seed =~ ^[0-9]+$ ]] || die "--seed must be a whole number, got $seed"
command -v sbatch >/dev/null 2>&1 || die "sbatch not found: run this on a Slurm submit host"

if [ -n "$rerun" ]; then
  [ -z "$scenario" ] || die "--rerun takes the run directory, not a scenario"
  run=$(cd "$rerun" && pwd) || die "no run directory $rerun"
  [ -f "$run/run.env" ] || die "$run is not a run directory of submit.sh (no run.env)"
  # shellcheck source=/dev/null
  . "$run/run.env"
  shards=$SHARDS plots=$PLOTS
  if [ -n "$newdcsim" ]; then # a rebuilt or moved binary for the rerun
    DCSIM=$(resolve_dcsim "$dcsim")
    write_env "$run"
  fi
  . "$run/slurm/shards.sh"
  mapfile -t todo < <(missing_shards "$run" "$shards")
  if [ ${#todo[@]} -eq 0 ] && [ -f "$run/result/manifest.json" ]; then
    echo "submit.sh: every shard of $run is complete and merged; nothing to do" >&2
    echo "run_dir=$run"
    exit 0
  fi
  ids=$(IFS=,; echo "${todo[*]}")
else
  [ -n "$scenario" ] || { usage >&2; die "no scenario"; }
  [ -f "$scenario" ] || die "no scenario file $scenario"
  dcsim=$(resolve_dcsim "$dcsim")
  # Validate on the submit host: bad input fails here, not in N queued tasks.
  if ! check=$("$dcsim" validate "$scenario" 2>&1); then
    echo "$check" >&2
    exit 2
  fi
  name=$(sed -n 's/.*scenario "\([^"]*\)".*/\1/p' <<<"$check" | head -n 1)
  [ -n "$name" ] || die "could not read the scenario's name from: $check"
  mkdir -p "$results/slurm/$name"
  base=$(cd "$results/slurm/$name" && pwd)
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  run=$base/$stamp
  k=1
  until mkdir "$run" 2>/dev/null; do k=$((k + 1)); run=$base/$stamp-$k; done
  mkdir -p "$run"/{input,slurm,shards,logs}
  cp "$scenario" "$run/input/"
  cp "$here/shards.sh" "$here/dcsim-shard.sbatch" "$here/dcsim-merge.sbatch" "$run/slurm/"
  SCENARIO=$run/input/$(basename "$scenario") NAME=$name SHARDS=$shards REPLICATIONS=$reps SEED=$seed
  PLOTS=$plots DCSIM=$dcsim SUBMITTED=$stamp
  write_env "$run"
  ids=0-$((shards - 1))
fi

common=(--parsable --export="ALL,DCSIM_RUN_DIR=$run,DCSIM_SHARDS=$shards" "${extra[@]}")
name=$(. "$run/run.env"; echo "$NAME")
array= after=()
if [ -n "$ids" ]; then
  array=$(sbatch "${common[@]}" --job-name="dcsim-$name" --array="$ids${maxpar:+%$maxpar}" \
    --cpus-per-task="$cpus" --mem="$mem" --time="$time" \
    --output="$run/logs/shard-%a.log" --open-mode=append \
    "$run/slurm/dcsim-shard.sbatch")
  array=${array%%;*}
  echo "array $array" >>"$run/jobs"
  after=(--dependency="afterany:$array" --kill-on-invalid-dep=yes)
fi
merge=$(sbatch "${common[@]}" --job-name="dcsim-$name-merge" "${after[@]}" \
  --cpus-per-task=1 --mem="$mmem" --time="$mtime" --output="$run/logs/merge-%j.log" \
  "$run/slurm/dcsim-merge.sbatch" "$run" "$array")
merge=${merge%%;*}
echo "merge $merge" >>"$run/jobs"
if [ -n "$array" ]; then
  echo "submit.sh: shards $ids of $shards as job $array; merge as job $merge once the array ends, however it ends" >&2
else
  echo "submit.sh: every shard is complete; merge as job $merge" >&2
fi
echo "run_dir=$run"
echo "array_job=$array"
echo "merge_job=$merge"
