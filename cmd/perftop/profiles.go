package main

import (
	"bytes"
	"fmt"
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
// out, as the results file is written (atomically, 0644 less the umask or
// the old file's mode, no link followed), and names them in rec, relative
// to out's directory.
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

// writeProfile writes p gzipped, as pprof writes it, with the results
// file's care (results.WriteBytes).
func writeProfile(path string, p *profile.Profile) error {
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		return err
	}
	return results.WriteBytes(path, b.Bytes())
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

// noProfileWhy says why a run with --pprof has no CPU profile: the
// endpoint's last error, or a run shorter than one profile.
func noProfileWhy(st *metrics.Store, seconds int) string {
	var sn metrics.Snapshot
	st.Snapshot(&sn)
	if sn.Profile != nil && sn.Profile.Error != "" {
		return sn.Profile.Error
	}
	return fmt.Sprintf("each takes %ds and pprof sends one only whole: run longer, or lower --pprof-seconds", seconds)
}
