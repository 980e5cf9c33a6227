package main

import (
	"math/rand/v2"
	"net/url"
	"slices"

	"github.com/spf13/pflag"

	"github.com/perftop/perftop/internal/sources/load"
)

// volumeKeys is how many distinct URLs the volume profile sends without
// --keys.
const volumeKeys = 1024

// keyFlags are run's --keys, --key-dist and --seed.
type keyFlags struct {
	keys int
	dist string
	seed uint64
}

func (k *keyFlags) register(fl *pflag.FlagSet) {
	fl.IntVar(&k.keys, "keys", 0, "draw a key 0..`N`-1 for each request, put where its URL, a header or its body says {key} (a cache's key space)")
	fl.StringVar(&k.dist, "key-dist", "uniform", "how --keys are drawn: `uniform|zipf:S`, zipf as popularity has it, key 0 the most requested (zipf alone: S 1.1; YCSB uses 0.99)")
	fl.Uint64Var(&k.seed, "seed", 0, "`N` seeds the --keys draws: the same seed sends the same keys per worker (default: a new seed each run)")
}

// options checks the key flags against the requests and returns the
// engine's key options; volume is the volume profile, whose distinct URLs
// are keys (a perftop_id={key} query parameter where no request says
// {key}), --keys of them or 1024. reqs is changed in place.
func (k *keyFlags) options(fl *pflag.FlagSet, reqs []load.Request, volume bool) (load.KeyOptions, error) {
	var o load.KeyOptions
	switch {
	case fl.Changed("keys") && k.keys < 1:
		return o, usagef("invalid --keys %d: must be 1 or more (the number of distinct keys drawn)", k.keys)
	case fl.Changed("key-dist") && !fl.Changed("keys") && !volume:
		return o, usagef("--key-dist needs --keys N: how many keys to draw")
	case fl.Changed("seed") && !fl.Changed("keys") && !volume:
		return o, usagef("--seed needs --keys N: it seeds the key draws")
	}
	s, err := load.ParseKeyDist(k.dist)
	if err != nil {
		return o, usagef("invalid --key-dist: %v", err)
	}
	keyed := slices.ContainsFunc(reqs, load.HasKey)
	switch {
	case volume:
		for i := range reqs {
			if !load.HasKey(reqs[i]) {
				reqs[i].URL = withKeyParam(reqs[i].URL)
			}
		}
		o.N = volumeKeys
	case fl.Changed("keys") && !keyed:
		return o, usagef("--keys %d: no request says {key} (put it in the URL, a header or the body, e.g. http://host/items/{key})", k.keys)
	case !fl.Changed("keys") && keyed:
		return o, usagef("a request says {key} but --keys is not given: --keys N draws keys 0..N-1 for it")
	case !keyed:
		return o, nil
	}
	if fl.Changed("keys") {
		o.N = k.keys
	}
	o.ZipfS, o.Seed = s, k.seed
	if !fl.Changed("seed") {
		o.Seed = rand.Uint64() // as k6 and Locust: a new draw each run
	}
	return o, nil
}

// withKeyParam is u with perftop_id={key} added to its query, as written
// (a query's braces are sent as they are).
func withKeyParam(u *url.URL) *url.URL {
	v := *u
	if v.RawQuery != "" {
		v.RawQuery += "&"
	}
	v.RawQuery += "perftop_id=" + load.KeyPlaceholder
	return &v
}
