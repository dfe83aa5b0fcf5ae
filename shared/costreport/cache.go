package costreport

import (
	"context"
	"sync"
	"time"
)

// DefaultCacheTTL is how long /cost reuses a report: Cost Explorer updates a few times a day and
// charges $0.01 a request, so a burst of /cost costs one report.
const DefaultCacheTTL = 10 * time.Minute

// Cache keeps the last report for a while, for /cost. A report is reused while it is younger
// than the TTL and was built for the same day; failures are not kept. It is safe for
// concurrent use; concurrent misses wait for one build.
type Cache struct {
	r   *Reporter
	ttl time.Duration

	mu     sync.Mutex
	report Report
	built  time.Time
	ok     bool
}

// NewCache returns a cache in front of r; ttl <= 0 means DefaultCacheTTL.
func NewCache(r *Reporter, ttl time.Duration) *Cache {
	if ttl <= 0 {
		ttl = DefaultCacheTTL
	}
	return &Cache{r: r, ttl: ttl}
}

// Build returns the cached report when it is fresh at now, and builds one otherwise.
func (c *Cache) Build(ctx context.Context, now time.Time) (Report, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	age := now.Sub(c.built)
	if c.ok && age >= 0 && age < c.ttl && c.report.Key() == now.In(c.r.loc).Format(time.DateOnly) {
		return c.report, nil
	}
	rep, err := c.r.Build(ctx, now)
	if err != nil {
		return Report{}, err
	}
	c.report, c.built, c.ok = rep, now, true
	return rep, nil
}
