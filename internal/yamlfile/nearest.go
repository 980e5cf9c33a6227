package yamlfile

import "slices"

// Nearest returns the candidate closest to s by edit distance (insertions,
// deletions, substitutions and swaps of neighbours), if it is close enough
// to be a typo of s: at most 1 edit for words up to 4 letters, 2 up to 8, 3
// beyond. It returns "" otherwise. Used for "did you mean" in config keys
// and flags.
func Nearest(s string, candidates []string) string { return nearest(s, candidates) }

func nearest(s string, candidates []string) string {
	limit := 3
	switch {
	case len(s) <= 4:
		limit = 1
	case len(s) <= 8:
		limit = 2
	}
	best, bestD := "", limit+1
	for _, c := range sorted(candidates) {
		if d := distance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// distance is the optimal string alignment distance between a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
