//go:build linux

package system

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

// TestProcReaderFakeProc runs the lean /proc readers on a fake tree with a
// process that exited after listing, one with a garbled line and entries that
// are not processes.
func TestProcReaderFakeProc(t *testing.T) {
	root := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("300/stat", "300 (worker (2)) R 1 1 1 0 -1 0 0 0 0 0 250 50 0 0 20 0 4 0 77 0 10 0\n")
	write("300/cmdline", "worker\x00--threads\x002\x00")
	write("1/stat", "1 (init) S 0 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 1 0 3 0\n")
	write("1/cmdline", "") // a kernel thread's
	write("2/stat", "garbage")
	write("self/stat", "1 (init) S 0 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 1 0 3 0\n")
	write("diskstats", diskstats)
	if err := os.Mkdir(filepath.Join(root, "40"), 0o755); err != nil { // exited: no stat
		t.Fatal(err)
	}

	r := NewProcReader(root)
	defer r.Close()
	var got Raw
	r.Read(context.Background(), PartProcesses|PartDisks, &got)
	if got.Processes.Err != nil || got.Disks.Err != nil {
		t.Fatalf("errors: processes %v, disks %v", got.Processes.Err, got.Disks.Err)
	}
	page := uint64(os.Getpagesize())
	me := r.st.userName(uint32(os.Getuid()))
	want := []ProcSample{
		{PID: 1, Start: 1, Name: "init", Command: "[init]", User: me, State: 'S', Threads: 1, CPU: 30 * time.Millisecond, RSS: 3 * page},
		{PID: 300, Start: 77, Name: "worker (2)", Command: "worker --threads 2", User: me, State: 'R', Threads: 4, CPU: 3 * time.Second, RSS: 10 * page},
	}
	if !reflect.DeepEqual(got.Processes.List, want) {
		t.Errorf("processes\n got %+v\nwant %+v", got.Processes.List, want)
	}
	if want := parseDiskstats([]byte(diskstats), nil); !reflect.DeepEqual(got.Disks.Devices, want) {
		t.Errorf("disks\n got %+v\nwant %+v", got.Disks.Devices, want)
	}
	if got.Processes.T.IsZero() || got.Disks.T.IsZero() {
		t.Error("parts not stamped")
	}

	// The next reading rereads the files kept open, opens new processes and
	// closes the files of processes that are gone.
	write("300/stat", "300 (worker (2)) R 1 1 1 0 -1 0 0 0 0 0 350 50 0 0 20 0 4 0 77 0 12 0\n")
	write("5/stat", "5 (new) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 90 0 1 0\n")
	if err := os.RemoveAll(filepath.Join(root, "1")); err != nil {
		t.Fatal(err)
	}
	r.Read(context.Background(), PartProcesses, &got)
	want = []ProcSample{
		{PID: 5, Start: 90, Name: "new", User: me, State: 'S', Threads: 1, RSS: page},
		{PID: 300, Start: 77, Name: "worker (2)", Command: "worker --threads 2", User: me, State: 'R', Threads: 4, CPU: 4 * time.Second, RSS: 12 * page},
	}
	if !reflect.DeepEqual(got.Processes.List, want) {
		t.Errorf("second reading\n got %+v\nwant %+v", got.Processes.List, want)
	}
	var kept []int32
	for pid := range r.st.kept {
		kept = append(kept, pid)
	}
	slices.Sort(kept)
	// 2 stays open although its line is garbage: it is still listed.
	if want := []int32{2, 5, 300}; !reflect.DeepEqual(kept, want) {
		t.Errorf("kept files of %v, want %v", kept, want)
	}
	if _, ok := r.st.cmds[1]; ok || len(r.st.cmds) != 2 {
		t.Errorf("command lines kept for %d processes, 1 among them: want those of 5 and 300", len(r.st.cmds))
	}
	// A steady reading reads no command line anew, so makes no new string:
	// its allocations are the 3 it made before there were command lines
	// (the error of PID 2's garbage line among them).
	if allocs := testing.AllocsPerRun(5, func() { r.Read(context.Background(), PartProcesses, &got) }); allocs > 3 {
		t.Errorf("a steady reading of 3 processes made %.0f allocations", allocs)
	}
	r.Close()
	if len(r.st.kept) != 0 {
		t.Errorf("Close left %d files open", len(r.st.kept))
	}
}

