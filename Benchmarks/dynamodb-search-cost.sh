#!/usr/bin/env bash
# What a search page costs on the DynamoDB store at a given number of teams: requests
# and items read per page (from the server's metrics), on serialised moto.
#
#   Benchmarks/dynamodb-search-cost.sh 2000 20000      (REQUESTS=200 pages each by default)
#
# Needs moto and boto3 (pip install 'moto[server]') and built binaries (BUILD=.build/debug
# by default: moto, not the build, bounds the time). For each size it writes the teams
# straight into a table of the earlier layout (names b0, b1, ... as `teams bench`
# seeds them; creating them through a server on moto takes too long), starts a server,
# which adds the stream and lists every team in the index once, waits for that, then
# runs `teams bench --seeded --mix search=100 --search-term-length 1-8` and reads
# dynamodb_search_pages_total, dynamodb_search_items_read_total and the Query and
# BatchGetItem requests. Every loop is bounded; progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-.build/debug}
sizes=("${@:-2000}")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
metric() { curl -s "http://127.0.0.1:$1/metrics" | awk -v name="$2" '$1 == name { print int($2); found=1 } END { if (!found) print 0 }'; }

for teams in "${sizes[@]}"; do
    moto_port=$(free_port); server_port=$(free_port); metrics_port=$(free_port)
    python3 scripts/moto-serialised -H 127.0.0.1 -p "$moto_port" >/dev/null 2>&1 &
    moto=$!
    trap 'kill $moto ${server:-} 2>/dev/null || true' EXIT
    for _ in $(seq 100); do curl -s "http://127.0.0.1:$moto_port" >/dev/null && break; sleep 0.1; done

    echo "writing $teams teams" >&2
    python3 - "http://127.0.0.1:$moto_port" "$teams" <<'PY'
import os, sys, boto3
endpoint, count = sys.argv[1], int(sys.argv[2])
db = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="local", aws_secret_access_key="local")
db.create_table(TableName="cost", BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
digits = "0123456789abcdefghijklmnopqrstuv"
def xid():
    value = int.from_bytes(os.urandom(12), "big") << 4  # 96 bits and 4 of zero padding
    return "".join(digits[(value >> (95 - 5 * i)) & 31] for i in range(20))
items = [{"PutRequest": {"Item": {"id": {"S": xid()}, "teamName": {"S": f"b{n}"}, "nameKey": {"S": f"b{n}"},
                                  "version": {"N": "1"}, "players": {"L": []}}}} for n in range(count)]
for start in range(0, count, 25):
    db.batch_write_item(RequestItems={"cost": items[start:start + 25]})
PY
    AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$moto_port" \
        "$BUILD/teams-server" --store dynamodb:cost --port "$server_port" --metrics-port "$metrics_port" --log-level info 2>/tmp/dynamodb-search-cost-server.log &
    server=$!
    for _ in $(seq 3600); do
        grep -q "the names index lists every team" /tmp/dynamodb-search-cost-server.log && break
        echo "  $(grep -o 'teams=[0-9]*' /tmp/dynamodb-search-cost-server.log | tail -1) listed in the index" >&2; sleep 5
    done

    before_pages=$(metric "$metrics_port" dynamodb_search_pages_total)
    before_items=$(metric "$metrics_port" dynamodb_search_items_read_total)
    before_queries=$(metric "$metrics_port" 'dynamodb_attempts_total{operation="Query"}')
    before_gets=$(metric "$metrics_port" 'dynamodb_attempts_total{operation="BatchGetItem"}')
    "$BUILD/teams" bench --server "127.0.0.1:$server_port" --teams "$teams" --seeded --mix search=100 --search-term-length 1-8 \
        --connections 1 --in-flight 2 --warmup 0s --requests "${REQUESTS:-200}" --timeout 300 >/dev/null
    pages=$(( $(metric "$metrics_port" dynamodb_search_pages_total) - before_pages ))
    items=$(( $(metric "$metrics_port" dynamodb_search_items_read_total) - before_items ))
    queries=$(( $(metric "$metrics_port" 'dynamodb_attempts_total{operation="Query"}') - before_queries ))
    gets=$(( $(metric "$metrics_port" 'dynamodb_attempts_total{operation="BatchGetItem"}') - before_gets ))
    python3 -c "print(f'$teams teams: {$pages} pages, {$items/$pages:.1f} items read, {$queries/$pages:.2f} Query and {$gets/$pages:.2f} BatchGetItem requests per page')"
    kill "$server" "$moto"; wait "$server" "$moto" 2>/dev/null || true
done
