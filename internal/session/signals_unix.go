//go:build unix

package session

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	tea "charm.land/bubbletea/v2"
)

// hangupSignals end a headless run as SIGINT and SIGTERM do: SIGHUP comes
// when the terminal closes, an SSH session drops or tmux kills its session,
// and the results must still be written.
var hangupSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// watchSignals handles, for the dashboard program p until ctx ends, the
// signals Bubble Tea leaves to the default action: SIGHUP quits the
// program (so a run still stops cleanly and writes its results), and
// SIGTSTP (kill -TSTP; the key ctrl+z is the dashboard's own) suspends it
// the way ctrl+z does, the terminal restored first, and SIGCONT redraws it
// in raw mode, as htop and vim do.
func watchSignals(ctx context.Context, p *tea.Program) {
	hup := make(chan os.Signal, 1)
	tstp := make(chan os.Signal, 1)
	cont := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	signal.Notify(tstp, syscall.SIGTSTP)
	signal.Notify(cont, syscall.SIGCONT)
	defer signal.Stop(hup)
	defer signal.Stop(tstp)
	defer signal.Stop(cont)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			p.Quit()
		case <-tstp:
			// Bubble Tea suspends by releasing the terminal and sending
			// SIGTSTP to the process group: let that one stop the process
			// (the default action) rather than land here again.
			signal.Reset(syscall.SIGTSTP)
			for len(cont) > 0 {
				<-cont
			}
			p.Send(tea.SuspendMsg{})
			select {
			case <-ctx.Done():
				return
			case <-cont:
			}
			signal.Notify(tstp, syscall.SIGTSTP)
		}
	}
}
