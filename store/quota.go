package store

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// QuotaUsage is a provider's token count in the current UTC hour, day and
// month, and its limit.
type QuotaUsage struct {
	Hour, Day, Month int
	// Limit and Per are the provider's quota (zero when it has none).
	Limit int
	Per   providers.Period
	// Used is the count in the Per window (the month when there is no
	// quota).
	Used int
}

// How long ledger entries are kept: enough to show the current windows and
// a little history.
const (
	keepHours  = 48 * time.Hour
	keepDays   = 62 * 24 * time.Hour
	keepMonths = 25
)

// windowKeys are the ledger keys of t's UTC hour, day and month:
// "2026-11-22T05", "2026-11-22", "2026-11".
func windowKeys(t time.Time) (hour, day, month string) {
	t = t.UTC()
	return t.Format("2006-01-02T15"), t.Format("2006-01-02"), t.Format("2006-01")
}

// ledger is the path of a provider's quota ledger.
func ledger(name string) kv.Path { return kv.P(bQuota, name) }

// usage reads the provider's counters for the windows around now.
func usage(tx kv.Tx, p providers.Provider, now time.Time) (QuotaUsage, error) {
	var u QuotaUsage
	h, d, m := windowKeys(now)
	for _, c := range []struct {
		key string
		n   *int
	}{{h, &u.Hour}, {d, &u.Day}, {m, &u.Month}} {
		v, err := tx.Get(ledger(p.Name), []byte(c.key))
		if err != nil {
			return u, err
		}
		*c.n = int(kv.GetU64(v))
	}
	return u.against(p), nil
}

// against is u with the limit of p's quota and Used counted in its window
// (the month when there is no quota).
func (u QuotaUsage) against(p providers.Provider) QuotaUsage {
	u.Used = u.Month
	if q := p.Quota; q != nil && q.Limit > 0 {
		u.Limit, u.Per = q.Limit, cmp.Or(q.Per, providers.PerMonth)
		switch u.Per {
		case providers.PerHour:
			u.Used = u.Hour
		case providers.PerDay:
			u.Used = u.Day
		}
	}
	return u
}

// addQuota counts n tokens issued at t in the provider's ledger and, when
// prune is set, drops entries too old to matter.
func addQuota(tx kv.Tx, name string, n int, t time.Time, prune bool) error {
	b := ledger(name)
	if err := tx.CreateBucketIfNotExists(b); err != nil {
		return err
	}
	h, d, m := windowKeys(t)
	for _, k := range []string{h, d, m} {
		v, err := tx.Get(b, []byte(k))
		if err != nil {
			return err
		}
		if err := tx.Put(b, []byte(k), kv.U64(kv.GetU64(v)+uint64(n))); err != nil {
			return err
		}
	}
	if !prune {
		return nil
	}
	oldH, _, _ := windowKeys(t.Add(-keepHours))
	_, oldD, _ := windowKeys(t.Add(-keepDays))
	_, _, oldM := windowKeys(t.UTC().AddDate(0, -keepMonths, 0))
	var stale [][]byte
	err := tx.Scan(b, kv.ScanOptions{KeysOnly: true}, func(k, _ []byte) error {
		ks := string(k)
		switch {
		case len(ks) == len(h) && ks < oldH, len(ks) == len(d) && ks < oldD, len(ks) == len(m) && ks < oldM:
			stale = append(stale, k)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range stale {
		if err := tx.Delete(b, k); err != nil {
			return err
		}
	}
	return nil
}

// AddQuota counts n tokens as issued to the provider at at, as if fetched
// (tests and the demo pre-fill ledgers with it).
func (s *Store) AddQuota(ctx context.Context, name string, n int, at time.Time) error {
	if n < 0 {
		return fmt.Errorf("quota count for %s: %d is negative", name, n)
	}
	return s.update(ctx, func(tx kv.Tx) error {
		if err := hasProvider(tx, name); err != nil {
			return err
		}
		return addQuota(tx, name, n, at, false)
	})
}

// thisWindow words the current window: "this hour", "today", "this month".
func thisWindow(per providers.Period) string {
	switch per {
	case providers.PerHour:
		return "this hour"
	case providers.PerDay:
		return "today"
	}
	return "this month"
}

// windowEnd is when the window holding now ends (UTC).
func windowEnd(per providers.Period, now time.Time) time.Time {
	now = now.UTC()
	y, mo, d := now.Date()
	switch per {
	case providers.PerHour:
		return now.Truncate(time.Hour).Add(time.Hour)
	case providers.PerDay:
		return time.Date(y, mo, d+1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(y, mo+1, 1, 0, 0, 0, 0, time.UTC)
}

// quotaRefusal is the error of a fetch the ledger forbids.
func quotaRefusal(name string, u QuotaUsage, now time.Time) *providers.Error {
	return providers.QuotaRefusal(name, u.State(now))
}

// State is the usage as the doctor reports it, with the end of its window.
func (u QuotaUsage) State(now time.Time) providers.QuotaState {
	return providers.QuotaState{Hour: u.Hour, Day: u.Day, Month: u.Month, Limit: u.Limit, Per: cmp.Or(u.Per, providers.PerMonth),
		Used: u.Used, Resets: windowEnd(cmp.Or(u.Per, providers.PerMonth), now)}
}

// Usage is the provider's ledger now: its token counts and its quota's
// use.
func (s *Store) Usage(ctx context.Context, name string) (QuotaUsage, error) {
	var u QuotaUsage
	err := s.view(ctx, func(tx kv.Tx) error {
		p, err := s.getProvider(tx, name)
		if err != nil {
			return err
		}
		u, err = usage(tx, p, s.now())
		return err
	})
	return u, err
}

// quotaWarning is the warning once 80 % of the quota is used, else "".
func quotaWarning(u QuotaUsage) string {
	if u.Limit <= 0 || u.Used*5 < u.Limit*4 {
		return ""
	}
	return fmt.Sprintf("quota %d/%d %s", u.Used, u.Limit, thisWindow(u.Per))
}
