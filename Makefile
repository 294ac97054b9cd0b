# TeamService: the two commands are `make run` and `make test`.
SWIFT ?= swift
# What the build needs: protobuf-c (runtime and compiler), SQLite, and pkg-config to find them.
BUILD_PACKAGES := protobuf-c-compiler libprotobuf-c-dev pkg-config libsqlite3-dev
# What the tests need besides: prometheus gives promtool and chromium renders the bench report,
# both for ObservabilityTests; openssl makes the tests' certificates; Go and protoc build and
# check the Go client; python3-venv installs the Python client in a fresh environment.
DEB_PACKAGES := $(BUILD_PACKAGES) python3 python3-venv prometheus chromium openssl \
	golang-go golang-google-protobuf-dev protobuf-compiler
ASAN_SCRATCH := .build-asan

.PHONY: deps build run test test-unit test-asan test-protocol-doc test-clients test-downstream test-fuzz test-generator check-generated generate bench bench-compare fuzz fuzz-build clean

## Install the Debian packages the build needs, if any is missing (needs root).
deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "make: installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

build:
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(BUILD_PACKAGES)"
	$(SWIFT) build -c release

## Start the server on 127.0.0.1:7070 (pass options with ARGS="--port 7171 --store memory").
run: build
	.build/release/teams-server $(ARGS)

## The whole test suite: generated code in sync, unit + end-to-end tests, the
## C bridge under AddressSanitizer, a client written from docs/PROTOCOL.md, the
## shipped Go and Python clients and the conformance scenarios every client passes.
test: deps check-generated test-generator test-unit test-asan test-protocol-doc test-clients test-fuzz
	@echo "make test: all passed"

## The Swift bridge generator on a small proto with every construct it carries, and its refusals.
test-generator: deps
	python3 Tests/Generator/test_bridge_generator.py

## Every `import` must be a declared dependency of its target (SwiftPM's explicit import check).
IMPORT_CHECK := --explicit-target-dependency-import-check error

test-unit:
	$(SWIFT) build --build-tests $(IMPORT_CHECK)
	$(SWIFT) test --skip-build

## The protoc-c bridge and the RPC layer under AddressSanitizer + LeakSanitizer.
## XCTest's own Swift allocations show up as leaks from swift_slowAlloc; that one
## frame is suppressed, every malloc leak (e.g. an unpacked message never freed) still fails.
test-asan:
	$(SWIFT) build --build-tests --sanitize=address --scratch-path $(ASAN_SCRATCH)
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan.supp ASAN_OPTIONS=detect_leaks=1 \
		$(SWIFT) test --skip-build --sanitize=address --scratch-path $(ASAN_SCRATCH) \
		--filter 'FuzzCorpusTests|RPCCoreTests|TeamsProtoTests|TeamsWireTests|RPCTransportInProcessTests|TeamsServiceTests|TeamServiceEndToEndTests|BadInputTests'

## A dependency-free Python client, written from docs/PROTOCOL.md alone, against a real server.
test-protocol-doc: test-unit
	Tests/ProtocolClient/run.sh .build/debug/teams-server

## The Go and Python clients' own tests against a real server, then the conformance
## scenarios (clients/conformance) with the Swift, Go and Python clients.
CONFORMANCE_RUNNERS := .build/debug/TeamsConformance clients/go/.build-go/bin/teams-conformance \
	"env PYTHONPATH=$(CURDIR)/clients/python/src python3 -m teams_client.conformance"
test-clients: test-unit
	clients/go/test.sh .build/debug/teams-server
	clients/python/test.sh .build/debug/teams-server
	clients/conformance/run.sh .build/debug/teams-server $(CONFORMANCE_RUNNERS)

## A separate package that depends on TeamsClient by version, as a service would
## (rebuilds every dependency, so not part of `make test`).
test-downstream: test-unit
	scripts/test-downstream-package .build/debug/teams-server

## Fails when the committed generated code (protoc-c's C and the Swift bridge) differs from what proto/ generates.
GENERATED := Sources/CRPCProtobuf/generated Sources/CRPCProtobuf/include/generated \
	Sources/CTeamsProtobuf/generated Sources/CTeamsProtobuf/include/generated \
	Sources/RPCCore/Generated Sources/TeamsProto/Generated Tests/Fuzz/generated \
	clients/go/teamsv1 clients/go/rpcv1
check-generated: deps
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	for dir in $(GENERATED); do mkdir -p $$tmp/before/$$dir && cp -R $$dir/. $$tmp/before/$$dir; done; \
	./scripts/generate-proto >/dev/null; clients/go/generate.sh >/dev/null; \
	for dir in $(GENERATED); do \
		if ! diff -r $$tmp/before/$$dir $$dir >/dev/null; then \
			diff -r $$tmp/before/$$dir $$dir | head -20; \
			echo "make: the generated code in $$dir is stale: run make generate and commit" >&2; exit 1; \
		fi; \
	done; echo "make: generated C and Swift code is up to date"

## Fuzzing (Tests/Fuzz): two libFuzzer targets with AddressSanitizer and LeakSanitizer.
##   connection-fuzzer: a connection's bytes through ServerConnection (frames, request heads,
##     method table, protoc-c unpack, the generated bridge, and the response path back), or a
##     server's bytes through ClientConnection; Swift, built with -sanitize=fuzzer,address.
##   unpack-fuzzer: protoc-c's unpack and pack of every message type; C, with protobuf-c's own
##     source (Debian's source package) compiled with -fsanitize=fuzzer,address too.
## `make fuzz SECONDS=N` runs each for N seconds; a crash lands in Tests/Fuzz/crashes/, which
## FuzzCorpusTests replays in every `make test`.
FUZZ := .build-fuzz
SECONDS ?= 60
PROTOBUF_C := $(FUZZ)/protobuf-c-src
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer-no-link,address -Wno-deprecated-declarations \
	-I$(PROTOBUF_C) -ISources/CRPCProtobuf/include -ISources/CTeamsProtobuf/include -ITests/Fuzz/generated
