# The PostgreSQL rows of bench/run (sourced by it): the order rows on one instance and on two
# instances sharing one database. Skipped, with the reason, when they cannot run here.

# A server to run on: $BENCH_DATABASE_URL, or a throwaway cluster in $WORK.
postgres_server() {
    if [ -n "${BENCH_DATABASE_URL:-}" ]; then
        PG_URL=$BENCH_DATABASE_URL
        return 0
    fi
    local bindir
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n1 || true)
    if [ -z "$bindir" ] && [ "$(id -u)" = 0 ]; then
        say "installing PostgreSQL from Debian's packages"
        apt-get update -qq && apt-get install -y -qq postgresql > /dev/null || true
        bindir=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n1 || true)
    fi
    if [ -z "$bindir" ]; then
        PG_SKIP="no PostgreSQL server: set BENCH_DATABASE_URL=postgres://... or install postgresql"
        return 1
    fi
    # initdb refuses to run as root; the cluster belongs to the postgres user then.
    local as=()
    if [ "$(id -u)" = 0 ]; then
        as=(runuser -u postgres --)
        chmod 755 "$WORK"
    fi
    local port=$((20000 + RANDOM % 20000))
    mkdir -p "$WORK/pg"
    [ "$(id -u)" = 0 ] && chown postgres "$WORK/pg"
    "${as[@]}" "$bindir/initdb" -D "$WORK/pg/data" -U postgres --auth=trust > "$WORK/pg/initdb.log" 2>&1 &&
        "${as[@]}" "$bindir/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w -t 30 \
            -o "-p $port -k $WORK/pg -c listen_addresses=127.0.0.1" start > /dev/null &&
        "${as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres bench || {
        PG_SKIP="could not start a throwaway PostgreSQL cluster (see $WORK/pg)"
        return 1
    }
    PG_STOP=("${as[@]}" "$bindir/pg_ctl" -D "$WORK/pg/data" -m fast -w stop)
    PG_URL=postgres://postgres@127.0.0.1:$port/bench
}

# measure_pair KEY LABEL: two wrk clients at once, 32 connections each, one per instance
# (connections dealt round-robin over the instances); latencies are the worse of the two.
measure_pair() {
    local key=$1 label=$2 a b ticks
    reset_peak "$PID_A"
    reset_peak "$PID_B"
    ticks=$((-$(cpu_ticks "$PID_A") - $(cpu_ticks "$PID_B")))
    timeout $((DURATION + 30)) wrk -t1 -c32 -d"${DURATION}s" --timeout 10s -s "$BENCH_LUA/order.lua" \
        "$URL_A/api/order" > "$WORK/wrk-a.out" 2>&1 &
    a=$!
    timeout $((DURATION + 30)) wrk -t1 -c32 -d"${DURATION}s" --timeout 10s -s "$BENCH_LUA/order.lua" \
        "$URL_B/api/order" > "$WORK/wrk-b.out" 2>&1 &
    b=$!
    wait "$a" "$b" || true
    local line
    line=$(grep -h '^BENCH' "$WORK/wrk-a.out" "$WORK/wrk-b.out" | sed 's/^BENCH //' | awk '
        { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1], NR] = kv[2] } }
        END {
            if (NR != 2) exit 1
            printf "BENCH rps=%.1f", v["rps", 1] + v["rps", 2]
            n = split("p50 p90 p99 max", worst, " ")
            for (i = 1; i <= n; i++) { k = worst[i]; m = v[k, 1] > v[k, 2] ? v[k, 1] : v[k, 2]; printf " %s=%d", k, m }
            printf " non2xx=%d sockerr=%d requests=%d\n", v["non2xx", 1] + v["non2xx", 2],
                v["sockerr", 1] + v["sockerr", 2], v["requests", 1] + v["requests", 2]
        }') || {
        say "wrk gave no result for $label"
        return
    }
    ticks=$((ticks + $(cpu_ticks "$PID_A") + $(cpu_ticks "$PID_B")))
    record "$key" "$label" 64 "$line" "$(calc "$(peak_mb "$PID_A") + $(peak_mb "$PID_B")" 1)" "$ticks"
}