func TestLeanReadersMissingProc(t *testing.T) {
	root := filepath.Join(t.TempDir(), "gone")
	r := NewProcReader(root)
	var got Raw
	r.Read(context.Background(), PartProcesses|PartDisks, &got)
	tests := []struct {
		part Parts
		want string
	}{
		{PartProcesses, "open " + root + ": no such file or directory"},
		{PartDisks, "open " + root + "/diskstats: no such file or directory"},
	}
	for _, tc := range tests {
		t.Run(tc.part.String(), func(t *testing.T) {
			if err := got.err(tc.part); err == nil || err.Error() != tc.want {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestProcReadGrowsBuffer(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "big")
	data := make([]byte, 10000)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var s procState
	defer s.close()
	var k keptPath
	for range 2 { // opened, then kept
		got, err := s.readPath(&k, dir, "big")
		if err != nil || string(got) != string(data) {
			t.Errorf("read %d bytes, err %v; want %d bytes", len(got), err, len(data))
		}
	}
}

// TestProcReaderRealProcesses checks on the real /proc that a kept stat file
// shows fresh numbers, and that a process that exits leaves the table and
// closes its file.
func TestProcReaderRealProcesses(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep(1) to start")
	}
	child := exec.Command(sleep, "60")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	r := NewProcReader("")
	defer r.Close()
	ctx := context.Background()
	find := func(raw *Raw, pid int) *ProcSample {
		for i := range raw.Processes.List {
			if raw.Processes.List[i].PID == int32(pid) {
				return &raw.Processes.List[i]
			}
		}
		return nil
	}
	var a, b Raw
	r.Read(ctx, PartProcesses, &a)
	me, kid := find(&a, os.Getpid()), find(&a, child.Process.Pid)
	if me == nil || kid == nil || kid.Name != "sleep" {
		t.Fatalf("this process %+v, child %+v", me, kid)
	}
	used := me.CPU
	for spin := time.Now().Add(50 * time.Millisecond); time.Now().Before(spin); {
	}
	child.Process.Kill()
	child.Wait()
	r.Read(ctx, PartProcesses, &b)
	if me := find(&b, os.Getpid()); me == nil || me.CPU <= used {
		t.Errorf("CPU time of this process did not grow from %v: %+v", used, me)
	}
	if kid := find(&b, child.Process.Pid); kid != nil {
		t.Errorf("child still listed after it exited: %+v", kid)
	}
	if _, ok := r.st.kept[int32(child.Process.Pid)]; ok {
		t.Error("child's stat file still open")
	}
}

// TestHostileProcessName: a process's name is whatever its executable is
// called (or what it sets with prctl): one named with escape sequences
// reaches the dashboard as printable text, its controls turned to spaces.
func TestHostileProcessName(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep(1) to copy")
	}
	bin, err := os.ReadFile(sleep)
	if err != nil {
		t.Fatal(err)
	}
	name := "\x1b]0;pwn\x07\x1b[2J\r\n"
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	child := exec.Command(path, "60")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { child.Process.Kill(); child.Wait() }()
	r := NewProcReader("")
	defer r.Close()
	var raw Raw
	raw.Parts = PartProcesses
	r.Read(context.Background(), PartProcesses, &raw)
	var got *ProcSample
	for i := range raw.Processes.List {
		if raw.Processes.List[i].PID == int32(child.Process.Pid) {
			got = &raw.Processes.List[i]
		}
	}
	if got == nil || got.Name != name {
		t.Fatalf("the child as read: %+v; want the name %q", got, name)
	}
	h := Derive(Raw{}, raw, len(raw.Processes.List))
	for _, p := range h.Processes.Top {
		if p.PID == int32(child.Process.Pid) {
			if p.Name != "]0;pwn [2J" {
				t.Fatalf("the dashboard's name: %q; want %q", p.Name, "]0;pwn [2J")
			}
			return
		}
	}
	t.Fatalf("the child is not among the %d processes derived", len(h.Processes.Top))
}
