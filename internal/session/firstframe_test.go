package session

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// TestFirstFrameStartsTheTest: the dashboard a load test runs under calls
// the viewer's firstFrame once Bubble Tea has drawn its first frame; LoadTest
// starts the engine then.
func TestFirstFrameStartsTheTest(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sess := newTestSession(t)
	drawn := make(chan struct{})
	model := sess.model(ctx, viewer{firstFrame: func() { close(drawn) }}, nil)
	out := &watchWriter{want: "\x1b[?1049h", seen: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		done <- sess.runProgram(ctx, model, tea.WithInput(nil), tea.WithOutput(out), tea.WithWindowSize(100, 30), tea.WithoutSignalHandler())
	}()
	select {
	case <-drawn:
	case <-time.After(10 * time.Second):
		t.Fatal("no first frame in 10 s")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
