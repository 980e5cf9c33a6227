// Package results is the results file of a load test: its versioned schema
// and an atomic writer, so that a crash or a kill never leaves a half-written
// file behind.
package results

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/perftop/perftop/internal/jsonfloat"
	"github.com/perftop/perftop/internal/units"
)

// SchemaVersion is the version of the results file this perftop writes.
// Readers refuse files of a newer version.
const SchemaVersion = 1

// LegacyLateAfter is the threshold behind the late_sends of a results file
// that does not say its own (late_after_seconds): a send counted as late
// when it started more than this after its intended time. perftop counted
// from 10 ms until it counted from 1 ms and began to write the threshold.
const LegacyLateAfter = 10 * time.Millisecond

// LateAfter is the threshold behind r.LateSends.
func (r *Result) LateAfter() time.Duration {
	if s := r.LateAfterSeconds; s > 0 && s < 3600 {
		return time.Duration(s * float64(time.Second))
	}
	return LegacyLateAfter
}

// MaxFileSize bounds the results files ReadFile reads: a file is data from
// outside. An hour's run at 1 s intervals is about 1 MB; a larger file is
// refused rather than read.
const MaxFileSize = 256 << 20

// File is a results file: the run's Result, when and how it ran. Units are
// seconds and bytes throughout. Its JSON form is the file's schema: field
// names, order and encoding are part of SchemaVersion. A float that is not
// a number (an SLO's value when nothing was answered) or is infinite is
// written as the string "NaN", "+Inf" or "-Inf", as Prometheus's HTTP API
// writes it (package jsonfloat).
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
	// Profile is the target's profiling (--pprof), nil without it.
	Profile *Profile `json:"profile,omitempty"`
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

// WriteFile writes f to path atomically: to a temporary file in the same
// directory, synced, then renamed over path. Readers see the old file or
// the new one, never a part. An existing file keeps its permissions; a new
// one is 0644 less the umask. A symbolic link at path is refused, see
// checkTarget.
func WriteFile(path string, f *File) error {
	data, err := encodeFile(f)
	if err != nil {
		return err
	}
	return writeAtomic(path, data)
}

// WriteBytes writes data to path as WriteFile writes a results file:
// atomically, with its permissions, refusing a link. The files written
// beside a results file (its profiles) use it.
func WriteBytes(path string, data []byte) error { return writeAtomic(path, data) }

// encodeFile is a results file's bytes.
func encodeFile(f *File) ([]byte, error) {
	data, err := jsonfloat.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode results: %w", err)
	}
	return append(data, '\n'), nil
}

// checkTarget says how to write a results file (or its timeline) at path:
// with the permissions of the regular file there, or 0644 (less the umask)
// when there is none. It refuses a symbolic link: writing through it would
// replace whatever it points at (a latest.json link, yesterday's run), and
// resolving it in perftop to keep the rename atomic would bypass the
// kernel's protected_symlinks check in shared directories such as /tmp;
// replacing the link, as perftop once did, silently broke it. Anything else
// that is not a regular file (a directory, a device) is refused too.
func checkTarget(path string) (perm fs.FileMode, exists bool, err error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 0o644, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("write results: %w", err)
	case fi.Mode()&fs.ModeSymlink != 0:
		to, _ := os.Readlink(path)
		return 0, false, fmt.Errorf("write results: %s is a symbolic link (to %s): perftop writes only to a file's own path, so give that", path, to)
	case !fi.Mode().IsRegular():
		return 0, false, fmt.Errorf("write results: %s is not a regular file", path)
	}
	return fi.Mode().Perm(), true, nil
}

// createFile creates a new file in dir named prefix and a random suffix,
// with permissions perm less the umask, as os.CreateTemp does with 0600.
func createFile(dir, prefix string, perm fs.FileMode) (*os.File, error) {
	for range 1000 {
		name := filepath.Join(dir, prefix+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("create a temporary file in %s: too many attempts", dir)
}

func writeAtomic(path string, data []byte) (err error) {
	perm, exists, err := checkTarget(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := createFile(dir, "."+filepath.Base(path)+".tmp-", perm)
	if err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if exists { // exactly the old file's permissions, whatever the umask
		if err = tmp.Chmod(perm); err != nil {
			return fmt.Errorf("write results: %w", err)
		}
	}
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

// ReadFile reads a results file of at most MaxFileSize bytes, refusing
// versions newer than this perftop knows.
func ReadFile(path string) (*File, error) { return ReadFileLimit(path, MaxFileSize) }

// ReadFileLimit is ReadFile with a limit of its own (report and compare's
// --max-file-size).
func ReadFileLimit(path string, limit int64) (*File, error) {
	data, err := readLimited(path, limit)
	if err != nil {
		return nil, err
	}
	return parseFile(path, data)
}

// parseFile is ReadFile after the reading: path names the file in errors.
func parseFile(path string, data []byte) (*File, error) {
	var f File
	if err := jsonfloat.Unmarshal(data, &f); err != nil {
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

// readLimited reads the file at path, refusing one of more than limit
// bytes, by its size or, for one that grows or has none (a pipe), by what
// it gives.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tooBig := fmt.Errorf("%s: larger than %s, too large for a results file (raise --max-file-size)", path, units.Bytes(float64(limit)))
	if fi, err := f.Stat(); err == nil && fi.Size() > limit {
		return nil, tooBig
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, tooBig
	}
	return data, nil
}
