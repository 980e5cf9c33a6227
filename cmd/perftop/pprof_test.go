package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

//go:noinline
func hotSpin(n int) uint64 {
	var x uint64 = 1
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

// pprofTarget is a Go service with net/http/pprof whose / spends its time
// in hotSpin(n): a slow build with a large n, a fast one with a small n.
func pprofTarget(t *testing.T, n int) string {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte{byte(hotSpin(n))}) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

type profiledRun struct {
	Profile struct {
		CPUFile  string `json:"cpu_file"`
		HeapFile string `json:"heap_file"`
		Profiles int    `json:"profiles"`
		Top      []struct {
			Name      string  `json:"name"`
			FlatShare float64 `json:"flat_share"`
			CumShare  float64 `json:"cum_share"`
		} `json:"top_functions"`
	} `json:"profile"`
}

// runProfiled runs the real binary against url with --pprof and returns
// the results file's path and its profile.
func runProfiled(t *testing.T, url, name string) (string, profiledRun) {
	t.Helper()
	out := filepath.Join(t.TempDir(), name+".json")
	cmd := exec.Command(binary(t), "run", "--headless", "-c", "2", "-d", "6s", "--pprof", url, "-o", out, url+"/")
	cmd.Env = append(os.Environ(), "PERFTOP_CONFIG_DIR="+t.TempDir())
	summary, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, summary)
	}
	if !strings.Contains(string(summary), "profile     ") || !strings.Contains(string(summary), "hotSpin") {
		t.Errorf("the summary has no profile line naming hotSpin:\n%s", summary)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var r profiledRun
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	return out, r
}

func share(r profiledRun, suffix string) float64 {
	for _, f := range r.Profile.Top {
		if strings.HasSuffix(f.Name, suffix) {
			return f.CumShare
		}
	}
	return 0
}

// TestRunProfilesTheTarget: a run with --pprof saves the target's CPU and
// heap profiles beside the results file; go tool pprof reads the CPU one
// and agrees that hotSpin is where the time went; compare against a fast
// build shows hotSpin's share fall.
func TestRunProfilesTheTarget(t *testing.T) {
	slowOut, slow := runProfiled(t, pprofTarget(t, 4_000_000), "slow")
	p := slow.Profile
	if p.Profiles < 1 || p.CPUFile != "slow.cpu.pb.gz" || p.HeapFile != "slow.heap.pb.gz" {
		t.Fatalf("profile %+v: want a CPU profile or more and both files named", p)
	}
	if s := share(slow, ".hotSpin"); s < 0.5 {
		t.Errorf("hotSpin holds %.0f%% of the CPU, want most", s*100)
	}
	cpuFile := filepath.Join(filepath.Dir(slowOut), p.CPUFile)
	// The profiles are written as the results file is: the same mode.
	if a, b := stat(t, cpuFile), stat(t, slowOut); a.Mode().Perm() != b.Mode().Perm() {
		t.Errorf("%s has mode %v, the results file %v", p.CPUFile, a.Mode().Perm(), b.Mode().Perm())
	}
	top, err := exec.Command("go", "tool", "pprof", "-top", "-cum", cpuFile).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof: %v\n%s", err, top)
	}
	if !strings.Contains(string(top), "hotSpin") {
		t.Errorf("go tool pprof -top does not show hotSpin:\n%s", top)
	}
	fastOut, fast := runProfiled(t, pprofTarget(t, 400_000), "fast")
	if share(fast, ".hotSpin") >= share(slow, ".hotSpin") {
		t.Errorf("hotSpin's share %.2f in the fast build, %.2f in the slow: want it lower", share(fast, ".hotSpin"), share(slow, ".hotSpin"))
	}
	code, cmp, errOut := runCLI(t, nil, "compare", slowOut, fastOut)
	if code != 0 || !strings.Contains(cmp, "function (flat share of CPU)") || !strings.Contains(cmp, "hotSpin") {
		t.Errorf("compare: exit %d %s\n%s", code, errOut, cmp)
	}
}

// TestProfileScreenInTerminal: the Profile screen, in a real terminal,
// shows the target's hot function at the top.
func TestProfileScreenInTerminal(t *testing.T) {
	url := pprofTarget(t, 4_000_000)
	tm := newTerm(t, 120, 40, []string{"PERFTOP_CONFIG_DIR=" + t.TempDir(), "TERM=screen-256color"},
		binary(t)+" run -c 2 -d 30s --pprof-seconds 2 --pprof "+url+" "+url+"/")
	tm.waitText("1 Load")
	tm.keys("2")
	screen := tm.waitFor("hotSpin on the Profile screen", func(s string) bool {
		return strings.Contains(s, "Functions") && strings.Contains(s, "hotSpin")
	})
	if !strings.Contains(screen, "FLAT%") || !strings.Contains(screen, "Heap in use") {
		t.Errorf("Profile screen:\n%s", screen)
	}
	tm.keys("q")
	tm.waitText("perftop-exit=")
}

func stat(t *testing.T, path string) os.FileInfo {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

// TestRunPprofDown: a run whose pprof endpoint is down still runs, and
// says why it has no profile.
func TestRunPprofDown(t *testing.T) {
	target := pprofTarget(t, 1000)
	code, _, errOut := runCLI(t, nil, "run", "--headless", "-c", "1", "-d", "2s", "--pprof", "http://127.0.0.1:1", target+"/")
	if code != 0 || !strings.Contains(errOut, "--pprof: no CPU profile completed (endpoint down") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
