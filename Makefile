# Studi Tiru — developer commands. `make test` is what CI runs (.ci/run).
GO ?= go
BOOTSTRAP_VERSION ?= 5.3.9
EVENT_CALENDAR_VERSION ?= 5.10.1
AXE_VERSION ?= 4.14.1

.PHONY: run demo test check fmt vet unit browser-deps screenshots vendor vendor-event-calendar vendor-axe bench-go bench-store bench fuzz

run: ## start the app on the embedded store at http://localhost:3000
	$(GO) run ./app

demo: ## the same, filled with sample records first
	$(GO) run ./app -demo

test: browser-deps check ## gofmt check, go vet, go test -race
	$(GO) test -race -count=1 -timeout 20m ./...

# Benchmarks are not part of `make test`; see docs/PERFORMANCE.md.
# bench-go: the pure Go benchmarks (IKM, invitation, holidays, availability,
# regions), a few seconds.
bench-go: ## Go benchmarks of the domain functions (no store)
	$(GO) test ./models -run '^$$' -bench 'ComputeIKM|BuildInvitation|LoadRegions|BalineseHolidays|WorkingDays|AvailabilityMonth' -benchmem -benchtime=1s

# bench-store: the dashboard and history page over ten years of seeded
# history on the embedded store (5,000 and 50,000 visits); slow (minutes).
bench-store: ## store benchmarks: dashboard year, history page, view load
	$(GO) test ./models -run '^$$' -bench 'Dashboard|History|ViewLoad' -benchmem -benchtime=10x -timeout 90m

# bench: the load tool (cmd/bench). Seeds a fresh embedded store (5,000
# visits by default), starts the app in-process on loopback and drives its
# main pages with 64 connections, 5 s each, next to a bare Fiber baseline;
# prints the Markdown report and writes it to docs/bench-latest.md. Flags
# through BENCH_FLAGS, e.g. make bench BENCH_FLAGS='-visits 50000'.
BENCH_FLAGS ?=
bench: ## load test over HTTP: requests/s and latencies per endpoint
	$(GO) run ./cmd/bench -o docs/bench-latest.md $(BENCH_FLAGS)

# fuzz: the long fuzz runs, one target after another with one worker
# (FUZZTIME each, 10 minutes by default: about two hours in all). `make
# test` already runs every seed corpus; results are in docs/SECURITY.md.
FUZZTIME ?= 10m
FUZZ_MODELS = FuzzRequestValidate FuzzParseRosterCSV FuzzParseRosterXLSX FuzzParseHolidayICS FuzzNormalizePhone \
	FuzzNormalizeEmail FuzzPrivateLinkTokens FuzzICalSanitise FuzzInvitationText FuzzUploadChecks
FUZZ_HANDLERS = FuzzSafeFileName FuzzRedactPath FuzzSafeNext
fuzz: ## long fuzz runs: every target for FUZZTIME (default 10m), one at a time
	@set -e; for t in $(FUZZ_MODELS); do \
		$(GO) test ./models -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) -parallel 1 -timeout 0; done; \
	for t in $(FUZZ_HANDLERS); do \
		$(GO) test ./handlers -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) -parallel 1 -timeout 0; done

check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

# The browser tests drive Debian's chromium. Install it when missing and we
# are root (CI, a fresh machine); otherwise say how.
browser-deps:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; then \
		:; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "chromium is missing: run 'sudo apt-get install chromium' (Debian/Ubuntu) or set CHROMIUM=/path/to/chrome;"; \
		echo "browser tests are skipped until then (and fail when CI=true)."; \
	fi

screenshots: browser-deps ## refresh the README screenshots in docs/screenshots
	SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run Browser ./handlers/

# Vendored front-end files come from the npm registry; the app itself needs
# no Node at build or run time. Bump BOOTSTRAP_VERSION and run `make vendor`.
vendor: vendor-event-calendar
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent bootstrap@$(BOOTSTRAP_VERSION) >/dev/null && \
	tar -xzf bootstrap-$(BOOTSTRAP_VERSION).tgz && \
	mkdir -p $(CURDIR)/templates/static/vendor/bootstrap && \
	cp package/dist/css/bootstrap.min.css package/dist/js/bootstrap.bundle.min.js package/LICENSE \
		$(CURDIR)/templates/static/vendor/bootstrap/ && \
	sed -i '/sourceMappingURL/d' $(CURDIR)/templates/static/vendor/bootstrap/*.css $(CURDIR)/templates/static/vendor/bootstrap/*.js && \
	echo "bootstrap $(BOOTSTRAP_VERSION) (MIT) from the npm registry" > $(CURDIR)/templates/static/vendor/bootstrap/VERSION && \
	rm -rf $$tmp

# EventCalendar (vkurko/calendar, MIT) for the staff calendar: the standalone
# build ships a plain CSS file and injects no <style>, so it runs under the
# app's CSP. The npm package carries no licence file; ours states it.
vendor-event-calendar:
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent @event-calendar/build@$(EVENT_CALENDAR_VERSION) >/dev/null && \
	tar -xzf event-calendar-build-$(EVENT_CALENDAR_VERSION).tgz && \
	mkdir -p $(CURDIR)/templates/static/vendor/event-calendar && \
	cp package/dist/event-calendar.min.js package/dist/event-calendar.min.css $(CURDIR)/templates/static/vendor/event-calendar/ && \
	sed -i '/sourceMappingURL/d' $(CURDIR)/templates/static/vendor/event-calendar/*.css $(CURDIR)/templates/static/vendor/event-calendar/*.js && \
	echo "@event-calendar/build $(EVENT_CALENDAR_VERSION) (MIT, includes Svelte, MIT) from the npm registry" > $(CURDIR)/templates/static/vendor/event-calendar/VERSION && \
	rm -rf $$tmp

# axe-core (Deque, MPL-2.0) for the accessibility browser test only: it lives
# in handlers/testdata, is never embedded in the app nor served to users.
vendor-axe:
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && \
	tar -xzf axe-core-$(AXE_VERSION).tgz && \
	mkdir -p $(CURDIR)/handlers/testdata/axe && \
	cp package/axe.min.js package/LICENSE package/LICENSE-3RD-PARTY.txt $(CURDIR)/handlers/testdata/axe/ && \
	echo "axe-core $(AXE_VERSION) (MPL-2.0) from the npm registry; test-only" > $(CURDIR)/handlers/testdata/axe/VERSION && \
	rm -rf $$tmp
