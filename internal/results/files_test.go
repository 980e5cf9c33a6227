package results

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// newFileMode is what a new file made with 0644 gets here: 0644 less the
// umask.
func newFileMode(t *testing.T) fs.FileMode {
	t.Helper()
	p := filepath.Join(t.TempDir(), "probe")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	fi, _ := os.Stat(p)
	return fi.Mode().Perm()
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode()
}

func minimal() *File {
	return &File{SchemaVersion: SchemaVersion, Result: &Result{Requests: 1}}
}

func skipOnWindows(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions and links")
	}
}

// TestWriteFileModes: a new file is 0644 less the umask, an existing one
// keeps its mode whatever the umask, and so does its timeline.
func TestWriteFileModes(t *testing.T) {
	skipOnWindows(t)
	want := newFileMode(t)
	for _, tt := range []struct {
		name     string
		existing fs.FileMode // 0: no file yet
	}{{"new", 0}, {"existing 0600", 0o600}, {"existing 0640", 0o640}, {"existing 0666", 0o666}} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "r.json")
			wantMode := want
			if tt.existing != 0 {
				if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tt.existing); err != nil {
					t.Fatal(err)
				}
				wantMode = tt.existing
			}
			tl, err := CreateTimeline(path + TimelineSuffix)
			if err != nil {
				t.Fatal(err)
			}
			tl.Append(TimelinePoint{Seconds: 1})
			if err := tl.Close(); err != nil {
				t.Fatal(err)
			}
			if err := WriteFile(path, minimal()); err != nil {
				t.Fatal(err)
			}
			if got := mode(t, path); got != wantMode {
				t.Errorf("results file %v, want %v", got, wantMode)
			}
			if got := mode(t, path+TimelineSuffix); got != wantMode {
				t.Errorf("timeline %v, want the results file's %v", got, wantMode)
			}
			if err := WriteFile(path, minimal()); err != nil || mode(t, path) != wantMode {
				t.Errorf("rewritten: %v %v", err, mode(t, path))
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 2 {
				t.Errorf("left behind: %v", entries)
			}
		})
	}
}

// TestTimelineReplacesOldMode: an old timeline's own mode does not survive.
func TestTimelineReplacesOldMode(t *testing.T) {
	skipOnWindows(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	old := path + TimelineSuffix
	if err := os.WriteFile(old, []byte("{}\n{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(old, 0o777)
	tl, err := CreateTimeline(old)
	if err != nil {
		t.Fatal(err)
	}
	tl.Close()
	if got, want := mode(t, old), newFileMode(t); got != want {
		t.Errorf("timeline %v, want %v as for a new results file", got, want)
	}
	if b, _ := os.ReadFile(old); len(b) != 0 {
		t.Errorf("old timeline kept: %q", b)
	}
}

// TestSymlinksRefused: a link at the results path, or at its timeline's, is
// refused with a message naming it; the link and its target are untouched.
func TestSymlinksRefused(t *testing.T) {
	skipOnWindows(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "yesterday.json")
	if err := os.WriteFile(target, []byte("yesterday's run"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "latest.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "dangling.json")
	_ = os.Symlink(filepath.Join(dir, "nowhere"), dangling)
	for name, try := range map[string]func() error{
		"WriteFile":             func() error { return WriteFile(link, minimal()) },
		"WriteFile, dangling":   func() error { return WriteFile(dangling, minimal()) },
		"CreateTimeline of OUT": func() error { _, err := CreateTimeline(link + TimelineSuffix); return err },
		"CreateTimeline, link": func() error {
			tl := filepath.Join(dir, "x.json"+TimelineSuffix)
			_ = os.Symlink(target, tl)
			_, err := CreateTimeline(tl)
			return err
		},
	} {
		err := try()
		if err == nil || !strings.Contains(err.Error(), "is a symbolic link") || !strings.Contains(err.Error(), "own path") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "yesterday's run" {
		t.Errorf("target changed: %q", b)
	}
	if mode(t, link)&fs.ModeSymlink == 0 {
		t.Error("link replaced")
	}
	if _, err := os.Lstat(link + TimelineSuffix); err == nil {
		t.Error("timeline created for a refused results path")
	}
	if err := WriteFile(dir, minimal()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
}

// TestReadFileTooLarge: a file over MaxFileSize is refused by its size,
// without reading it.
func TestReadFileTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	_, err = ReadFile(path)
	if err == nil || !strings.Contains(err.Error(), "larger than 256 MiB") {
		t.Fatalf("err = %v", err)
	}
	if data, err := readLimited(path, 10); err == nil || data != nil {
		t.Fatalf("limited read: %v", err)
	}
	if err := os.Truncate(path, 10); err != nil {
		t.Fatal(err)
	}
	if data, err := readLimited(path, 10); err != nil || len(data) != 10 {
		t.Fatalf("at the limit: %v %d", err, len(data))
	}
}
