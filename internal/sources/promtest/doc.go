// Package promtest starts real Prometheus servers and node_exporters for
// tests: the Debian binaries, each on its own free loopback port with its own
// configuration and storage in the test's temporary directory, stopped when
// the test ends. Nothing is mocked and no system service is used.
//
// The binaries are test dependencies that `make test` installs (.ci/deps).
// A missing binary fails the test, in CI and on a laptop alike: a test that
// skips itself silently would report green while proving nothing.
//
// Helpers wait on observable state (an HTTP endpoint answering, a target's
// up series reaching 1) with a deadline, never by sleeping blindly.
package promtest
