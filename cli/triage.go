package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/discovery"
	"github.com/tokentop/tokentop/providers/jwtclaims"
	"github.com/tokentop/tokentop/providers/jwtverify"
	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// What inspect, introspect, revoke, diff and the doctor share.

// cachedOrFetch is the provider's cached token, whatever its expiry; with
// none cached (and fetch set) a new one is fetched, and fetched says so.
func (a *App) cachedOrFetch(ctx context.Context, st *store.Store, name string, fetch bool) (tok *providers.Token, fetched bool, err error) {
	tok, err = st.CachedToken(ctx, name)
	if err == nil || !errors.Is(err, store.ErrNotFound) || !fetch {
		return tok, false, err
	}
	if _, perr := st.Provider(ctx, name); perr != nil {
		return nil, false, perr
	}
	res, err := st.Token(ctx, name, store.TokenOptions{OnLease: a.tellLease})
	if err != nil {
		return nil, false, err
	}
	a.warn(res.Warnings)
	return res.Token, !res.Cached, nil
}

// timeValue renders a time as UTC, local and relative to now:
// "2026-03-15 12:00:00 UTC · 13:00:00 CET · in 59m0s".
func timeValue(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	rel := "in " + t.Sub(now).Round(time.Second).String()
	if t.Before(now) {
		rel = now.Sub(t).Round(time.Second).String() + " ago"
	}
	return fmt.Sprintf("%s · %s local · %s", t.UTC().Format("2006-01-02 15:04:05 UTC"), t.Local().Format("15:04:05 MST"), rel)
}

// timeClaim says whether claim holds a NumericDate.
func timeClaim(claim string) bool {
	switch claim {
	case "exp", "iat", "nbf", "auth_time":
		return true
	}
	return false
}

// claimRows lists claims, NumericDates also as times.
func claimRows(fields []jwtclaims.Field, now time.Time) []Row {
	rows := make([]Row, 0, len(fields))
	for _, f := range fields {
		v := f.Value
		if timeClaim(f.Key) {
			if sec, err := strconv.ParseFloat(f.Value, 64); err == nil && sec > 0 && sec < 1e11 {
				v = f.Value + " = " + timeValue(time.Unix(int64(sec), 0), now)
			}
		}
		rows = append(rows, KV(f.Key, v))
	}
	return rows
}

// verificationSections are the report sections of a verification: the
// verdict, the header, the claims and the checks.
func verificationSections(v *jwtverify.Verification, now time.Time) []Section {
	sig := Section{Title: "Signature", Rows: []Row{KV("verdict", string(v.Verdict))}}
	if v.Reason != "" {
		sig.Rows = append(sig.Rows, KV("why", v.Reason))
	}
	if v.KeySetURL != "" {
		sig.Rows = append(sig.Rows, KV("jwks_uri", v.KeySetURL))
	}
	if v.Hint != "" && v.Verdict != jwtverify.VerdictValid {
		sig.Rows = append(sig.Rows, KV("hint", v.Hint))
	}
	out := []Section{sig}
	if len(v.Header) > 0 {
		out = append(out, Section{Title: "Header", Rows: claimRows(v.Header, now)})
	}
	if len(v.ClaimFields) > 0 {
		out = append(out, Section{Title: "Claims (verified: " + yesNo(v.Verdict == jwtverify.VerdictValid) + ")", Rows: claimRows(v.ClaimFields, now)})
	}
	return append(out, Section{Title: "Checks", Checks: v.Checks})
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// keysFor discovers p's metadata and fetches its JWKS, best effort: what
// could not be had is said in the returned notes and NoKeys, never an
// error, so the token is still decoded.
func keysFor(ctx context.Context, c *providers.Client, p providers.Provider) (*discovery.Result, *jwtverify.KeySet, jwtverify.Options, []string) {
	var notes []string
	d, derr := c.DiscoverDetail(ctx, p)
	if derr != nil {
		notes = append(notes, "discovery: "+safetext.Line(derr.Error()))
		d = nil
	} else {
		notes = append(notes, fmt.Sprintf("discovery: %s at %s", d.Doc, d.URL))
		notes = append(notes, d.Warnings...)
	}
	o := providers.Expectations(p, d)
	ks, src, noKeys := c.KeySetFor(ctx, p, d)
	if ks == nil {
		o.NoKeys = noKeys
		return d, nil, o, notes
	}
	notes = append(notes, fmt.Sprintf("keys: %s (from %s): %s", ks.URL, src, strings.Join(ks.KeyIDs(ctx), ", ")))
	return d, ks, o, notes
}

// nameHints puts the provider's name in the hints that say "NAME".
func nameHints(v *jwtverify.Verification, name string) {
	v.Hint = providers.HintWithName(v.Hint, name)
	for i := range v.Checks {
		v.Checks[i].Hint = providers.HintWithName(v.Checks[i].Hint, name)
	}
}
