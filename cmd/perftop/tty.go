package main

import (
	"io"
	"os"

	xterm "github.com/charmbracelet/x/term"
)

// isTerminal reports whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && xterm.IsTerminal(f.Fd())
}

// terminalWidth is w's width in columns when w is a terminal, else 0: a
// summary on a terminal breaks its long lines there, one piped or
// redirected keeps a line per figure.
func terminalWidth(w any) int {
	f, ok := w.(*os.File)
	if !ok || !xterm.IsTerminal(f.Fd()) {
		return 0
	}
	cols, _, err := xterm.GetSize(f.Fd())
	if err != nil {
		return 0
	}
	return cols
}

// noTerminal names the standard stream that is not a terminal, stdin or
// the stdout perftop was given, or returns "" when both are: the
// dashboard reads keys from the one and draws on the other.
func noTerminal(stdout io.Writer) string {
	switch {
	case !isTerminal(stdout):
		return "stdout"
	case !isTerminal(os.Stdin):
		return "stdin"
	}
	return ""
}
