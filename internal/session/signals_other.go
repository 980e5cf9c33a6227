//go:build !unix

package session

import (
	"context"
	"os"

	tea "charm.land/bubbletea/v2"
)

// hangupSignals end a headless run: there is no SIGHUP here.
var hangupSignals = []os.Signal{os.Interrupt}

// watchSignals has nothing to do where there is no SIGHUP or SIGTSTP.
func watchSignals(context.Context, *tea.Program) {}
