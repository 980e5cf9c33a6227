package system

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// TestRunDoesNotWaitForBlockedRead: /proc/stat is a FIFO that nobody writes,
// so the first reading blocks in open(2). Run must still return soon after
// its context ends; the sampler finishes, writing nothing, once the reading
// returns.
func TestRunDoesNotWaitForBlockedRead(t *testing.T) {
	root := t.TempDir()
	fifo := filepath.Join(root, "stat")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	src := New(Options{ProcFS: root})
	st := metrics.NewStore(8)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- src.Run(ctx, st) }()
	time.Sleep(50 * time.Millisecond) // let the sampler reach the FIFO
	cancel()
	select {
	case err := <-ran:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * stopWait):
		t.Fatal("Run waited for a reading that never ends")
	}
	if !src.running.Load() {
		t.Fatal("the blocked sampler is not counted as running")
	}
	if err := src.Run(context.Background(), st); err != ErrRunning {
		t.Fatalf("second Run while the sampler is stuck = %v, want ErrRunning", err)
	}
	// Unblock the reading: the sampler sees its context ended and stops.
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	for deadline := time.Now().Add(10 * time.Second); src.running.Load(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("sampler still running after its reading returned")
		}
	}
	if v := st.Version(); v != 0 {
		t.Errorf("the store changed (version %d) after the context ended", v)
	}
}
