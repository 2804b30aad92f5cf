// Package suggest finds the known word a mistyped one most likely meant,
// for "did you mean" in messages.
package suggest

import "strings"

// Closest picks the known key a mistyped one most likely meant, or "".
// Case, "_" and "-" are ignored ("clientId" suggests "client_id").
func Closest(got string, known []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(s))
	}
	g := norm(got)
	if g == "" || len(g) > 64 {
		return ""
	}
	best, bestDist := "", 0
	for _, k := range known {
		nk := norm(k)
		d := editDistance(g, nk)
		if d > max(1, len(nk)/3) {
			continue
		}
		if best == "" || d < bestDist {
			best, bestDist = k, d
		}
	}
	if best != "" || len(g) < 3 {
		return best
	}
	for _, k := range known { // "secret" → "client_secret"
		if strings.Contains(norm(k), g) && (best == "" || len(k) < len(best)) {
			best = k
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and
// b: insertions, deletions, substitutions and swaps of neighbours each cost 1.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
