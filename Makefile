# TeamService: the two commands are `make run` and `make test`.
SWIFT ?= swift
DEB_PACKAGES := protobuf-c-compiler libprotobuf-c-dev libsqlite3-dev python3
ASAN_SCRATCH := .build-asan

.PHONY: deps build run test test-unit test-asan test-protocol-doc check-generated generate bench bench-compare clean

## Install the Debian packages the build needs, if any is missing (needs root).
deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "make: installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build -c release

## Start the server on 127.0.0.1:7070 (pass options with ARGS="--port 7171 --store memory").
run: build
	.build/release/teams-server $(ARGS)

## The whole test suite: generated code in sync, unit + end-to-end tests, the
## C bridge under AddressSanitizer, and a client written from docs/PROTOCOL.md.
test: deps check-generated test-unit test-asan test-protocol-doc
	@echo "make test: all passed"

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
		--filter 'RPCCoreTests|TeamsProtoTests|TeamsWireTests|RPCTransportInProcessTests|TeamsServiceTests|TeamServiceEndToEndTests|BadInputTests'

## A dependency-free Python client, written from docs/PROTOCOL.md alone, against a real server.
test-protocol-doc: test-unit
	Tests/ProtocolClient/run.sh .build/debug/teams-server

## Fails when the committed generated code (protoc-c's C and the Swift bridge) differs from what proto/ generates.
GENERATED := Sources/CRPCProtobuf/generated Sources/CRPCProtobuf/include/generated \
	Sources/CTeamsProtobuf/generated Sources/CTeamsProtobuf/include/generated \
	Sources/RPCCore/Generated Sources/TeamsProto/Generated
check-generated: deps
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	for dir in $(GENERATED); do mkdir -p $$tmp/before/$$dir && cp -R $$dir/. $$tmp/before/$$dir; done; \
	./scripts/generate-proto >/dev/null; \
	for dir in $(GENERATED); do \
		if ! diff -r $$tmp/before/$$dir $$dir >/dev/null; then \
			diff -r $$tmp/before/$$dir $$dir | head -20; \
			echo "make: the generated code in $$dir is stale: run scripts/generate-proto and commit" >&2; exit 1; \
		fi; \
	done; echo "make: generated C and Swift code is up to date"

## Load-test a release server on the in-memory store (not part of `make test`).
bench: build
	@port=$$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	.build/release/teams-server --store memory --port $$port --threads 1 --log-level error & pid=$$!; sleep 1; \
	.build/release/teams bench --server 127.0.0.1:$$port --server-pid $$pid $(ARGS); kill $$pid

## Our protocol against grpc-swift-2, side by side (builds Benchmarks/; minutes).
bench-compare: deps
	Benchmarks/compare.sh

generate: deps
	./scripts/generate-proto

clean:
	rm -rf .build $(ASAN_SCRATCH)
