package store

import (
	"cmp"
	"context"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tokentop/tokentop/providers"
)

// The ledger's history, for pictures: the dashboard's sparkline (the last
// RecentDays days, read with every summary) and its quota chart (the
// quota's period, read when the detail opens). Both read the counters the
// ledger keeps anyway: an hour key for 48 hours, a day key for 62 days and
// a month key for 25 months, pruned in the transaction that counts a
// token. The keys are those every tokentop wrote, so an old database reads
// the same.

// RecentDays is how many UTC days a summary's Recent covers.
const RecentDays = 14

// HistoryHours is how many hours an hourly quota's chart covers: as far
// back as the ledger keeps hour counters.
const HistoryHours = int(keepHours / time.Hour)

// HistoryDays is how many days a daily quota's chart covers.
const HistoryDays = 30

// recentDays reads the tokens issued per UTC day over the RecentDays days
// ending with now's, oldest first, with one cursor walk over the
// provider's ledger (its day keys sort among its hour and month keys).
func recentDays(tx *bolt.Tx, name string, now time.Time) (out [RecentDays]int) {
	qb := bucket(tx, bQuota)
	if qb == nil {
		return out
	}
	b := qb.Bucket([]byte(name))
	if b == nil {
		return out
	}
	day := func(t time.Time) string { _, d, _ := windowKeys(t); return d }
	first := now.UTC().AddDate(0, 0, -(RecentDays - 1))
	from, to := day(first), day(now)
	c := b.Cursor()
	for k, v := c.Seek([]byte(from)); k != nil && string(k) <= to+"~"; k, v = c.Next() {
		if len(k) != len(from) {
			continue // an hour or a month key
		}
		t, err := time.Parse("2006-01-02", string(k))
		if err != nil {
			continue
		}
		if i := int(t.Sub(time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, time.UTC)) / (24 * time.Hour)); i >= 0 && i < RecentDays {
			out[i] = int(getU64(v))
		}
	}
	return out
}

// QuotaHistory is a provider's ledger over its quota's period, bucket by
// bucket, for a chart: the days of this month for a monthly quota (or
// none), the last HistoryDays days for a daily one, the last HistoryHours
// hours for an hourly one.
type QuotaHistory struct {
	// Usage is the ledger now (the quota, its use in the current window).
	Usage QuotaUsage
	// Start is the first bucket's start and End the last one's end, UTC.
	Start, End time.Time
	// Step is one bucket: PerDay or PerHour.
	Step providers.Period
	// Counts are the tokens issued per bucket from Start up to the bucket
	// holding Now (later buckets have not happened yet).
	Counts []int
	// Buckets is the number of buckets from Start to End.
	Buckets int
	// Cumulative is true when the quota's window spans the whole chart
	// (a monthly quota, or none): a bar is then the running total, which
	// meets the limit line when the quota is used up. Otherwise each
	// bucket is a window of its own and a bar is its count.
	Cumulative bool
	// Now is when it was read.
	Now time.Time
}

// QuotaHistory reads the provider's ledger over its quota's period.
func (s *Store) QuotaHistory(ctx context.Context, name string) (QuotaHistory, error) {
	var h QuotaHistory
	err := s.view(ctx, func(tx *bolt.Tx) error {
		p, err := s.getProvider(tx, name)
		if err != nil {
			return err
		}
		h = quotaHistory(tx, p, s.now())
		return nil
	})
	return h, err
}

func quotaHistory(tx *bolt.Tx, p providers.Provider, now time.Time) QuotaHistory {
	now = now.UTC()
	h := QuotaHistory{Usage: usage(tx, p, now), Now: now}
	per := providers.PerMonth
	if p.Quota != nil && p.Quota.Limit > 0 {
		per = cmp.Or(p.Quota.Per, providers.PerMonth)
	}
	y, mo, d := now.Date()
	var key func(t time.Time) string
	var next func(t time.Time) time.Time
	switch per {
	case providers.PerHour:
		h.Step = providers.PerHour
		h.End = now.Truncate(time.Hour).Add(time.Hour)
		h.Start = h.End.Add(-time.Duration(HistoryHours) * time.Hour)
		key = func(t time.Time) string { k, _, _ := windowKeys(t); return k }
		next = func(t time.Time) time.Time { return t.Add(time.Hour) }
	case providers.PerDay:
		h.Step = providers.PerDay
		h.End = time.Date(y, mo, d+1, 0, 0, 0, 0, time.UTC)
		h.Start = h.End.AddDate(0, 0, -HistoryDays)
		key = func(t time.Time) string { _, k, _ := windowKeys(t); return k }
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	default:
		h.Step, h.Cumulative = providers.PerDay, true
		h.Start = time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
		h.End = h.Start.AddDate(0, 1, 0)
		key = func(t time.Time) string { _, k, _ := windowKeys(t); return k }
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	}
	var b *bolt.Bucket
	if qb := bucket(tx, bQuota); qb != nil {
		b = qb.Bucket([]byte(p.Name))
	}
	for t := h.Start; t.Before(h.End); t = next(t) {
		h.Buckets++
		if t.After(now) {
			continue
		}
		n := 0
		if b != nil {
			n = int(getU64(b.Get([]byte(key(t)))))
		}
		h.Counts = append(h.Counts, n)
	}
	return h
}
