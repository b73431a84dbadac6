#!/bin/bash
# Queries a database whose segment does not fit in the memory it is given:
# runs `semhash query` in a memory cgroup limited to LIMIT_MB (the page cache
# of the mapped segment is charged to it, so at most that much of the base
# stays cached), after evicting the database's pages, and again without a
# limit with the pages cached, in the same run. Prints queries/s of each and
# their ratio, for the two-stage search and the exact scan.
#
#   tools/bench/limited_memory.sh SEMHASH DB QUERIES.npy LIMIT_MB [N] [N_EXACT]
#
# Root only (it makes a cgroup under /sys/fs/cgroup); cgroup v1 or v2. N
# queries (default 1000) for the two-stage search, N_EXACT (default 20) for
# the exact scan, one thread. docs/benchmarks.md has the figures.
set -euo pipefail

if [ $# -lt 4 ]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
semhash=$1 db=$2 queries=$3 limit_mb=$4 n=${5:-1000} n_exact=${6:-20}
python=/usr/bin/python3

if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  group=/sys/fs/cgroup/semhash-limited-$$
  mkdir "$group"
  echo $((limit_mb << 20)) > "$group/memory.max"
  echo 0 > "$group/memory.swap.max" 2>/dev/null || true
else
  group=/sys/fs/cgroup/memory/semhash-limited-$$
  mkdir "$group"
  echo $((limit_mb << 20)) > "$group/memory.limit_in_bytes"
fi
trap 'rmdir "$group" 2>/dev/null || true' EXIT

evict() {
  "$python" - "$db" <<'EOF'
import os, sys
for directory, _, files in os.walk(sys.argv[1]):
    for name in files:
        fd = os.open(os.path.join(directory, name), os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
EOF
}

# Prints the seconds `semhash query` reports for its queries.
run() {  # limited|unlimited count extra-flags...
  local mode=$1 count=$2
  shift 2
  local command=("$semhash" query --db "$db" --codes "$queries" --count "$count"
                 --threads 1 --show 0 "$@")
  local out
  if [ "$mode" = limited ]; then
    out=$(sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$group" \
          "${command[@]}")
  else
    out=$("${command[@]}")
  fi
  echo "$out" | sed -n 's/^[0-9]* queries in \([0-9.]*\) s.*/\1/p'
}

segment_bytes=$(du -cb "$db"/segments/*.seg | tail -1 | cut -f1)
echo "segment: $((segment_bytes >> 20)) MiB; limit: $limit_mb MiB"
for search in two-stage exact; do
  count=$n flags=()
  if [ $search = exact ]; then count=$n_exact flags=(--exact); fi
  run unlimited "$count" "${flags[@]}" > /dev/null  # Warms the page cache.
  warm=$(run unlimited "$count" "${flags[@]}")
  evict
  limited=$(run limited "$count" "${flags[@]}")
  "$python" - "$search" "$count" "$warm" "$limited" <<'EOF'
import sys
search, count, warm, limited = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print(f"{search}: {count} queries, cached {count / warm:.1f} q/s, "
      f"limited (cold start) {count / limited:.1f} q/s, ratio {warm / limited:.3f}")
EOF
done
