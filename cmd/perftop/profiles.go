package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/pprof/profile"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/profiles"
	"github.com/perftop/perftop/internal/results"
)

// profileOf is the results file's record of the target's profiling: the
// merged CPU profile's top functions; nil without a CPU profile.
func profileOf(cpu *profile.Profile, count int) *results.Profile {
	if cpu == nil {
		return nil
	}
	s := profiles.Summarize(cpu)
	p := &results.Profile{Seconds: s.Seconds, CPUSeconds: s.Total, Profiles: count}
	for _, f := range s.Funcs[:min(len(s.Funcs), results.MaxProfileFuncs)] {
		p.Top = append(p.Top, results.ProfileFunc{Name: f.Name, Flat: f.Flat, Cum: f.Cum, FlatShare: f.FlatShare, CumShare: f.CumShare})
	}
	return p
}

// profileBase is where a results file's profiles go: out.json's are
// out.cpu.pb.gz and out.heap.pb.gz.
func profileBase(out string) string { return strings.TrimSuffix(out, filepath.Ext(out)) }

// saveProfiles writes the CPU and heap profiles beside the results file
// out, each atomically (a temporary file renamed), and names them in rec,
// relative to out's directory.
func saveProfiles(rec *results.Profile, out string, cpu, heap *profile.Profile) error {
	for _, p := range []struct {
		prof *profile.Profile
		name *string
		ext  string
	}{{cpu, &rec.CPUFile, ".cpu.pb.gz"}, {heap, &rec.HeapFile, ".heap.pb.gz"}} {
		if p.prof == nil {
			continue
		}
		path := profileBase(out) + p.ext
		if err := writeProfile(path, p.prof); err != nil {
			return fmt.Errorf("--pprof: %w", err)
		}
		*p.name = filepath.Base(path)
	}
	return nil
}

func writeProfile(path string, p *profile.Profile) error {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := p.Write(tmp); err != nil { // gzipped, as pprof writes it
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// profileCount is how many CPU profiles the store's profiling has seen.
func profileCount(st *metrics.Store) int {
	var sn metrics.Snapshot
	st.Snapshot(&sn)
	if sn.Profile == nil {
		return 0
	}
	return sn.Profile.Count
}
