package store

import (
	"cmp"
	"context"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
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

// scanLedger calls fn with each key of the provider's ledger from from up
// to the keys that start with to (to's hour keys after a day key), and
// its count. A provider with no ledger has no keys. k is valid only until
// fn returns (the scan borrows the backend's bytes): fn copies what it
// keeps.
func scanLedger(tx kv.Tx, name, from, to string, fn func(k []byte, n int)) error {
	last := to + "~" // '~' sorts after the 'T' of an hour key
	return tx.Scan(ledger(name), kv.ScanOptions{From: []byte(from), Borrow: true}, func(k, v []byte) error {
		if string(k) > last {
			return kv.ErrStop
		}
		fn(k, int(kv.GetU64(v)))
		return nil
	})
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
	err := s.view(ctx, func(tx kv.Tx) error {
		p, err := s.getProvider(tx, name)
		if err != nil {
			return err
		}
		h, err = quotaHistory(tx, p, s.now())
		return err
	})
	return h, err
}

func quotaHistory(tx kv.Tx, p providers.Provider, now time.Time) (QuotaHistory, error) {
	now = now.UTC()
	u, err := usage(tx, p, now)
	if err != nil {
		return QuotaHistory{}, err
	}
	h := QuotaHistory{Usage: u, Now: now}
	key, next := h.frame(p)
	// The buckets up to now, by their ledger key; one scan fills them.
	at := map[string]int{}
	for t := h.Start; t.Before(h.End); t = next(t) {
		h.Buckets++
		if !t.After(now) {
			at[key(t)] = len(h.Counts)
			h.Counts = append(h.Counts, 0)
		}
	}
	if len(h.Counts) == 0 {
		return h, nil
	}
	from, to := key(h.Start), key(now)
	err = scanLedger(tx, p.Name, from, to, func(k []byte, n int) {
		if i, ok := at[string(k)]; ok {
			h.Counts[i] = n
		}
	})
	return h, err
}

// frame sets the chart's Start, End, Step and Cumulative from the
// provider's quota period, and returns a bucket's ledger key and the next
// bucket's start.
func (h *QuotaHistory) frame(p providers.Provider) (key func(time.Time) string, next func(time.Time) time.Time) {
	per := providers.PerMonth
	if p.Quota != nil && p.Quota.Limit > 0 {
		per = cmp.Or(p.Quota.Per, providers.PerMonth)
	}
	y, mo, d := h.Now.Date()
	dayKey := func(t time.Time) string { _, k, _ := windowKeys(t); return k }
	nextDay := func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	switch per {
	case providers.PerHour:
		h.Step = providers.PerHour
		h.End = h.Now.Truncate(time.Hour).Add(time.Hour)
		h.Start = h.End.Add(-time.Duration(HistoryHours) * time.Hour)
		return func(t time.Time) string { k, _, _ := windowKeys(t); return k },
			func(t time.Time) time.Time { return t.Add(time.Hour) }
	case providers.PerDay:
		h.Step = providers.PerDay
		h.End = time.Date(y, mo, d+1, 0, 0, 0, 0, time.UTC)
		h.Start = h.End.AddDate(0, 0, -HistoryDays)
	default:
		h.Step, h.Cumulative = providers.PerDay, true
		h.Start = time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
		h.End = h.Start.AddDate(0, 1, 0)
	}
	return dayKey, nextDay
}