# A change made through A (vendor created, key rotated, chaos started, chaos ended, in turn),
# timed until B shows it: pushed by LISTEN/NOTIFY. Latency columns only.
propagation_row() {
    local line
    line=$(FACTORY_ADMIN_KEY=$FACTORY_ADMIN_KEY "$EXAMPLES/bench_propagation" --a "$URL_A" --b "$URL_B" \
        --changes 100 | grep '^BENCH') || {
        say "bench_propagation gave no result"
        return
    }
    local changes p50 p90 p99 max
    eval "$(sed 's/^BENCH //; s/ /;/g' <<< "$line")"
    TABLE+=("$(printf '%-58s %5s %10s %8.2f %8.2f %8.2f %8.2f' \
        "PostgreSQL: a change on A seen on B ($changes changes)" 1 - "$(ms "$p50")" "$(ms "$p90")" \
        "$(ms "$p99")" "$(ms "$max")")")
}

# How many API keys instance $1 has looked up in the store so far (from its /metrics).
key_lookups() {
    curl -sf --max-time 5 -H "authorization: Bearer $FACTORY_ADMIN_KEY" "$1/metrics" |
        awk '/store_operation_duration_seconds_count.*vendor_by_key/ { n = $NF } END { print n + 0 }'
}

# A real vendor's orders on B while another client sends ~10,000 orders/s with random keys to B.
random_keys_row() {
    "$EXAMPLES/bench_random_keys" --url "$URL_B/api/order" --rate "${BENCH_RANDOM_RATE:-10000}" \
        --secs $((DURATION + 2)) > "$WORK/random.out" 2>&1 &
    local flood=$! before after
    sleep 1
    before=$(key_lookups "$URL_B")
    URL=$URL_B PID=$PID_B measure pg-random 'PostgreSQL: POST /api/order, random-key flood beside' 32 \
        order.lua /api/order
    after=$(key_lookups "$URL_B")
    wait "$flood" || true
    note "random-key flood on B: $(grep '^RANDOM' "$WORK/random.out" || echo 'no result'); store lookups during the row: $((after - before))"
}

postgres_rows() {
    PG_SKIP=""
    # Does this build take a postgres:// URL at all? An unreachable server tells without one.
    if start_factory pgprobe FACTORY_DATABASE_URL=postgres://bench@127.0.0.1:9/bench; then
        stop_factory "$PID"
    elif grep -qi 'no postgres' <<< "$START_ERROR"; then
        PG_SKIP="this build of the factory has no PostgreSQL store (it says: ${START_ERROR##*] })"
    fi
    [ -z "$PG_SKIP" ] && postgres_server
    if [ -n "$PG_SKIP" ]; then
        note "PostgreSQL rows skipped: $PG_SKIP"
        return
    fi
    if ! start_factory pg-a FACTORY_DATABASE_URL="$PG_URL"; then
        note "PostgreSQL rows skipped: the factory did not start on $PG_URL: $START_ERROR"
        [ -n "${PG_STOP[*]:-}" ] && "${PG_STOP[@]}" > /dev/null 2>&1
        return
    fi
    PID_A=$PID URL_A=$URL
    vendors --prefix pg --count 8 > "$WORK/pg.keys"
    BENCH_KEYS=$WORK/pg.keys
    measure pg-order1 'PostgreSQL: POST /api/order, 1 instance' 1 order.lua /api/order
    measure pg-order 'PostgreSQL: POST /api/order, 1 instance' 64 order.lua /api/order
    # The second instance starts after the vendors exist, so it loads them at start.
    if start_factory pg-b FACTORY_DATABASE_URL="$PG_URL"; then
        PID_B=$PID URL_B=$URL
        measure_pair pg-pair 'PostgreSQL: POST /api/order, 2 instances, round-robin'
        want pg-propagation && propagation_row
        want pg-random && random_keys_row
        stop_factory "$PID_B"
    else
        note "PostgreSQL two-instance row skipped: the second instance did not start: $START_ERROR"
    fi
    stop_factory "$PID_A"
    [ -n "${PG_STOP[*]:-}" ] && "${PG_STOP[@]}" > /dev/null 2>&1
    BENCH_KEYS=$WORK/plain.keys
}
