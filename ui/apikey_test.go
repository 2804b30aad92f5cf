package ui

import (
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// TestAPIKeyRows: API keys count in days, show "no expiry" without a
// date, and are expiring inside their lead time, in the dashboard's
// rows and its header counts.
func TestAPIKeyRows(t *testing.T) {
	e := newEnv(t, true)
	day := t0.UTC().Truncate(24 * time.Hour)
	for _, p := range []providers.Provider{
		{Name: "key-far", Expires: day.AddDate(0, 0, 42).Format(time.DateOnly)},
		{Name: "key-due", RotateBy: day.AddDate(0, 0, 4).Format(time.DateOnly)},
		{Name: "key-open"},
	} {
		p.Grant, p.ClientSecret = providers.GrantAPIKey, sandbox.APIKey
		if err := e.st.PutProvider(e.ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	d := e.start(e.config(), 120, 40)
	waitFor(t, d, "key-far", "41d", "key-open", "no expiry", "key-due", "3d")
	m := e.loaded(e.config(), 120, 40)
	for _, r := range m.rows.rows {
		want := map[string]providers.Status{"key-far": providers.StatusValid, "key-due": providers.StatusExpiring, "key-open": providers.StatusValid}[r.sum.Provider.Name]
		if want != "" && r.status != want {
			t.Errorf("%s: status %s, want %s", r.sum.Provider.Name, r.status, want)
		}
	}
}
