# emsd: the two commands are `go run ./cmd/emsd` and `make test`.

GO ?= go
SHELL := /bin/bash

.PHONY: test vet unit rules prometheus-tools bench soak fuzz build

build:
	$(GO) build -o emsd ./cmd/emsd

# Everything CI checks: formatting, vet, unit tests with the race detector
# (fuzz seed corpora run as ordinary tests), and the end-to-end tests with
# the real Prometheus and promtool, and the alerting rules with their tests.
test: prometheus-tools vet rules unit

# The alerting rules in contrib/prometheus: syntax, then their unit tests.
rules: prometheus-tools
	promtool check rules contrib/prometheus/emsd-rules.yml
	promtool test rules contrib/prometheus/emsd-rules.test.yml

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

unit:
	EMSD_REQUIRE_REFERENCE=1 EMSD_REQUIRE_E2E=1 $(GO) test -race -count=1 ./...

# The Debian package prometheus brings prometheus and promtool, chromium the
# browser that renders the landing page; each installed when missing and we
# are root.
prometheus-tools:
	@missing=""; \
	if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then missing="prometheus"; fi; \
	if ! command -v chromium >/dev/null && [ ! -x /usr/bin/chromium ]; then missing="$$missing chromium"; fi; \
	missing=$${missing# }; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing the Debian packages $$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		else \
			echo "missing: install the Debian packages $$missing"; exit 1; \
		fi; \
	fi

# The performance budget (docs/PERFORMANCE.md): decoding, rendering every
# endpoint, HTTP on loopback against a static server, the bridge's refresh,
# and emsd's resident memory after a minute of scrapes.
# tools/budget.awk prints each figure against its limit at the end.
bench:
	@set -o pipefail; { \
	$(GO) test -run '^$$' -bench . -benchmem ./internal/devices/ ./internal/gateway/ ./internal/httpapi/ ./internal/sources/bridge/ && \
	$(GO) test -count=1 -run TestNextScrapeSeesTelegram -v ./internal/httpapi/ && \
	$(GO) test -tags measure -count=1 -run TestResidentMemory -v ./e2e/; \
	} 2>&1 | awk -f tools/budget.awk

# A few minutes of emsd on the simulator with 10% of frames damaged while
# every endpoint is scraped 200 times a second (EMSD_SOAK_DURATION, 3m).
soak:
	$(GO) test -tags soak -count=1 -timeout 30m -run TestSoak -v ./e2e/

# Fuzz each target for FUZZTIME (default 1m).
FUZZTIME ?= 1m
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./internal/telegram/
	$(GO) test -run '^$$' -fuzz FuzzFramer -fuzztime $(FUZZTIME) ./internal/telegram/
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME) ./internal/devices/
	$(GO) test -run '^$$' -fuzz FuzzAPIPath -fuzztime $(FUZZTIME) ./internal/httpapi/
	$(GO) test -run '^$$' -fuzz FuzzParseLine -fuzztime $(FUZZTIME) ./internal/sources/replay/
	$(GO) test -run '^$$' -fuzz FuzzIngest -fuzztime $(FUZZTIME) ./internal/sources/bridge/
