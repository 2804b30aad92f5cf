package store

import (
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// ledgerWindow is what a summary reads of every provider's ledger at one
// time: the keys of now's UTC hour, day and month (the quota's use) and of
// the RecentDays days ending with today (the sparkline). Summaries makes
// it once for all providers.
type ledgerWindow struct {
	hour, day, month string
	// days are the recent days' keys, oldest first.
	days [RecentDays]string
}

func newLedgerWindow(now time.Time) ledgerWindow {
	now = now.UTC()
	var w ledgerWindow
	w.hour, w.day, w.month = windowKeys(now)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	for i := range RecentDays {
		_, w.days[i], _ = windowKeys(today.AddDate(0, 0, i-(RecentDays-1)))
	}
	return w
}

// readLedger reads p's quota use and its recent days' counts with one
// scan of its ledger, from the earlier of the month's key and the first
// recent day's to today's hour keys: month, day and hour keys sort
// together ("2026-11" < "2026-11-05" < "2026-11-05T13"), so the scan meets
// every key the summary needs and at most the month's older days besides.
func readLedger(tx kv.Tx, p providers.Provider, w ledgerWindow) (u QuotaUsage, recent [RecentDays]int, err error) {
	from := min(w.month, w.days[0])
	next := 0 // the recent day the keys have reached
	err = scanLedger(tx, p.Name, from, w.day, func(k []byte, n int) {
		switch string(k) {
		case w.hour:
			u.Hour = n
		case w.month:
			u.Month = n
		}
		if string(k) == w.day {
			u.Day = n
		}
		for next < RecentDays && w.days[next] < string(k) {
			next++
		}
		if next < RecentDays && w.days[next] == string(k) {
			recent[next] = n
		}
	})
	return u.against(p), recent, err
}