# libFuzzer's options: the memory cap, the input cap (16 frame limits of the fuzzed server), and a per-input timeout.
FUZZ_OPTIONS := -rss_limit_mb=1024 -malloc_limit_mb=512 -max_len=65536 -timeout=10 -print_final_stats=1 \

FUZZ_ENV := ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan.supp

## protobuf-c's source, from Debian's source package (adds a deb-src entry if there is none).
$(PROTOBUF_C)/protobuf-c/protobuf-c.c:
	@mkdir -p $(FUZZ)/download
	@if ! apt-get source --print-uris protobuf-c >/dev/null 2>&1; then \
		printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
			> /etc/apt/sources.list.d/teams-deb-src.sources; \
		apt-get update -qq; \
	fi
	cd $(FUZZ)/download && apt-get source -qq --download-only protobuf-c=$$(dpkg-query -W -f='$${source:Version}' libprotobuf-c-dev) 2>/dev/null
	rm -rf $(PROTOBUF_C) && mkdir -p $(PROTOBUF_C) && tar -xzf $(FUZZ)/download/protobuf-c_*.orig.tar.gz -C $(PROTOBUF_C) --strip-components=1

fuzz-build: deps $(PROTOBUF_C)/protobuf-c/protobuf-c.c
	@mkdir -p $(FUZZ)/lib
	clang $(FUZZ_CFLAGS) -c $(PROTOBUF_C)/protobuf-c/protobuf-c.c -o $(FUZZ)/lib/protobuf-c.o
	rm -f $(FUZZ)/lib/libprotobuf-c.a && ar rcs $(FUZZ)/lib/libprotobuf-c.a $(FUZZ)/lib/protobuf-c.o
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address -fuse-ld=lld Tests/Fuzz/unpack_fuzzer.c Sources/CRPCProtobuf/support/rpc_arena.c \
		$$(find Sources/CRPCProtobuf/generated Sources/CTeamsProtobuf/generated -name '*.c') $(FUZZ)/lib/libprotobuf-c.a -o $(FUZZ)/unpack-fuzzer
	$(SWIFT) build -c release --product connection-fuzzer --sanitize=fuzzer --sanitize=address -Xswiftc -DFUZZING \
		-Xswiftc -sanitize=fuzzer,address \
		-Xlinker -L$(CURDIR)/$(FUZZ)/lib --scratch-path $(FUZZ)/swift

## Runs both fuzz targets for SECONDS each, from the committed seeds plus what earlier runs found.
fuzz: fuzz-build
	@mkdir -p $(FUZZ)/corpus/connection $(FUZZ)/corpus/unpack Tests/Fuzz/crashes
	$(FUZZ_ENV) $(FUZZ)/swift/release/connection-fuzzer $(FUZZ_OPTIONS) -max_total_time=$(SECONDS) -dict=Tests/Fuzz/connection.dict \
		-artifact_prefix=Tests/Fuzz/crashes/connection- \
		$(FUZZ)/corpus/connection Tests/Fuzz/corpus/connection
	$(FUZZ_ENV) $(FUZZ)/unpack-fuzzer $(FUZZ_OPTIONS) -max_total_time=$(SECONDS) -artifact_prefix=Tests/Fuzz/crashes/unpack- \
		$(FUZZ)/corpus/unpack Tests/Fuzz/corpus/unpack

## Replays every crash found so far through its target, then a short bounded run of each,
## so CI catches a regression. (FuzzCorpusTests also replays the connection crashes in test-unit.)
test-fuzz: fuzz-build
	@set -e; for crash in Tests/Fuzz/crashes/unpack-*; do [ -e "$$crash" ] || continue; $(FUZZ_ENV) $(FUZZ)/unpack-fuzzer "$$crash"; done
	@set -e; for crash in Tests/Fuzz/crashes/connection-*; do [ -e "$$crash" ] || continue; $(FUZZ_ENV) $(FUZZ)/swift/release/connection-fuzzer "$$crash"; done
	$(MAKE) fuzz SECONDS=30

## Load-test a release server on the in-memory store (not part of `make test`).
bench: build
	@port=$$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	.build/release/teams-server --store memory --port $$port --threads 1 --log-level error & pid=$$!; sleep 1; \
	.build/release/teams bench --server 127.0.0.1:$$port --server-pid $$pid $(ARGS); kill $$pid

## Our protocol against grpc-swift-2 and grpc-go driven by h2load, on both stores, side by
## side (builds Benchmarks/; minutes). Options go to Benchmarks/compare.py: ARGS="--rounds 5".
BENCH_DEB_PACKAGES := nghttp2-client golang-go golang-google-grpc-dev golang-google-protobuf-dev \
	golang-github-golang-protobuf-1-5-dev protoc-gen-go-grpc golang-github-mattn-go-sqlite3-dev protobuf-compiler
bench-compare: deps
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(BENCH_DEB_PACKAGES)"
	Benchmarks/compare.sh $(ARGS)

generate: deps
	./scripts/generate-proto
	clients/go/generate.sh

clean:
	rm -rf .build $(ASAN_SCRATCH) $(FUZZ) .build-downstream clients/go/.build-go
