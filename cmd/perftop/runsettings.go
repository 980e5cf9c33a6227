package main

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/results"
	"github.com/perftop/perftop/internal/sources/load"
)

// checkWritable makes sure the results file can be written before the test
// runs, rather than losing the results at the end.
func checkWritable(path string) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".perftop-check-*")
	if err != nil {
		return errors.Unwrap(err)
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}

// settingsOf records the settings for the results file, without secrets.
func settingsOf(f *runFlags, o load.Options) results.Settings {
	s := results.Settings{
		Mode: string(metrics.ClosedLoop), Concurrency: o.Concurrency, MaxInFlight: o.MaxInFlight,
		DurationSeconds: o.Duration.Seconds(), Requests: o.MaxRequests, Stages: resultsStages(o.Stages), Profile: f.profile,
		TimeoutSeconds: o.Client.Timeout.Seconds(), HTTP2: f.http2, Insecure: f.insecure, KeepAlive: !f.noKeepAlive,
		MaxRedirects: f.maxRedirects, UnixSocket: f.unixSocket, Host: f.host,
	}
	if o.Rate > 0 || o.Open {
		s.Mode, s.Rate, s.Concurrency = string(metrics.OpenLoop), o.Rate, 0
	} else {
		s.MaxInFlight = 0
	}
	if len(o.Stages) > 0 {
		s.StagesOf = f.stagesOf
	}
	seen := 0
	for _, r := range o.Requests {
		if seen >= 16 { // a long mix's requests need not all be listed
			break
		}
		seen++
		t := results.Target{Name: r.Name, Method: r.Method, URL: r.URL.Redacted(), Weight: r.Weight,
			BodyBytes: len(r.Body), ThinkSeconds: r.Think.Seconds()}
		for k := range r.Header {
			t.HeaderNames = append(t.HeaderNames, k)
		}
		s.Targets = append(s.Targets, t)
	}
	for _, sp := range o.SplitBy {
		s.SplitBy = append(s.SplitBy, sp.String())
	}
	if len(o.SplitBy) > 0 {
		s.SplitMax = o.SplitMax
	}
	if k := o.Client.Keys; k.N > 0 {
		dist := "uniform"
		if k.ZipfS > 0 {
			dist = "zipf:" + strconv.FormatFloat(k.ZipfS, 'g', -1, 64)
		}
		s.Keys = &results.KeySettings{N: k.N, Dist: dist, Seed: strconv.FormatUint(k.Seed, 10)}
	}
	return s
}
