// Package crash turns a panic on any of perftop's goroutines into an orderly
// end. A goroutine Bubble Tea did not start is beyond the reach of its
// panic recovery: a panic there kills the process with the terminal still
// in raw mode and on the alternate screen. Every goroutine perftop starts
// runs under Recover (or is started with Go), which first runs the cleanup
// registered with OnPanic (the dashboard restores the terminal), then
// prints the panic and its stack as the runtime would and exits with the
// runtime's code, 2.
package crash

import (
	"fmt"
	"os"
	"runtime/debug"
	"sync"
)

var (
	mu       sync.Mutex // guards cleanups
	cleanups []func()
	// Exit ends the process after a panic; tests of other packages replace it
	// to watch what happens first.
	Exit = os.Exit
)

// OnPanic registers f to run before the process ends on a panic, and
// returns what unregisters it. f must be safe to call from any goroutine.
func OnPanic(f func()) (remove func()) {
	mu.Lock()
	defer mu.Unlock()
	cleanups = append(cleanups, f)
	i := len(cleanups) - 1
	return func() {
		mu.Lock()
		defer mu.Unlock()
		cleanups[i] = nil
	}
}

// Go runs f on a new goroutine under Recover.
func Go(f func()) {
	go func() {
		defer Recover()
		f()
	}()
}

// Recover, deferred at the top of a goroutine, ends the process in order
// if the goroutine panics: the registered cleanups run (the terminal is
// restored), then the panic and the stack are printed on stderr and the
// process exits with code 2.
func Recover() {
	r := recover()
	if r == nil {
		return
	}
	stack := debug.Stack()
	mu.Lock()
	fs := append([]func(){}, cleanups...)
	mu.Unlock()
	for _, f := range fs {
		if f != nil {
			f()
		}
	}
	fmt.Fprintf(os.Stderr, "panic: %v\n\n%s\nperftop crashed: please report this with the stack above\n", r, stack)
	Exit(2)
}
