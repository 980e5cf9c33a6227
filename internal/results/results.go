// Package results is the results file of a load test: its versioned schema
// and an atomic writer, so that a crash or a kill never leaves a half-written
// file behind.
package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/perftop/perftop/internal/sources/load"
)

// SchemaVersion is the version of the results file this perftop writes.
// Readers refuse files of a newer version.
const SchemaVersion = 1

// LateAfter is the threshold behind a results file's late_sends: a send
// counts as late when it starts more than this after its intended time.
// Files do not record it; every file of schema version 1 was written with
// this value, perftop's engine's own (a test in cmd/perftop holds the two
// equal). A perftop that makes it configurable must add it to Settings.
const LateAfter = 10 * time.Millisecond

// File is a results file: the run's Result, when and how it ran. Units are
// seconds and bytes throughout.
type File struct {
	SchemaVersion int       `json:"schema_version"`
	Tool          string    `json:"tool"`
	Version       string    `json:"version"`
	StartedAt     time.Time `json:"started_at"`
	EndedAt       time.Time `json:"ended_at"`
	// Stopped says how the run ended: "completed", "stopped" (s, Ctrl-C,
	// SIGTERM), "broke" (a stress test found its breaking point), or
	// "aborted" (--abort-on-slo).
	Stopped  string   `json:"stopped"`
	Settings Settings `json:"settings"`
	*load.Result
	Stress *Stress   `json:"stress,omitempty"`
	SLOs   []Verdict `json:"slos,omitempty"`
	// LatencyHDR is the whole run's latency histogram (microseconds, 1µs
	// to 1h, 3 significant digits) in HdrHistogram's standard compressed,
	// base64 encoding, so any percentile can be computed later, by perftop
	// or any HdrHistogram tool.
	LatencyHDR string `json:"latency_histogram_hdr,omitempty"`
}

// EncodeHistogram sets f.LatencyHDR from the result's histogram.
func (f *File) EncodeHistogram() error {
	if f.Result == nil || f.LatencyHistogram == nil {
		return nil
	}
	b, err := f.LatencyHistogram.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return fmt.Errorf("encode latency histogram: %w", err)
	}
	f.LatencyHDR = string(b)
	return nil
}

// Histogram decodes the stored latency histogram; nil when the file has
// none.
func (f *File) Histogram() (*hdrhistogram.Histogram, error) {
	if f.LatencyHDR == "" {
		return nil, nil
	}
	h, err := hdrhistogram.Decode([]byte(f.LatencyHDR))
	if err != nil {
		return nil, fmt.Errorf("latency histogram: %w", err)
	}
	return h, nil
}

// Settings are the test's settings as given, minus secrets: URLs lose their
// passwords and headers keep only their names.
type Settings struct {
	Mode            string       `json:"mode"` // "closed" or "open"
	Concurrency     int          `json:"concurrency,omitempty"`
	Rate            float64      `json:"rate,omitempty"`
	MaxInFlight     int          `json:"max_inflight,omitempty"`
	DurationSeconds float64      `json:"duration_seconds,omitempty"`
	Requests        int64        `json:"requests,omitempty"`
	Stages          []load.Stage `json:"stages,omitempty"`
	StagesOf        string       `json:"stages_of,omitempty"`
	Profile         string       `json:"profile,omitempty"`
	Targets         []Target     `json:"targets"`
	TimeoutSeconds  float64      `json:"timeout_seconds"`
	HTTP2           bool         `json:"http2"`
	Insecure        bool         `json:"insecure"`
	KeepAlive       bool         `json:"keepalive"`
	MaxRedirects    int          `json:"max_redirects"`
	UnixSocket      string       `json:"unix_socket,omitempty"`
	Host            string       `json:"host,omitempty"`
	Transport       string       `json:"transport"` // "fast-http1" or "net/http"
	// EventLoop says the closed loop's workers ran on event loops rather
	// than as goroutines: compare like with like.
	EventLoop bool `json:"event_loop,omitempty"`
}

// Target is one request of the mix.
type Target struct {
	Name         string   `json:"name,omitempty"`
	Method       string   `json:"method"`
	URL          string   `json:"url"`
	Weight       int      `json:"weight"`
	HeaderNames  []string `json:"header_names,omitempty"`
	BodyBytes    int      `json:"body_bytes,omitempty"`
	ThinkSeconds float64  `json:"think_seconds,omitempty"`
}

// Stress is a stress profile's finding.
type Stress struct {
	LastGoodLevel float64 `json:"last_good_level"`
	BrokeAtLevel  float64 `json:"broke_at_level,omitempty"`
	BrokeBecause  string  `json:"broke_because,omitempty"`
}

// WriteFile writes f to path atomically: to a temporary file in the same
// directory, synced, then renamed over path. Readers see the old file or
// the new one, never a part.
func WriteFile(path string, f *File) error {
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	return writeAtomic(path, append(data, '\n'))
}

func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync() // make the rename durable where the filesystem allows
		d.Close()
	}
	return nil
}

// ReadFile reads a results file, refusing versions newer than this perftop
// knows.
func ReadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: not a perftop results file: %w", path, err)
	}
	switch {
	case f.SchemaVersion == 0:
		return nil, fmt.Errorf("%s: not a perftop results file (no schema_version)", path)
	case f.SchemaVersion > SchemaVersion:
		return nil, fmt.Errorf("%s: results schema version %d is newer than this perftop's %d: upgrade perftop", path, f.SchemaVersion, SchemaVersion)
	}
	if f.Result == nil {
		return nil, errors.New(path + ": results file has no results")
	}
	return &f, nil
}
