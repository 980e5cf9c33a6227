//go:build !unix

package session

import (
	"context"
	"os"

	tea "charm.land/bubbletea/v2"
)

// hangupSignals end a headless run: there is no SIGHUP here.
var hangupSignals = []os.Signal{os.Interrupt}

// jobControl has nothing to do where there is no SIGHUP or SIGTSTP; a
// SuspendMsg is Bubble Tea's to ignore.
type jobControl struct{ p *tea.Program }

func newJobControl() *jobControl                              { return &jobControl{} }
func (j *jobControl) filter(_ tea.Model, msg tea.Msg) tea.Msg { return msg }
func (j *jobControl) run(context.Context)                     {}
