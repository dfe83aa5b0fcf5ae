package stats

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSummarize(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		in   []int
		want Summary[int]
	}{
		{"empty", nil, Summary[int]{}},
		{"one", []int{7}, Summary[int]{N: 1, Min: 7, Median: 7, P90: 7, Max: 7}},
		{"two: the median is the lower middle", []int{9, 3}, Summary[int]{N: 2, Min: 3, Median: 3, P90: 9, Max: 9}},
		{"odd count, unsorted", []int{5, 1, 4, 2, 3}, Summary[int]{N: 5, Min: 1, Median: 3, P90: 5, Max: 5}},
		{"ten: p90 is the 9th", []int{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, Summary[int]{N: 10, Min: 1, Median: 5, P90: 9, Max: 10}},
		{"twenty: p90 is the 18th", seq(20), Summary[int]{N: 20, Min: 1, Median: 10, P90: 18, Max: 20}},
		{"twenty-one: p90 is the 19th", seq(21), Summary[int]{N: 21, Min: 1, Median: 11, P90: 19, Max: 21}},
		{"ties", []int{2, 2, 2, 1}, Summary[int]{N: 4, Min: 1, Median: 2, P90: 2, Max: 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := append([]int(nil), tt.in...)
			if diff := cmp.Diff(tt.want, Summarize(tt.in)); diff != "" {
				t.Errorf("Summarize(%v) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(in, tt.in); diff != "" {
				t.Errorf("Summarize modified its input (-before +after):\n%s", diff)
			}
		})
	}
}

func TestSummarizeDurations(t *testing.T) {
	t.Parallel()
	got := Summarize([]time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond})
	want := Summary[time.Duration]{N: 3, Min: time.Millisecond, Median: 2 * time.Millisecond, P90: 3 * time.Millisecond, Max: 3 * time.Millisecond}
	if got != want {
		t.Errorf("Summarize = %+v, want %+v", got, want)
	}
}

func TestQuantileBounds(t *testing.T) {
	t.Parallel()
	s := []float64{1, 2, 3, 4}
	for _, tt := range []struct {
		q    float64
		want float64
	}{{0, 1}, {0.25, 1}, {0.26, 2}, {0.5, 2}, {0.75, 3}, {0.9, 4}, {1, 4}} {
		if got := Quantile(s, tt.q); got != tt.want {
			t.Errorf("Quantile(%v, %v) = %v, want %v", s, tt.q, got, tt.want)
		}
	}
	if got := Quantile([]float64(nil), 0.5); got != 0 {
		t.Errorf("Quantile(nil) = %v, want 0", got)
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = n - i
	}
	return s
}
