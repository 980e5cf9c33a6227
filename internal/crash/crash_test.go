package crash

import (
	"os"
	"runtime"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRecoverRunsCleanupsThenExits: a panic on a goroutine runs the
// cleanups (the terminal is restored first), then exits with code 2; an
// unregistered cleanup does not run.
func TestRecoverRunsCleanupsThenExits(t *testing.T) {
	var restored, removed atomic.Bool
	code := make(chan int, 1)
	Exit = func(c int) { code <- c; runtime.Goexit() } // the goroutine must not go on
	defer func() { Exit = os.Exit }()
	OnPanic(func() { restored.Store(true) })
	OnPanic(func() { removed.Store(true) })()
	Go(func() { panic("a bug") })
	if c := <-code; c != 2 {
		t.Errorf("exit code %d, want 2", c)
	}
	if !restored.Load() || removed.Load() {
		t.Errorf("cleanups: restored %v, removed one ran %v", restored.Load(), removed.Load())
	}
}
