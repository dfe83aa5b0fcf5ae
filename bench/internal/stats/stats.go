// Package stats summarises repeated measurements: the order statistics docs/BENCHMARKS.md
// reports (minimum, median, 90th percentile, maximum).
package stats

import (
	"cmp"
	"math"
	"slices"
)

// Summary is the order statistics of a sample.
type Summary[T cmp.Ordered] struct {
	N                     int
	Min, Median, P90, Max T
}

// Summarize returns the summary of xs, which it does not modify. An empty sample gives the
// zero Summary.
func Summarize[T cmp.Ordered](xs []T) Summary[T] {
	if len(xs) == 0 {
		return Summary[T]{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return Summary[T]{N: len(s), Min: s[0], Median: Quantile(s, 0.5), P90: Quantile(s, 0.9), Max: s[len(s)-1]}
}

// Quantile returns the q-quantile (0 ≤ q ≤ 1) of sorted by the nearest-rank method: the
// smallest value with at least q of the sample at or below it. It is always a measured value,
// never an interpolation between two; for an even count the median is the lower middle value.
// See https://en.wikipedia.org/wiki/Percentile#The_nearest-rank_method.
func Quantile[T any](sorted []T, q float64) T {
	if len(sorted) == 0 {
		var zero T
		return zero
	}
	rank := int(math.Ceil(q * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}
