package results

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/perftop/perftop/internal/jsonfloat"
)

// TimelineSuffix ends the name of a results file's timeline stream:
// OUT.timeline.jsonl next to OUT.
const TimelineSuffix = ".timeline.jsonl"

// Timeline streams a run's timeline to OUT.timeline.jsonl while it runs,
// one JSON object per line, synced to disk at most once a second: if the
// process is killed outright (SIGKILL, a crash, the machine going down), the
// file still holds every complete second up to the last one. Non-finite
// floats are the strings "NaN", "+Inf" and "-Inf", as in the results file.
// It is used by one goroutine, the engine's collector.
type Timeline struct {
	f        *os.File
	lastSync time.Time
	err      error
}

// CreateTimeline creates (or replaces) the timeline file at path. When path
// is a results file's OUT.timeline.jsonl, it gets OUT's permissions if OUT
// exists (WriteFile will keep them), else 0644 less the umask, as OUT will
// get; and a symbolic link at OUT is refused now rather than when the run
// ends and WriteFile would refuse it. A link at path itself is refused too.
func CreateTimeline(path string) (*Timeline, error) {
	perm, exists := fs.FileMode(0o644), false
	if out, ok := strings.CutSuffix(path, TimelineSuffix); ok && out != "" {
		var err error
		if perm, exists, err = checkTarget(out); err != nil {
			return nil, err
		}
	}
	_, old, err := checkTarget(path)
	if err != nil {
		return nil, err
	}
	if old { // a new file, so that it gets perm, not the old one's mode
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("timeline: %w", err)
		}
	}
	// O_EXCL: nothing, not even a link made meanwhile, is followed.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	if exists {
		if err := f.Chmod(perm); err != nil {
			f.Close()
			return nil, fmt.Errorf("timeline: %w", err)
		}
	}
	return &Timeline{f: f}, nil
}

// Append writes one entry as a whole line; the first write error stops the
// streaming and is kept for Close.
func (t *Timeline) Append(p TimelinePoint) {
	if t.err != nil {
		return
	}
	line, err := jsonfloat.Marshal(p)
	if err != nil {
		t.err = fmt.Errorf("timeline: %w", err)
		return
	}
	if _, err := t.f.Write(append(line, '\n')); err != nil {
		t.err = fmt.Errorf("timeline: %w", err)
		return
	}
	if now := time.Now(); now.Sub(t.lastSync) >= time.Second {
		t.err = t.f.Sync()
		t.lastSync = now
	}
}

// Close syncs and closes the file.
func (t *Timeline) Close() error {
	if err := t.f.Sync(); err != nil && t.err == nil {
		t.err = err
	}
	if err := t.f.Close(); err != nil && t.err == nil {
		t.err = err
	}
	return t.err
}
