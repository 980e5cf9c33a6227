package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/perftop/perftop/internal/results"
	"github.com/perftop/perftop/internal/sources/load"
)

// TestRunKeyUsageErrors: key flags that make no test are one line and exit
// 2, before any test or dashboard starts.
func TestRunKeyUsageErrors(t *testing.T) {
	const keyed = "http://127.0.0.1:1/items/{key}"
	tests := []usageCase{
		{"unknown dist", []string{"run", "--keys", "10", "--key-dist", "foo", keyed}, `invalid --key-dist: "foo": want uniform, zipf or zipf:S`},
		{"zipf exponent", []string{"run", "--keys", "10", "--key-dist", "zipf:0", keyed}, `invalid --key-dist: zipf exponent "0": want a number above 0`},
		{"zipf not a number", []string{"run", "--keys", "10", "--key-dist", "zipf:x", keyed}, `zipf exponent "x"`},
		{"zero keys", []string{"run", "--keys", "0", keyed}, "invalid --keys 0: must be 1 or more"},
		{"negative keys", []string{"run", "--keys", "-3", keyed}, "invalid --keys -3"},
		{"keys without placeholder", []string{"run", "--keys", "10", "http://127.0.0.1:1/items/1"}, "--keys 10: no request says {key}"},
		{"placeholder without keys", []string{"run", keyed}, "a request says {key} but --keys is not given"},
		{"placeholder in a header", []string{"run", "-H", "X-Id: {key}", "http://127.0.0.1:1/"}, "a request says {key} but --keys is not given"},
		{"dist without keys", []string{"run", "--key-dist", "zipf", "http://127.0.0.1:1/"}, "--key-dist needs --keys N"},
		{"seed without keys", []string{"run", "--seed", "3", "http://127.0.0.1:1/"}, "--seed needs --keys N"},
	}
	checkUsageErrors(t, tests)
}

// keyTarget records the keys it is asked for, in order: the path's last
// element, or the perftop_id parameter.
func keyTarget(t *testing.T) (*httptest.Server, func() []string) {
	var mu sync.Mutex // guards keys
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k := r.URL.Query().Get("perftop_id")
		if k == "" {
			k = r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
		}
		mu.Lock()
		keys = append(keys, k)
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), keys...)
	}
}

// TestRunKeys: a headless run with --keys sends keys 0..N-1 where the URL
// says {key}, and one worker with the same --seed sends the same keys in
// the same order; another seed does not.
func TestRunKeys(t *testing.T) {
	runKeys := func(seed string) []string {
		srv, keys := keyTarget(t)
		code, _, stderr := runCLI(t, nil, "run", "--headless", "-c", "1", "-n", "60", "--keys", "5", "--key-dist", "zipf:1.1", "--seed", seed, srv.URL+"/items/{key}")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		return keys()
	}
	a, b, c := runKeys("42"), runKeys("42"), runKeys("43")
	if len(a) != 60 {
		t.Fatalf("%d requests reached the target, want 60", len(a))
	}
	for _, k := range a {
		if n, err := strconv.Atoi(k); err != nil || n < 0 || n > 4 {
			t.Fatalf("key %q outside 0..4: %v", k, a)
		}
	}
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Errorf("the same seed drew other keys:\n%v\n%v", a, b)
	}
	if strings.Join(a, ",") == strings.Join(c, ",") {
		t.Errorf("another seed drew the same keys: %v", a)
	}
}

// TestRunKeysRecorded: the results file says the keys, their
// distribution and the seed a run picked itself, and that seed given back
// as --seed sends the same keys again.
func TestRunKeysRecorded(t *testing.T) {
	srv, keys := keyTarget(t)
	out := filepath.Join(t.TempDir(), "r.json")
	if code, _, stderr := runCLI(t, nil, "run", "--headless", "-c", "1", "-n", "40", "--keys", "7", "--key-dist", "zipf:1.3", "-o", out, srv.URL+"/items/{key}"); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	first := keys()
	f, err := results.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	k := f.Settings.Keys
	if k == nil || k.N != 7 || k.Dist != "zipf:1.3" || k.Seed == "" {
		t.Fatalf("settings.keys %+v", k)
	}
	if code, _, stderr := runCLI(t, nil, "run", "--headless", "-c", "1", "-n", "40", "--keys", "7", "--key-dist", k.Dist, "--seed", k.Seed, srv.URL+"/items/{key}"); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if again := keys()[len(first):]; strings.Join(again, ",") != strings.Join(first, ",") {
		t.Errorf("the recorded seed %s drew other keys:\n%v\n%v", k.Seed, first, again)
	}
}

// TestRunVolumeKeys: the volume profile's distinct URLs are keys, 1024 of
// them by default or --keys of them, as a perftop_id parameter.
func TestRunVolumeKeys(t *testing.T) {
	for _, tt := range []struct {
		args []string
		max  int
	}{{nil, 1023}, {[]string{"--keys", "3"}, 2}} {
		srv, keys := keyTarget(t)
		args := append([]string{"run", "--headless", "--profile", "volume", "-r", "200", "-d", "1s"}, tt.args...)
		code, _, stderr := runCLI(t, nil, append(args, srv.URL+"/")...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", tt.args, code, stderr)
		}
		got := keys()
		distinct := map[string]bool{}
		for _, k := range got {
			n, err := strconv.Atoi(k)
			if err != nil || n < 0 || n > tt.max {
				t.Fatalf("%v: perftop_id %q outside 0..%d", tt.args, k, tt.max)
			}
			distinct[k] = true
		}
		if len(got) < 100 || len(distinct) < min(tt.max+1, 50) {
			t.Errorf("%v: %d requests, %d distinct keys", tt.args, len(got), len(distinct))
		}
	}
}

// TestShardKeySeeds: the runners of a --shard test with one --seed draw
// different keys, each the same from run to run.
func TestShardKeySeeds(t *testing.T) {
	seeds := map[uint64]bool{}
	for i := 1; i <= 4; i++ {
		var o, again load.Options
		o.Client.Keys = load.KeyOptions{N: 10, Seed: 42}
		again.Client.Keys = o.Client.Keys
		sh := shard{i, 4}
		if err := sh.apply(&o, true); err != nil {
			t.Fatal(err)
		}
		if err := sh.apply(&again, true); err != nil {
			t.Fatal(err)
		}
		if o.Client.Keys.Seed != again.Client.Keys.Seed {
			t.Errorf("shard %d: seed %d then %d", i, o.Client.Keys.Seed, again.Client.Keys.Seed)
		}
		seeds[o.Client.Keys.Seed] = true
	}
	if len(seeds) != 4 {
		t.Errorf("4 shards drew from %d seeds", len(seeds))
	}
}
