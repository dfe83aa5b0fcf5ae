package costreport

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/discord-chatops/chatops/shared/state"
)

// Lifetimes of the cache's items in the state table.
const (
	// EntryTTL is how long a day's report stays in the table. It is fresh for the rest of its
	// report day; it lives a day longer so that it can stand in for the next day's report
	// while another environment builds that one (see Cache.Build). Expiry is cleanup only:
	// freshness is the key's day.
	EntryTTL = 48 * time.Hour
	// BuildClaimTTL bounds the claim that lets one environment build a day's report: long
	// enough for a build (two Cost Explorer requests, retried at most three times each), short
	// enough that a build that died with its environment blocks nobody for long.
	BuildClaimTTL = time.Minute
)

// entryFormat is the shape of a stored report; an entry of another format is a miss, so that
// a deploy that changes Report never reads a report it cannot understand. Format 2: the
// forecast's Reason is a code the message words in each language, no longer English text.
const entryFormat = 2

// Sort keys of the cache's items, under the partition key "cost#<day>".
const (
	entrySK = "cost"
	claimSK = "build"
)

// Cache keeps the day's report in the state table, shared by every execution environment of
// every function that reports (/cost in interactions, the daily post in cost-cron), so that
// Cost Explorer is asked once a day however many ask for the report. docs/COST.md says why a
// report stays fresh for its whole day.
//
// The entry at cost#<report day>/cost holds the report as JSON and built_at. A process also
// remembers the day's report it last read or built: an entry never changes once written, so
// memory cannot hold a staler report than the table, and a warm environment answers without a
// table read, and without Cost Explorer while the table is unavailable.
//
// The cache never fails a report because of the table: when DynamoDB cannot answer (or
// refuses), it builds from Cost Explorer and logs a warning. Failed builds are not kept. It is
// safe for concurrent use; concurrent misses in one process wait for one build.
type Cache struct {
	r     *Reporter
	table *state.Table
	log   *slog.Logger

	mu     sync.Mutex
	report Report // the report of day, when ok
	day    string
	ok     bool
}

// NewCache returns a cache of r's reports in table. log takes the warnings about the table;
// nil discards them.
func NewCache(r *Reporter, table *state.Table, log *slog.Logger) *Cache {
	return &Cache{r: r, table: table, log: cmp.Or(log, slog.New(slog.DiscardHandler))}
}

// entry is a report as stored in the table.
type entry struct {
	Format  int       `dynamodbav:"format"`
	Report  string    `dynamodbav:"report"` // the Report as JSON
	BuiltAt time.Time `dynamodbav:"built_at"`
}

// Build returns the report for now's day in the Reporter's time zone: the one remembered, the
// one in the table, or a new one from Cost Explorer, stored for every other environment.
//
// Of two environments that miss at once, the one that claims cost#<day>/build builds. The
// other reads the day's entry again (the builder may have finished) and otherwise answers with
// the previous day's report, whose "as of" says how old it is; with neither, it builds too.
// Nothing waits for another environment's build.
func (c *Cache) Build(ctx context.Context, now time.Time) (Report, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	day := c.r.day(now)
	if c.ok && c.day == day {
		return c.report, nil
	}
	rep, err := c.get(ctx, day)
	switch {
	case err == nil:
		c.remember(day, rep)
		return rep, nil
	case !errors.Is(err, state.ErrNotFound):
		c.log.Warn("cost cache unreadable: building the report from Cost Explorer", "day", day, "err", err)
		return c.build(ctx, now, day, false)
	}

	err = c.table.Claim(ctx, claimKey(day), BuildClaimTTL, nil)
	switch {
	case err == nil:
		rep, err := c.build(ctx, now, day, true)
		if err != nil {
			// Let the next request build at once rather than when the claim expires.
			if rerr := c.table.Release(context.WithoutCancel(ctx), claimKey(day)); rerr != nil {
				c.log.Warn("cost cache: release the build claim", "day", day, "err", rerr)
			}
		}
		return rep, err
	case errors.Is(err, state.ErrClaimed):
		if rep, err := c.get(ctx, day); err == nil {
			c.remember(day, rep)
			return rep, nil
		}
		yesterday := c.r.day(now.In(c.r.loc).AddDate(0, 0, -1))
		if rep, err := c.get(ctx, yesterday); err == nil {
			c.log.Info("cost cache: another environment is building today's report; answering with the previous day's", "day", day, "as_of", rep.AsOf)
			return rep, nil
		}
		return c.build(ctx, now, day, true)
	default:
		c.log.Warn("cost cache: cannot claim the build; building without it", "day", day, "err", err)
		return c.build(ctx, now, day, true)
	}
}

