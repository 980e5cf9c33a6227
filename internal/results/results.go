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
// seconds and bytes throughout. Its JSON form is the file's schema: field
// names, order and encoding are part of SchemaVersion.
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
	// Result's fields are the file's top-level measurements; ReadFile
	// refuses a file without any.
	*Result
	Stress *Stress   `json:"stress,omitempty"`
	SLOs   []Verdict `json:"slos,omitempty"`
	// LatencyHDR is the whole run's latency histogram (microseconds, 1µs
	// to 1h, 3 significant digits) in HdrHistogram's standard compressed,
	// base64 encoding, so any percentile can be computed later, by perftop
	// or any HdrHistogram tool.
	LatencyHDR string `json:"latency_histogram_hdr,omitempty"`
}

// EncodeHistogram sets f.LatencyHDR from h, the whole run's latency in
// microseconds; a nil h leaves it as it is.
func (f *File) EncodeHistogram(h *hdrhistogram.Histogram) error {
	if h == nil {
		return nil
	}
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
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
