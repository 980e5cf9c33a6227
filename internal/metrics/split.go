package metrics

import "strings"

// CacheValue says what a split header's value says of a cache: hit when
// it says HIT ("HIT", "HIT from node-3", squid's TCP_MEM_HIT), and cache
// when it says HIT or MISS, a cache's words, so that a balancer's values
// (node-1, node-2) are not taken for misses.
func CacheValue(v string) (hit, cache bool) {
	up := strings.ToUpper(v)
	hit = strings.HasPrefix(up, "HIT") || strings.Contains(up, "_HIT")
	return hit, hit || strings.HasPrefix(up, "MISS") || strings.Contains(up, "_MISS")
}

// HitRatio is the share of the split's answers that were a cache's hits,
// of the whole run or (window) of the last interval, when its values are a
// cache's (CacheValue). Answers without the header ("(none)": requests the
// cache passed by) are neither hits nor misses.
func (s Split) HitRatio(window bool) (float64, bool) {
	var hits, all int64
	cache := false
	for _, v := range s.Values {
		if v.Value == "(none)" {
			continue
		}
		n := v.Answers
		if window {
			n = v.Window.Requests
		}
		h, c := CacheValue(v.Value)
		cache = cache || c
		all += n
		if h {
			hits += n
		}
	}
	if all == 0 || !cache {
		return 0, false
	}
	return float64(hits) / float64(all), true
}
