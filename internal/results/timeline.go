package results

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Timeline streams a run's timeline to OUT.timeline.jsonl while it runs,
// one JSON object per line, synced to disk at most once a second: if the
// process is killed outright (SIGKILL, a crash, the machine going down), the
// file still holds every complete second up to the last one. It is used by
// one goroutine, the engine's collector.
type Timeline struct {
	f        *os.File
	lastSync time.Time
	err      error
}

// CreateTimeline creates (or truncates) the timeline file at path.
func CreateTimeline(path string) (*Timeline, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return &Timeline{f: f}, nil
}

// Append writes one entry as a whole line; the first write error stops the
// streaming and is kept for Close.
func (t *Timeline) Append(p TimelinePoint) {
	if t.err != nil {
		return
	}
	line, err := json.Marshal(p)
	if err != nil {
		t.err = err
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
