# perftop: `make run` starts the dashboard, `make test` runs every test.
GO ?= go

.PHONY: run test deps check bench build

run:
	$(GO) run ./cmd/perftop

build:
	$(GO) build -o bin/perftop ./cmd/perftop

# test installs what the tests need (tmux for the terminal end-to-end
# tests), checks formatting and vet, then runs every test with the race
# detector. CI runs exactly this through .ci/run. cmd/perftop's tests
# (go install from a module proxy, six cross-builds, the binary in tmux) take
# about 5 minutes here with a cold cache, too close to go test's default
# 10-minute limit on a slower machine.
test: deps check
	$(GO) test -race -count=1 -timeout 30m ./...

deps:
	@./.ci/deps

check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# bench prints every figure the README's Performance section states.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	./bench/dashboard.sh
