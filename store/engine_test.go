package store

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokentop/tokentop/internal/testsupport"
	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

var t0 = time.Date(2026, 11, 22, 5, 0, 0, 0, time.UTC)

// leaseOf reads the provider's fetch lock as boltkv stores it (nil when
// none).
func leaseOf(t *testing.T, s *Store, name string) *leaseRecord {
	t.Helper()
	var l *leaseRecord
	must(t, s.view(t.Context(), func(tx kv.Tx) error {
		var rec leaseRecord
		ok, err := s.getJSON(tx, bLeases, name, &rec)
		if ok {
			l = &rec
		}
		return err
	}))
	return l
}

func TestTokenCachedUntilMargin(t *testing.T) {
	ctx := t.Context()
	ts := newTokenServer(t) // 3600 s tokens: margin 360 s
	clk := testsupport.NewClock(t0)
	s := openStore(t, Options{Now: clk.Now})
	must(t, s.PutProvider(ctx, ts.provider("svc")))

	first, err := s.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	if first.Cached || len(first.Exchanges) != 1 || !first.Token.IssuedAt.Equal(t0) {
		t.Fatalf("first call: cached=%v exchanges=%d issued=%v", first.Cached, len(first.Exchanges), first.Token.IssuedAt)
	}
	clk.Add(3600*time.Second - 360*time.Second - time.Second) // 1 s before the margin
	again, err := s.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	if !again.Cached || again.Token.AccessToken != first.Token.AccessToken || len(again.Exchanges) != 0 {
		t.Fatalf("inside the margin: cached=%v token %q, want %q", again.Cached, again.Token.AccessToken, first.Token.AccessToken)
	}
	if ts.Issued() != 1 {
		t.Fatalf("issued %d, want 1", ts.Issued())
	}
	clk.Add(time.Second) // at the margin: refresh
	next, err := s.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	if next.Cached || next.Token.AccessToken == first.Token.AccessToken || ts.Issued() != 2 {
		t.Fatalf("past the margin: cached=%v issued=%d", next.Cached, ts.Issued())
	}
	cached, err := s.CachedToken(ctx, "svc")
	must(t, err)
	if cached.AccessToken != next.Token.AccessToken || !cached.ExpiresAt.Equal(clk.Now().Add(time.Hour)) {
		t.Fatalf("CachedToken = %+v", cached)
	}
}

func TestForceRefresh(t *testing.T) {
	ctx := t.Context()
	ts := newTokenServer(t)
	clk := testsupport.NewClock(t0) // a frozen clock: a forced refresh must not trust IssuedAt
	s := openStore(t, Options{Now: clk.Now})
	must(t, s.PutProvider(ctx, ts.provider("svc")))
	seen := map[string]bool{}
	for i := range 3 {
		res, err := s.Token(ctx, "svc", TokenOptions{ForceRefresh: i > 0})
		must(t, err)
		if res.Cached || seen[res.Token.AccessToken] {
			t.Fatalf("call %d: cached=%v token %q seen before=%v", i, res.Cached, res.Token.AccessToken, seen[res.Token.AccessToken])
		}
		seen[res.Token.AccessToken] = true
	}
	if ts.Issued() != 3 {
		t.Fatalf("issued %d, want 3", ts.Issued())
	}
	res, err := s.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	if !res.Cached || !seen[res.Token.AccessToken] {
		t.Fatal("the forced token was not cached")
	}
}