// build builds now's report, remembers it and, when store is set, puts it in the table. A
// failure to store is logged: the report is answered all the same.
func (c *Cache) build(ctx context.Context, now time.Time, day string, store bool) (Report, error) {
	rep, err := c.r.Build(ctx, now)
	if err != nil {
		return Report{}, err
	}
	c.remember(day, rep)
	if store {
		if err := c.put(ctx, day, rep); err != nil {
			c.log.Warn("cost cache: store the report", "day", day, "err", err)
		}
	}
	return rep, nil
}

func (c *Cache) remember(day string, rep Report) {
	c.report, c.day, c.ok = rep, day, true
}

// get reads day's report from the table, in the Reporter's zone and with its budget, so that a
// report built by another function, or before the budget changed, reads as this one's would.
func (c *Cache) get(ctx context.Context, day string) (Report, error) {
	var e entry
	if _, err := c.table.Get(ctx, entryKey(day), &e); err != nil {
		return Report{}, err
	}
	// An entry this process cannot read counts as absent, so that the next build replaces it.
	if e.Format != entryFormat {
		return Report{}, fmt.Errorf("cost report %s: format %d, want %d: %w", day, e.Format, entryFormat, state.ErrNotFound)
	}
	var rep Report
	if err := json.Unmarshal([]byte(e.Report), &rep); err != nil {
		return Report{}, fmt.Errorf("cost report %s: %w: %w", day, err, state.ErrNotFound)
	}
	rep.AsOf = rep.AsOf.In(c.r.loc) // JSON keeps the offset, not the zone's name
	rep.Budget = c.r.budget
	return rep, nil
}

func (c *Cache) put(ctx context.Context, day string, rep Report) error {
	b, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("cost report %s: %w", day, err)
	}
	return c.table.Put(ctx, entryKey(day), EntryTTL, entry{Format: entryFormat, Report: string(b), BuiltAt: rep.AsOf.UTC()})
}

// day is now's date in the Reporter's zone, "2006-01-02": a report's Key.
func (r *Reporter) day(now time.Time) string { return now.In(r.loc).Format(time.DateOnly) }

func entryKey(day string) state.Key { return state.Key{PK: "cost#" + day, SK: entrySK} }

func claimKey(day string) state.Key { return state.Key{PK: "cost#" + day, SK: claimSK} }

// forecastFields is Forecast without its JSON methods.
type forecastFields Forecast

// MarshalJSON writes f with Err as its text: an error value does not survive encoding.
func (f Forecast) MarshalJSON() ([]byte, error) {
	v := struct {
		forecastFields
		Err string `json:",omitempty"`
	}{forecastFields: forecastFields(f)}
	if f.Err != nil {
		v.Err = f.Err.Error()
	}
	return json.Marshal(v)
}

// UnmarshalJSON reads what MarshalJSON writes; Err comes back as an error with the same text.
func (f *Forecast) UnmarshalJSON(b []byte) error {
	var v struct {
		forecastFields
		Err string `json:",omitempty"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = Forecast(v.forecastFields)
	if v.Err != "" {
		f.Err = errors.New(v.Err)
	}
	return nil
}
