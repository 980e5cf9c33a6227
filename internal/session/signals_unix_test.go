//go:build unix

package session

import (
	"bytes"
	"io"
	"runtime"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

type blank struct{}

func (blank) Init() tea.Cmd                       { return nil }
func (blank) Update(tea.Msg) (tea.Model, tea.Cmd) { return blank{}, nil }
func (blank) View() tea.View                      { return tea.NewView("x") }

// TestRendererLoopName: waitRendererStopped looks for Bubble Tea's frame
// loop by name in the stacks; the name is checked against a running
// program, and the wait against ReleaseTerminal, so that a Bubble Tea that
// renames the loop fails here rather than making the wait a silent no-op.
func TestRendererLoopName(t *testing.T) {
	p := tea.NewProgram(blank{}, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithWindowSize(80, 24))
	done := make(chan struct{})
	go func() { defer close(done); _, _ = p.Run() }()
	defer func() { p.Quit(); <-done }()
	running := func() bool {
		buf := make([]byte, 4<<20)
		return bytes.Contains(buf[:runtime.Stack(buf, true)], []byte(rendererLoop))
	}
	for deadline := time.Now().Add(10 * time.Second); !running(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no goroutine running %s: Bubble Tea's frame loop is named otherwise now", rendererLoop)
		}
	}
	if err := p.ReleaseTerminal(); err != nil {
		t.Fatal(err)
	}
	waitRendererStopped()
	if running() {
		t.Fatal("the frame loop still runs after waitRendererStopped")
	}
	if err := p.RestoreTerminal(); err != nil {
		t.Fatal(err)
	}
}