func TestFetchErrorRecorded(t *testing.T) {
	ctx := t.Context()
	ts, clk, s := clockedStore(t)
	must(t, s.PutProvider(ctx, ts.provider("svc")))
	ts.failWith.Store("invalid_scope")

	_, err := s.Token(ctx, "svc", TokenOptions{})
	pe, ok := providers.AsError(err)
	if !ok || pe.Code != "invalid_scope" || pe.Hint == "" {
		t.Fatalf("Token: %v (a *providers.Error with a hint expected)", err)
	}
	if l := leaseOf(t, s, "svc"); l != nil {
		t.Fatalf("the lease outlived the failed fetch: %+v", l)
	}
	hist, err := s.History(ctx, "svc")
	must(t, err)
	if len(hist) != 1 || hist[0].Status != 400 || !strings.Contains(hist[0].Error, "invalid_scope") {
		t.Fatalf("History = %+v", hist)
	}
	sm, err := s.Summary(ctx, "svc")
	must(t, err)
	if sm.LastError == nil || sm.LastError.Kind != "oauth" || sm.LastError.Status != 400 || sm.LastError.Hint != pe.Hint ||
		!strings.Contains(sm.LastError.Message, "invalid_scope") || !sm.LastError.At.Equal(t0) {
		t.Fatalf("LastError = %+v", sm.LastError)
	}
	if st := sm.Status(clk.Now()); st != providers.StatusError {
		t.Fatalf("Status = %s, want error", st)
	}

	// The next success clears the error.
	ts.failWith.Store("")
	clk.Add(time.Minute)
	_, err = s.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	sm, err = s.Summary(ctx, "svc")
	must(t, err)
	if sm.LastError != nil || sm.Status(clk.Now()) != providers.StatusValid || sm.Token == nil || sm.Token.AccessToken != "" {
		t.Fatalf("after success: %+v", sm)
	}
	if sm.Quota.Month != 1 {
		t.Fatalf("a failed fetch was counted: %+v", sm.Quota)
	}
}

func TestHistoryKeepsTheLastFifty(t *testing.T) {
	ctx := t.Context()
	ts, clk, s := clockedStore(t)
	must(t, s.PutProvider(ctx, ts.provider("svc")))
	for range 60 {
		clk.Add(time.Second)
		_, err := s.Token(ctx, "svc", TokenOptions{ForceRefresh: true})
		must(t, err)
	}
	hist, err := s.History(ctx, "svc")
	must(t, err)
	if len(hist) != MaxExchanges {
		t.Fatalf("History has %d, want %d", len(hist), MaxExchanges)
	}
	for i, ex := range hist {
		if want := clk.Now().Add(-time.Duration(i) * time.Second); !ex.Started.Equal(want) {
			t.Fatalf("History[%d] started %v, want %v (newest first)", i, ex.Started, want)
		}
	}
	n := 0
	must(t, s.view(ctx, func(tx kv.Tx) error {
		return tx.Scan(flightLog("svc"), kv.ScanOptions{KeysOnly: true}, func(_, _ []byte) error { n++; return nil })
	}))
	if n != MaxExchanges {
		t.Errorf("%d exchanges stored, want %d", n, MaxExchanges)
	}
}

func TestLearnedAuthStyle(t *testing.T) {
	ctx := t.Context()
	ts := newTokenServer(t)
	ts.RefuseBasic = true
	s := openStore(t, Options{})
	must(t, s.PutProvider(ctx, ts.provider("svc"))) // auth_style unset: auto

	res, err := s.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	if len(res.Exchanges) != 2 || res.Exchanges[0].AuthStyle != providers.AuthBasic || res.Exchanges[1].AuthStyle != providers.AuthPost {
		t.Fatalf("first fetch exchanges: %+v", res.Exchanges)
	}
	sm, err := s.Summary(ctx, "svc")
	must(t, err)
	if sm.AuthStyleLearned != providers.AuthPost {
		t.Fatalf("learned %q, want post", sm.AuthStyleLearned)
	}
	// Next time post goes first: one request, no second basic attempt.
	res, err = s.Token(ctx, "svc", TokenOptions{ForceRefresh: true})
	must(t, err)
	if len(res.Exchanges) != 1 || res.Exchanges[0].AuthStyle != providers.AuthPost || ts.styleCount("basic") != 1 {
		t.Fatalf("second fetch: %d exchanges, basic tried %d times", len(res.Exchanges), ts.styleCount("basic"))
	}
	hist, err := s.History(ctx, "svc")
	must(t, err)
	if len(hist) != 3 {
		t.Fatalf("History has %d exchanges, want 3", len(hist))
	}
}

