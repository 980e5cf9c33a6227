package promql

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// waitTimeout bounds a wait for a Source's next state; rounds come every
// interval, so only a broken test waits this long.
const waitTimeout = 60 * time.Second

// waitFor waits on the store's change notifications until ok accepts the
// source's results and health, and returns them.
func waitFor(t *testing.T, st *metrics.Store, src *Source, what string, ok func([]metrics.PromQLResult, metrics.Health) bool) ([]metrics.PromQLResult, metrics.Health) {
	t.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	var sn metrics.Snapshot
	for {
		changed := st.Changed() // before looking, so no change is missed
		st.Snapshot(&sn)
		res, h := src.Results(), sn.Health[Name]
		if ok(res, h) {
			return res, h
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("no %s after %v; last results %+v, health %+v", what, waitTimeout, res, h)
		}
	}
}

// start runs src until the test ends.
func start(t *testing.T, src *Source, st *metrics.Store) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- src.Run(ctx, st) }()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// fakeAPI answers range queries with one series while ok is true, and 502
// otherwise.
func fakeAPI(ok *atomic.Bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !ok.Load() {
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":"success","data":{"resultType":"matrix","result":[`+
			`{"metric":{"__name__":"up","job":"fake"},"values":[[1700000000,"1"],[1700000001,"1"]]}]}}`)
	}
}

// TestSourceDownThenUp points a source at a closed port: its health says
// the server is down, in words, with the next retry, and it keeps
// retrying; once a server listens there, it recovers. When the server
// fails again, the panel keeps its last series beside the error.
func TestSourceDownThenUp(t *testing.T) {
	addr := closedAddr(t)
	src, err := New(Options{
		ClientOptions: ClientOptions{Server: "http://" + addr},
		Panels:        []Panel{{Title: "up", Expr: "up"}},
		Interval:      metrics.MinInterval,
		MinBackoff:    10 * time.Millisecond,
		MaxBackoff:    40 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	st := metrics.NewStore(10)
	start(t, src, st)

	want := "cannot reach " + addr + ": connection refused"
	retries := map[time.Time]bool{}
	res, h := waitFor(t, st, src, "three failed attempts", func(res []metrics.PromQLResult, h metrics.Health) bool {
		if !h.Up && h.LastError == want && !h.NextRetry.IsZero() {
			retries[h.NextRetry] = true
		}
		return len(retries) >= 3
	})
	if res[0].Err != want || len(res[0].Series) != 0 || !h.LastSuccess.IsZero() {
		t.Errorf("while down: result %+v, health %+v; want error %q, no series, no success", res[0], h, want)
	}

	var ok atomic.Bool
	ok.Store(true)
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on the closed port again: %v", err)
	}
	srv := &http.Server{Handler: fakeAPI(&ok)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		<-served
	})
	res, h = waitFor(t, st, src, "recovery", func(res []metrics.PromQLResult, h metrics.Health) bool { return h.Up && len(res[0].Series) == 1 })
	got := res[0]
	if got.Err != "" || got.Series[0].Labels != `up{job="fake"}` || len(got.Series[0].Points) != 2 || got.At.IsZero() || h.LastError != "" {
		t.Errorf("after recovery: result %+v, health %+v", got, h)
	}

	ok.Store(false)
	res, _ = waitFor(t, st, src, "the panel's error", func(res []metrics.PromQLResult, h metrics.Health) bool { return !h.Up })
	if stale := res[0]; !strings.Contains(stale.Err, "answered HTTP 502") || len(stale.Series) != 1 || !stale.At.Equal(got.At) {
		t.Errorf("after a failure: %+v; want the error beside the last series of %v", stale, got.At)
	}
}

func TestSourceRunsOnce(t *testing.T) {
	var ok atomic.Bool
	ok.Store(true)
	srv := apiServer(t, fakeAPI(&ok))
	src, err := New(Options{ClientOptions: ClientOptions{Server: srv.URL}, Panels: []Panel{{Expr: "up"}}})
	if err != nil {
		t.Fatal(err)
	}
	st := metrics.NewStore(10)
	start(t, src, st)
	waitFor(t, st, src, "a round", func(_ []metrics.PromQLResult, h metrics.Health) bool { return h.Up })
	if err := src.Run(context.Background(), st); !errors.Is(err, ErrRunning) {
		t.Errorf("second Run = %v, want ErrRunning", err)
	}
	if err := src.Run(context.Background(), nil); err == nil {
		t.Error("Run with a nil store succeeded")
	}
}

