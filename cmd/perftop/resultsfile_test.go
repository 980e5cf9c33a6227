package main

import (
	"testing"

	"github.com/perftop/perftop/internal/results"
	"github.com/perftop/perftop/internal/sources/load"
)

// TestLateAfter holds the results file's late-send threshold, which files do
// not record, to the engine's.
func TestLateAfter(t *testing.T) {
	if results.LateAfter != load.LateAfter {
		t.Fatalf("results.LateAfter %s, the engine's load.LateAfter %s: a file's late_sends would be explained wrong", results.LateAfter, load.LateAfter)
	}
}
