// Command target is the loopback HTTP/1.1 server that bench/load.sh points
// perftop and its peers at: small and fast, so that what a run measures is the
// load generator rather than the server.
//
//	GET /                 200, {"ok":true} (application/json, 11 bytes)
//	GET /slow?ms=N        the same after sleeping N ms (0..60000)
//	GET /stall?ms=N&every=M  the same, at once, except in the first N ms of
//	                      every M ms since the target started (a GC pause,
//	                      a lock held): a request that comes in then waits
//	                      for the stall's end. Default 300 every 3000.
//	GET /status?code=N    an empty response with status N (200..599, default 200)
//
// It is net/http with its defaults (keep-alive, GOMAXPROCS = CPUs). The
// response headers of / are set from preallocated slices, which skips the
// canonicalisation and allocation of Header().Set; net/http still adds Date.
//
// The first line on stdout is the bound address (host:port), so a script can
// listen on port 0 and read where to send:
//
//	go run ./bench/target -addr 127.0.0.1:0
//
// It serves until SIGINT or SIGTERM, then closes its connections and exits 0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

var (
	body          = []byte(`{"ok":true}`)
	jsonType      = []string{"application/json"}
	started       = time.Now() // /stall's stalls count from here
	contentLength = []string{strconv.Itoa(len(body))}
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address; port 0 picks a free one (the bound address is printed)")
	withPprof := flag.Bool("pprof", false, "serve net/http/pprof under /debug/pprof/ (bench/pprof.sh)")
	flag.Parse()
	if err := run(*addr, *withPprof); err != nil {
		fmt.Fprintln(os.Stderr, "target:", err)
		os.Exit(1)
	}
}

func run(addr string, withPprof bool) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	// The first line of stdout is the contract with the scripts; print it
	// only once the socket accepts connections.
	fmt.Println(ln.Addr().String())

	mux := routes()
	if withPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// A load generator may still hold connections: close them rather than
	// wait for them to go idle.
	shutdown, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shutdown: %w", err)
	}
	_ = srv.Close()
	return nil
}

func routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", ok)
	mux.HandleFunc("GET /slow", slow)
	mux.HandleFunc("GET /stall", stall)
	mux.HandleFunc("GET /status", status)
	return mux
}

// ok is the hot path: a fixed body with preset Content-Type and Content-Length.
func ok(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Content-Length"] = contentLength
	_, _ = w.Write(body)
}

// slow answers like ok after ?ms=N milliseconds, or earlier with 503 if the
// client goes away.
func slow(w http.ResponseWriter, r *http.Request) {
	ms, err := intParam(r, "ms", 0, 0, 60_000)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		ok(w, r)
	case <-r.Context().Done():
		w.WriteHeader(http.StatusServiceUnavailable)
	}
}

// stall answers like ok, but a request that comes in during the first
// ?ms=N of every ?every=M milliseconds waits for the stall to end: every
// request the server has then sees it, as behind a stop-the-world pause.
func stall(w http.ResponseWriter, r *http.Request) {
	ms, err := intParam(r, "ms", 300, 0, 60_000)
	every, err2 := intParam(r, "every", 3000, 1, 3_600_000)
	if err := errors.Join(err, err2); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	period, d := time.Duration(every)*time.Millisecond, time.Duration(ms)*time.Millisecond
	if in := time.Since(started) % period; in < d {
		time.Sleep(d - in)
	}
	ok(w, r)
}

// status answers with ?code=N and no body, to exercise a tool's error counts.
func status(w http.ResponseWriter, r *http.Request) {
	code, err := intParam(r, "code", http.StatusOK, 200, 599)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.WriteHeader(code) // net/http adds Content-Length: 0 where the status allows one
}

// intParam reads the query parameter name as an integer in [lo, hi], or def
// when it is absent.
func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s: want a whole number in %d..%d, got %q", name, lo, hi, s)
	}
	return n, nil
}