func TestNew(t *testing.T) {
	up := []Panel{{Title: "up", Expr: "up"}}
	tests := []struct {
		name    string
		opts    Options
		wantErr bool
		check   func(*Source) string
	}{
		{name: "defaults", opts: Options{ClientOptions: ClientOptions{Server: "http://h:9090"}, Panels: up}, check: func(s *Source) string {
			lo, hi := s.backoffBounds()
			if s.Interval() != DefaultInterval || s.Window() != DefaultWindow || s.maxSeries != DefaultMaxSeries ||
				lo != DefaultMinBackoff || hi != DefaultMaxBackoff || s.Name() != "promql" {
				return fmt.Sprintf("%+v", s)
			}
			return ""
		}},
		{name: "limits", opts: Options{ClientOptions: ClientOptions{Server: "http://h"}, Panels: up, Interval: time.Millisecond, Window: 24 * time.Hour}, check: func(s *Source) string {
			if s.Interval() != metrics.MinInterval || s.Window() != MaxPoints*metrics.MinInterval {
				return fmt.Sprintf("interval %v, window %v", s.Interval(), s.Window())
			}
			return ""
		}},
		{name: "backoff at least the interval", opts: Options{ClientOptions: ClientOptions{Server: "http://h"}, Panels: up, Interval: 5 * time.Second, Window: time.Second}, check: func(s *Source) string {
			if lo, _ := s.backoffBounds(); lo != 5*time.Second || s.Window() != 5*time.Second {
				return fmt.Sprintf("min backoff %v, window %v", lo, s.Window())
			}
			return ""
		}},
		{name: "SetInterval moves the step, the window and the backoff", opts: Options{ClientOptions: ClientOptions{Server: "http://h"}, Panels: up, Interval: time.Second, Window: 3 * time.Second}, check: func(s *Source) string {
			s.SetInterval(5 * time.Second)
			if lo, _ := s.backoffBounds(); s.Interval() != 5*time.Second || lo != 5*time.Second || s.Window() != 5*time.Second {
				return fmt.Sprintf("interval %v, min backoff %v, window %v", s.Interval(), lo, s.Window())
			}
			s.SetInterval(time.Millisecond)
			if s.Interval() != metrics.MinInterval {
				return fmt.Sprintf("interval %v after SetInterval(1ms)", s.Interval())
			}
			return ""
		}},
		{name: "results before the first round", opts: Options{ClientOptions: ClientOptions{Server: "http://h"}, Panels: up}, check: func(s *Source) string {
			if r := s.Results(); len(r) != 1 || (Panel{Title: r[0].Title, Expr: r[0].Expr}) != up[0] || r[0].Series != nil || s.Panels()[0] != up[0] {
				return fmt.Sprintf("%+v", r)
			}
			return ""
		}},
		{name: "no panels", opts: Options{ClientOptions: ClientOptions{Server: "http://h"}}, wantErr: true},
		{name: "empty expression", opts: Options{ClientOptions: ClientOptions{Server: "http://h"}, Panels: []Panel{{Title: "t"}}}, wantErr: true},
		{name: "bad server", opts: Options{ClientOptions: ClientOptions{Server: "h:9090"}, Panels: up}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.opts)
			if (err != nil) != tt.wantErr {
				t.Fatalf("New: %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			defer s.client.CloseIdleConnections()
			if msg := tt.check(s); msg != "" {
				t.Errorf("got %s", msg)
			}
		})
	}
}

func TestAlign(t *testing.T) {
	tests := []struct {
		t    time.Time
		step time.Duration
		want time.Time
	}{
		{time.Unix(100, 999), time.Second, time.Unix(100, 0)},
		{time.Unix(107, 5), 5 * time.Second, time.Unix(105, 0)},
		{time.Unix(100, 250e6), 100 * time.Millisecond, time.Unix(100, 200e6)},
	}
	for _, tt := range tests {
		t.Run(tt.t.String(), func(t *testing.T) {
			if got := align(tt.t, tt.step); !got.Equal(tt.want) {
				t.Errorf("align(%v, %v) = %v, want %v", tt.t, tt.step, got, tt.want)
			}
		})
	}
}
