# Sourced by the bench scripts: run NAME CMD times CMD $RUNS times and keeps
# the median wall time in WALL[NAME] and the largest peak RSS (KiB) in
# MEM[NAME]; $out is the scratch folder.
declare -A WALL MEM
run() {
    local name=$1 cmd=$2 ts=() m=0
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f '%e %M' -o "$out/time.txt" bash -c "$cmd" > /dev/null
        read -r t k < "$out/time.txt"
        ts+=("$t"); [ "$k" -gt "$m" ] && m=$k
    done
    WALL[$name]=$(printf '%s\n' "${ts[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
    MEM[$name]=$m
    printf '%-40s %7.2f s  %8.1f MiB\n' "$name" "${WALL[$name]}" "$(echo "$m / 1024" | bc -l)"
}
