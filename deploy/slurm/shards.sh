# Sourced by submit.sh and dcsim-merge.sbatch: which shards of a run
# directory are missing. A shard is done when RUN/shards/NNNNN holds a
# manifest.json that says "complete": true (dcsim writes the final
# directory only when the shard finished; an interrupted one stays in
# NNNNN.partial).

# shard_dir RUN I: the output directory of shard I.
shard_dir() { printf '%s/shards/%05d' "$1" "$2"; }

# missing_shards RUN N: prints the indices in 0..N-1 not done, one a line.
missing_shards() {
  local i d
  for ((i = 0; i < $2; i++)); do
    d=$(shard_dir "$1" "$i")
    grep -Eqs '"complete": *true' "$d/manifest.json" || echo "$i"
  done
}
