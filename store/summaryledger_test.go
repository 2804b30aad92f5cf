package store

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
	"github.com/tokentop/tokentop/store/kv/boltkv"
)

// TestReadLedger: the summary's one scan of a ledger reads what a Get of
// each key reads (usage's three, and each recent day's), on either side
// of a month's start, with hour, day and month keys of older windows
// about, and for a provider with no ledger.
func TestReadLedger(t *testing.T) {
	ctx := t.Context()
	b, err := boltkv.Open(ctx, boltkv.Options{Path: filepath.Join(t.TempDir(), "db")})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	p := providers.Provider{Name: "svc", Quota: &providers.Quota{Limit: 100, Per: providers.PerDay}}
	start := time.Date(2026, 10, 20, 7, 0, 0, 0, time.UTC)
	if err := b.Update(ctx, func(tx kv.Tx) error {
		for i := range 60 * 4 { // every 6 hours for 60 days, 1 to 5 tokens
			if err := addQuota(tx, p.Name, 1+i%5, start.Add(time.Duration(i)*6*time.Hour), false); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, now := range []time.Time{
		time.Date(2026, 11, 1, 0, 30, 0, 0, time.UTC),  // the first day of a month
		time.Date(2026, 11, 10, 13, 5, 0, 0, time.UTC), // the recent days cross the month's start
		time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC), // all in one month
		time.Date(2026, 12, 25, 9, 0, 0, 0, time.UTC),  // past the ledger's last entry
		time.Date(2026, 10, 21, 12, 0, 0, 0, time.FixedZone("X", 5*3600)),
	} {
		if err := b.View(ctx, func(tx kv.Tx) error {
			for _, prov := range []providers.Provider{p, {Name: "none"}} {
				u, recent, err := readLedger(tx, prov, newLedgerWindow(now))
				if err != nil {
					return err
				}
				wantU, err := usage(tx, prov, now)
				if err != nil {
					return err
				}
				if u != wantU {
					t.Errorf("%s at %s: usage %+v, want %+v", prov.Name, now, u, wantU)
				}
				w := newLedgerWindow(now)
				for i, day := range w.days {
					v, err := tx.Get(ledger(prov.Name), []byte(day))
					if err != nil {
						return err
					}
					if want := int(kv.GetU64(v)); recent[i] != want {
						t.Errorf("%s at %s: day %s counted %d, want %d", prov.Name, now, day, recent[i], want)
					}
				}
				if prov.Name == p.Name && now.Month() == 11 && u.Month == 0 {
					t.Errorf("at %s: no tokens this month: the ledger was not written as meant", now)
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}
