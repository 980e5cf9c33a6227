package promql

import "github.com/perftop/perftop/internal/heaptest"

// The heap-watching helpers every hostile-input test here uses.
type heapUse = heaptest.Use

var (
	watchHeap      = heaptest.Watch
	checkHeap      = heaptest.Check
	checkPrintable = heaptest.CheckPrintable
)

// raceEnabled says the race detector is on.
const raceEnabled = heaptest.Race