func TestConcurrentCallersGetOneToken(t *testing.T) {
	ctx := t.Context()
	ts := newTokenServer(t)
	ts.Delay = 100 * time.Millisecond
	s := openStore(t, Options{})
	must(t, s.PutProvider(ctx, ts.provider("svc")))

	var wg sync.WaitGroup
	tokens := make([]string, 20)
	errs := make([]error, 20)
	for i := range tokens {
		wg.Go(func() {
			res, err := s.Token(ctx, "svc", TokenOptions{})
			if err == nil {
				tokens[i] = res.Token.AccessToken
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i := range tokens {
		if errs[i] != nil || tokens[i] != tokens[0] {
			t.Fatalf("caller %d: %q, %v (caller 0: %q)", i, tokens[i], errs[i], tokens[0])
		}
	}
	if ts.Issued() != 1 {
		t.Fatalf("issued %d tokens, want 1", ts.Issued())
	}
}

func TestTwoStoresShareOneToken(t *testing.T) {
	// Two Stores on one file coordinate through the lease, as processes do.
	ctx := t.Context()
	ts := newTokenServer(t)
	ts.Delay = 200 * time.Millisecond
	path := testDB(t)
	a := openStore(t, Options{Path: path})
	b := openStore(t, Options{Path: path})
	must(t, a.PutProvider(ctx, ts.provider("svc")))
	var wg sync.WaitGroup
	var ra, rb *TokenResult
	var ea, eb error
	wg.Go(func() { ra, ea = a.Token(ctx, "svc", TokenOptions{}) })
	wg.Go(func() { rb, eb = b.Token(ctx, "svc", TokenOptions{}) })
	wg.Wait()
	must(t, ea)
	must(t, eb)
	if ra.Token.AccessToken != rb.Token.AccessToken || ts.Issued() != 1 {
		t.Fatalf("tokens %q and %q, issued %d", ra.Token.AccessToken, rb.Token.AccessToken, ts.Issued())
	}
}

func TestCancelledFetchReleasesLease(t *testing.T) {
	ts := newTokenServer(t)
	ts.block.Store(true)
	s := openStore(t, Options{})
	must(t, s.PutProvider(t.Context(), ts.provider("svc")))

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := s.Token(ctx, "svc", TokenOptions{})
		done <- err
	}()
	<-ts.received
	if l := leaseOf(t, s, "svc"); l == nil || l.PID != os.Getpid() || l.Host != hostname() {
		t.Fatalf("no lease during the fetch: %+v", l)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Token after cancel: %v", err)
	}
	// The flight finishes its bookkeeping after the caller has gone.
	testsupport.Eventually(t, "the lease to be released", func() bool { return leaseOf(t, s, "svc") == nil })
	sm, err := s.Summary(t.Context(), "svc")
	must(t, err)
	if sm.LastError != nil {
		t.Errorf("a cancelled fetch was recorded as the provider's error: %+v", sm.LastError)
	}
}

func TestOneCallerGivingUpDoesNotFailTheOthers(t *testing.T) {
	ts := newTokenServer(t)
	ts.block.Store(true)
	s := openStore(t, Options{})
	must(t, s.PutProvider(t.Context(), ts.provider("svc")))

	actx, cancelA := context.WithCancel(t.Context())
	aDone := make(chan error, 1)
	go func() { _, err := s.Token(actx, "svc", TokenOptions{}); aDone <- err }()
	<-ts.received
	bDone := make(chan *TokenResult, 1)
	go func() {
		res, err := s.Token(t.Context(), "svc", TokenOptions{})
		if err != nil {
			t.Error(err)
		}
		bDone <- res
	}()
	testsupport.Eventually(t, "two callers waiting on the flight", func() bool {
		s.flights.mu.Lock()
		defer s.flights.mu.Unlock()
		return s.flights.waiting["svc"] == 2
	})
	cancelA()
	if err := <-aDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("A: %v", err)
	}
	close(ts.gate) // the server answers now
	res := <-bDone
	if res == nil || res.Token.AccessToken == "" || ts.requests.Load() != 1 {
		t.Fatalf("B: %+v, %d requests", res, ts.requests.Load())
	}
}

func TestSettingsChangedDuringFetch(t *testing.T) {
	ctx := t.Context()
	ts := newTokenServer(t)
	ts.block.Store(true)
	s := openStore(t, Options{})
	p := ts.provider("svc")
	must(t, s.PutProvider(ctx, p))
	done := make(chan *TokenResult, 1)
	go func() {
		res, err := s.Token(ctx, "svc", TokenOptions{})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	<-ts.received
	p.Scopes = []string{"admin"}
	must(t, s.PutProvider(ctx, p)) // no lock is held during the fetch
	close(ts.gate)
	res := <-done
	if res == nil || !slices.Contains(res.Warnings, "the settings of svc changed during the fetch; this token was not cached") {
		t.Fatalf("result: %+v", res)
	}
	if _, err := s.CachedToken(ctx, "svc"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a token fetched with the old settings was cached: %v", err)
	}
}

func TestWaitsForAnotherProcessLease(t *testing.T) {
	ctx := t.Context()
	ts := newTokenServer(t)
	s := openStore(t, Options{})
	must(t, s.PutProvider(ctx, ts.provider("svc")))
	// Another process's live lease, soon to end without a token (it died):
	// Token waits for it to expire, then fetches.
	must(t, s.update(ctx, func(tx kv.Tx) error {
		return putJSON(tx, bLeases, "svc", leaseRecord{Owner: "another", Expires: time.Now().Add(300 * time.Millisecond)})
	}))
	res, err := s.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	if res.Cached || ts.Issued() != 1 || leaseOf(t, s, "svc") != nil {
		t.Fatalf("cached=%v issued=%d lease=%+v", res.Cached, ts.Issued(), leaseOf(t, s, "svc"))
	}

	// A live lease whose holder saves a token meanwhile: the waiter takes
	// that token and fetches nothing.
	other := openStore(t, Options{Path: s.Path()})
	must(t, s.update(ctx, func(tx kv.Tx) error {
		return putJSON(tx, bLeases, "svc", leaseRecord{Owner: "another", Expires: time.Now().Add(time.Hour)})
	}))
	go func() {
		<-time.After(50 * time.Millisecond)
		_ = other.update(context.Background(), func(tx kv.Tx) error {
			if err := other.putToken(tx, "svc", &providers.Token{AccessToken: "from-another", TokenType: "Bearer",
				IssuedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
				return err
			}
			return del(tx, bLeases, "svc")
		})
	}()
	res, err = s.Token(ctx, "svc", TokenOptions{ForceRefresh: true})
	must(t, err)
	if res.Token.AccessToken != "from-another" || !res.Cached || ts.Issued() != 1 {
		t.Fatalf("got %q cached=%v issued=%d", res.Token.AccessToken, res.Cached, ts.Issued())
	}
}

func TestWaitingIsBoundedByContext(t *testing.T) {
	ctx := t.Context()
	ts := newTokenServer(t)
	s := openStore(t, Options{})
	must(t, s.PutProvider(ctx, ts.provider("svc")))
	must(t, s.update(ctx, func(tx kv.Tx) error {
		return putJSON(tx, bLeases, "svc", leaseRecord{Owner: "another", Expires: time.Now().Add(time.Hour)})
	}))
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := s.Token(cctx, "svc", TokenOptions{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Token: %v", err)
	}
	if ts.requests.Load() != 0 {
		t.Fatal("fetched despite another's live lease")
	}
}

func TestTokenUnknownProvider(t *testing.T) {
	s := openStore(t, Options{})
	for _, o := range []TokenOptions{{}, {ForceRefresh: true}} {
		_, err := s.Token(t.Context(), "nope", o)
		if !errors.Is(err, ErrNotFound) || err.Error() != "no provider named nope" {
			t.Errorf("Token(%+v): %v", o, err)
		}
	}
	if _, err := s.CachedToken(t.Context(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("CachedToken: %v", err)
	}
	must(t, s.PutProvider(t.Context(), providers.Provider{Name: "p"}))
	if _, err := s.CachedToken(t.Context(), "p"); !errors.Is(err, ErrNotFound) || err.Error() != "p has no cached token" {
		t.Errorf("CachedToken without a token: %v", err)
	}
}

func TestSummaries(t *testing.T) {
	ctx := t.Context()
	ts, clk, s := clockedStore(t)
	p := ts.provider("b-svc")
	p.Quota = &providers.Quota{Limit: 100, Per: providers.PerDay}
	must(t, s.PutProviders(ctx, []providers.Provider{p, {Name: "a-none", ClientSecretRef: "env:X"}}))
	_, err := s.Token(ctx, "b-svc", TokenOptions{})
	must(t, err)
	call := CallRecord{At: t0, Endpoint: "me", Status: 200, Latency: 12 * time.Millisecond, RateLimit: map[string]string{"remaining": "9"}}
	must(t, s.RecordCall(ctx, "b-svc", call))

	sums, err := s.Summaries(ctx)
	must(t, err)
	if len(sums) != 2 || sums[0].Provider.Name != "a-none" || sums[1].Provider.Name != "b-svc" {
		t.Fatalf("Summaries order: %+v", sums)
	}
	none, svc := sums[0], sums[1]
	if none.Token != nil || none.HasSecret || none.Status(clk.Now()) != providers.StatusNone {
		t.Errorf("a-none: %+v", none)
	}
	if svc.Token == nil || svc.Token.AccessToken != "" || svc.Token.TokenType != "Bearer" || svc.Token.Scope != "read write" ||
		!svc.HasSecret || svc.Provider.ClientSecret != "" || svc.AuthStyleLearned != providers.AuthBasic {
		t.Errorf("b-svc: %+v", svc)
	}
	if svc.Quota != (QuotaUsage{Hour: 1, Day: 1, Month: 1, Limit: 100, Per: providers.PerDay, Used: 1}) {
		t.Errorf("quota: %+v", svc.Quota)
	}
	if svc.LastCall == nil || svc.LastCall.Latency != call.Latency || svc.LastCall.RateLimit["remaining"] != "9" {
		t.Errorf("last call: %+v", svc.LastCall)
	}
	for _, c := range []struct {
		after time.Duration
		want  providers.Status
	}{{0, providers.StatusValid}, {56 * time.Minute, providers.StatusExpiring}, {time.Hour, providers.StatusExpired}} {
		if got := svc.Status(clk.Now().Add(c.after)); got != c.want {
			t.Errorf("status after %v: %s, want %s", c.after, got, c.want)
		}
	}
	one, err := s.Summary(ctx, "b-svc")
	must(t, err)
	if one.Token == nil || !one.Token.ExpiresAt.Equal(svc.Token.ExpiresAt) {
		t.Errorf("Summary: %+v", one)
	}
	// An error older than the token does not make the status an error.
	svc.LastError = &ErrorRecord{At: t0.Add(-time.Minute)}
	if svc.Status(clk.Now()) != providers.StatusValid {
		t.Error("an error older than the token counted")
	}
	svc.LastError.At = t0.Add(time.Minute)
	if svc.Status(clk.Now()) != providers.StatusError {
		t.Error("an error newer than the token did not count")
	}
}

// TestTokenWithOtherAuthStyle: the doctor's retry with the other style
// fetches once with it and records it, but neither caches the token nor
// clears the last error, and leaves the configured style alone: a
// diagnosis, not a fix.
func TestTokenWithOtherAuthStyle(t *testing.T) {
	ctx := t.Context()
	ts := newTokenServer(t)
	ts.RefuseBasic = true
	s := openStore(t, Options{})
	p := ts.provider("svc")
	p.AuthStyle = providers.AuthBasic
	must(t, s.PutProvider(ctx, p))

	if _, err := s.Token(ctx, "svc", TokenOptions{}); err == nil {
		t.Fatal("basic against a server refusing basic worked")
	}
	res, err := s.Token(ctx, "svc", TokenOptions{AuthStyle: providers.AuthPost})
	must(t, err)
	if res.Cached || len(res.Exchanges) != 1 || res.Exchanges[0].AuthStyle != providers.AuthPost {
		t.Fatalf("the retry with post: cached %v, exchanges %+v", res.Cached, res.Exchanges)
	}
	// A cached token does not stop the override from asking again.
	res, err = s.Token(ctx, "svc", TokenOptions{AuthStyle: providers.AuthPost})
	must(t, err)
	if res.Cached || ts.styleCount("post") != 2 {
		t.Fatalf("a second retry was served from the cache (post asked %d times)", ts.styleCount("post"))
	}
	got, err := s.Provider(ctx, "svc")
	must(t, err)
	if got.AuthStyle != providers.AuthBasic {
		t.Fatalf("the configured style became %q", got.AuthStyle)
	}
	if _, err := s.CachedToken(ctx, "svc"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the token the retry fetched was cached: %v", err)
	}
	sum, err := s.Summary(ctx, "svc")
	must(t, err)
	if sum.LastError == nil || sum.Quota.Month != 2 {
		t.Fatalf("the retries changed the state: last error %+v, %d tokens counted", sum.LastError, sum.Quota.Month)
	}
	if h, _ := s.History(ctx, "svc"); len(h) != 3 {
		t.Fatalf("%d exchanges recorded, want 3", len(h))
	}
	if _, err := s.Token(ctx, "svc", TokenOptions{}); err == nil {
		t.Fatal("the configured style works after the doctor's retry")
	}
}

// TestOverrideAndUsualFlightShareTheLease: in one Store, the doctor's
// retry with another style and a usual fetch run in two flights; they must
// still take the lease in turn (one fetch at a time), and neither may drop
// the lease the other holds.
func TestOverrideAndUsualFlightShareTheLease(t *testing.T) {
	ctx := t.Context()
	ts := newTokenServer(t)
	ts.block.Store(true)
	s := openStore(t, Options{})
	must(t, s.PutProvider(ctx, ts.provider("svc")))

	override := TokenOptions{AuthStyle: providers.AuthPost}
	overrideDone := make(chan *TokenResult, 1)
	go func() {
		res, err := s.Token(ctx, "svc", override)
		if err != nil {
			t.Error(err)
		}
		overrideDone <- res
	}()
	<-ts.received
	// The usual flight of this Store sees the override's lease as held.
	if l, err := s.b.TryLock(ctx, "svc", kv.LockOptions{}); !errors.Is(err, kv.ErrHeld) {
		t.Errorf("the override's lease does not keep this Store's usual flight waiting: %+v (%v)", leaseOf(t, s, "svc"), err)
		if err == nil {
			must(t, l.Unlock(ctx))
		}
	}
	usualDone := make(chan *TokenResult, 1)
	go func() {
		res, err := s.Token(ctx, "svc", TokenOptions{})
		if err != nil {
			t.Error(err)
		}
		usualDone <- res
	}()
	testsupport.Eventually(t, "a caller waiting on the flight", func() bool {
		s.flights.mu.Lock()
		defer s.flights.mu.Unlock()
		return s.flights.waiting["svc"] == 1
	})
	close(ts.gate)
	o, u := <-overrideDone, <-usualDone
	if o == nil || u == nil {
		t.FailNow()
	}
	if o.Cached || ts.styleCount("post") != 1 {
		t.Fatalf("the override: cached %v, post asked %d times", o.Cached, ts.styleCount("post"))
	}
	// The override's token is not cached, so the usual call fetched its
	// own, after the override's lease was gone.
	if ts.requests.Load() != 2 || u.Cached || u.Token.AccessToken == o.Token.AccessToken || ts.styleCount("basic") != 1 {
		t.Fatalf("the usual call: %d requests, cached %v, basic asked %d times", ts.requests.Load(), u.Cached, ts.styleCount("basic"))
	}
	if l := leaseOf(t, s, "svc"); l != nil {
		t.Fatalf("a lease was left behind: %+v", l)
	}
}

// TestOverrideNeverTakesAnotherFetchsToken: a retry with another style
// that waits for another process's lease fetches with its style after it,
// rather than reporting the other process's token as what its style got.
func TestOverrideNeverTakesAnotherFetchsToken(t *testing.T) {
	ctx := t.Context()
	ts := newTokenServer(t)
	s := openStore(t, Options{})
	must(t, s.PutProvider(ctx, ts.provider("svc")))
	other := openStore(t, Options{Path: s.Path()})
	must(t, s.update(ctx, func(tx kv.Tx) error {
		return putJSON(tx, bLeases, "svc", leaseRecord{Owner: "another", Expires: time.Now().Add(time.Hour)})
	}))
	override := TokenOptions{AuthStyle: providers.AuthPost}
	done := make(chan *TokenResult, 1)
	go func() {
		res, err := s.Token(ctx, "svc", override)
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	testsupport.Eventually(t, "the override's flight to start", func() bool {
		s.flights.mu.Lock()
		defer s.flights.mu.Unlock()
		return s.flights.running[override.flightKey("svc")] != nil
	})
	<-time.After(30 * time.Millisecond) // let it look at the lease once
	must(t, other.update(ctx, func(tx kv.Tx) error {
		if err := other.putToken(tx, "svc", &providers.Token{AccessToken: "from-another", TokenType: "Bearer",
			IssuedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			return err
		}
		return del(tx, bLeases, "svc")
	}))
	res := <-done
	if res == nil {
		t.FailNow()
	}
	if res.Cached || res.Token.AccessToken == "from-another" || ts.styleCount("post") != 1 {
		t.Fatalf("the override got %q (cached %v); post asked %d times", res.Token.AccessToken, res.Cached, ts.styleCount("post"))
	}
}

// TestFetchOutlivingItsLock: a fetch slower than its lock's TTL (bbolt
// does not renew it) cannot save under the lock; it is still recorded and
// counted, and its token cached unless another fetch, which took the
// expired lock meanwhile, saved one.
func TestFetchOutlivingItsLock(t *testing.T) {
	ctx := t.Context()
	ts := newTokenServer(t)
	ts.holdNext.Store(1) // the slow fetch's request; the next is answered at once
	path := testDB(t)
	slow := openStore(t, Options{Path: path})
	other := openStore(t, Options{Path: path})
	p := ts.provider("svc")
	p.Timeout = providers.Duration(time.Second)
	must(t, slow.PutProvider(ctx, p))
	slow.leaseSlack = -900 * time.Millisecond // a lock of 100 ms

	done := make(chan *TokenResult, 1)
	go func() {
		res, err := slow.Token(ctx, "svc", TokenOptions{})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	<-ts.received // the slow fetch holds the lock and waits for its answer
	res, err := other.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	if res.Cached {
		t.Fatal("the other Store did not fetch after the slow fetch's lock expired")
	}
	close(ts.gate)
	late := <-done
	if late == nil {
		t.FailNow()
	}
	if late.Token.AccessToken == res.Token.AccessToken ||
		!slices.Contains(late.Warnings, "the fetch of svc outlived its lock and another token was saved meanwhile; this token was not cached") {
		t.Fatalf("the late fetch: token %q, warnings %q", late.Token.AccessToken, late.Warnings)
	}
	cached, err := other.CachedToken(ctx, "svc")
	must(t, err)
	if cached.AccessToken != res.Token.AccessToken {
		t.Fatalf("cached %q, want the other Store's %q", cached.AccessToken, res.Token.AccessToken)
	}
	u, err := other.Usage(ctx, "svc")
	must(t, err)
	hist, err := other.History(ctx, "svc")
	must(t, err)
	if ts.Issued() != 2 || u.Month != 2 || len(hist) != 2 {
		t.Fatalf("issued %d, counted %d, recorded %d: want 2 of each", ts.Issued(), u.Month, len(hist))
	}
	if l := leaseOf(t, other, "svc"); l != nil {
		t.Fatalf("a lease is left: %+v", l)
	}

	// Alone, a fetch that outlived its lock still caches its token.
	must(t, second(slow.ForgetToken(ctx, "svc", ForgetOptions{})))
	ts.Delay = 300 * time.Millisecond
	res, err = slow.Token(ctx, "svc", TokenOptions{})
	must(t, err)
	cached, err = slow.CachedToken(ctx, "svc")
	must(t, err)
	if res.Cached || cached.AccessToken != res.Token.AccessToken || len(res.Warnings) != 0 {
		t.Fatalf("the lone late fetch: cached %v, stored %q, got %q, warnings %q", res.Cached, cached.AccessToken, res.Token.AccessToken, res.Warnings)
	}
}
