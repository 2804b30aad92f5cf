package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

// echoServer is a token endpoint that refuses every request, quoting its
// body in error_description, and sends extra headers of extra bytes each.
func echoServer(t *testing.T, headers, size int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		for i := range headers {
			w.Header().Set(fmt.Sprintf("X-Filler-%04d", i), strings.Repeat("f", size))
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "error_description": "cannot read " + string(body)})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// fileBytes is the database file, read after the store is done with it.
func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestExchangesAreEncryptedAndRedactedAtRest(t *testing.T) {
	ctx := t.Context()
	path := testDB(t)
	s := openStore(t, Options{Path: path})
	secret := "store-echo-secret-" + randHex(8)
	echo := echoServer(t, 0, 0)
	must(t, s.PutProvider(ctx, providers.Provider{Name: "echo", TokenURL: echo.URL + "/token", ClientID: "c",
		ClientSecret: secret, AuthStyle: providers.AuthPost}))
	_, err := s.Token(ctx, "echo", TokenOptions{})
	if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), providers.Redacted) {
		t.Fatalf("Token: %v", err)
	}
	ts := newTokenServer(t)
	must(t, s.PutProvider(ctx, ts.provider("ok")))
	res, err := s.Token(ctx, "ok", TokenOptions{})
	must(t, err)

	for _, name := range []string{"echo", "ok"} {
		exs, err := s.History(ctx, name)
		must(t, err)
		if len(exs) != 1 || exs[0].RequestBody == "" {
			t.Fatalf("history of %s: %+v", name, exs)
		}
		b, _ := json.Marshal(exs)
		for _, v := range []string{secret, url.QueryEscape(secret), res.Token.AccessToken} {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("the history of %s holds %q", name, v)
			}
		}
	}
	must(t, s.Close())
	raw := fileBytes(t, path)
	// The request's Content-Type is in the flight records alone: it is
	// absent while they are sealed.
	for _, v := range []string{secret, url.QueryEscape(secret), res.Token.AccessToken, ts.Secret,
		"application/x-www-form-urlencoded"} {
		if bytes.Contains(raw, []byte(v)) {
			t.Errorf("the database file holds %q in plaintext", v)
		}
	}
}

func TestPlaintextExchangeOfAnOlderVersionStillReads(t *testing.T) {
	ctx := t.Context()
	path := testDB(t)
	s := openStore(t, Options{Path: path})
	ts := newTokenServer(t)
	must(t, s.PutProvider(ctx, ts.provider("svc")))

	// An exchange as versions before encryption stored it: JSON as is.
	old := providers.Exchange{Provider: "svc", Started: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Method: "POST", URL: "https://old.example/token", Status: 401, Error: "an old refusal"}
	plain, err := json.Marshal(old)
	must(t, err)
	must(t, rawBolt(t, path).Update(ctx, func(tx kv.Tx) error {
		if err := tx.CreateBucketIfNotExists(flightLog("svc")); err != nil {
			return err
		}
		seq, err := tx.NextSequence(flightLog("svc"))
		if err != nil {
			return err
		}
		return tx.Put(flightLog("svc"), kv.U64(seq), plain)
	}))

	exs, err := s.History(ctx, "svc")
	must(t, err)
	if len(exs) != 1 || exs[0].URL != old.URL || exs[0].Error != old.Error || !exs[0].Started.Equal(old.Started) {
		t.Fatalf("the old record reads as %+v", exs)
	}
	if _, err := s.Token(ctx, "svc", TokenOptions{}); err != nil {
		t.Fatal(err)
	}
	exs, err = s.History(ctx, "svc")
	must(t, err)
	if len(exs) != 2 || exs[0].Status != 200 || exs[1].URL != old.URL {
		t.Fatalf("history after a new fetch: %+v", exs)
	}
	// The new record is sealed, the old one stays as it was.
	must(t, s.Close())
	raw := fileBytes(t, path)
	if !bytes.Contains(raw, plain) || bytes.Contains(raw, []byte("application/x-www-form-urlencoded")) {
		t.Error("want the old record as it was and the new one sealed")
	}
}

func TestSealedExchangesKeepTheKeyFromBeingReplaced(t *testing.T) {
	ctx := t.Context()
	path := testDB(t)
	s := openStore(t, Options{Path: path})
	echo := echoServer(t, 0, 0)
	// No secret stored and no token issued: only the flight record is
	// sealed.
	must(t, s.PutProvider(ctx, providers.Provider{Name: "p", TokenURL: echo.URL, ClientID: "c", ClientSecretRef: "env:TT_NONE_SECRET", AuthStyle: providers.AuthPost}))
	t.Setenv("TT_NONE_SECRET", "from-the-environment")
	if _, err := s.Token(ctx, "p", TokenOptions{}); err == nil {
		t.Fatal("want the echo server's refusal")
	}
	must(t, s.Close())
	must(t, os.Remove(keyPath(path)))
	s2 := openStore(t, Options{Path: path})
	if _, err := s2.History(ctx, "p"); err == nil || !strings.Contains(err.Error(), "is missing") {
		t.Errorf("reading sealed records without the key: %v", err)
	}
	// Another fetch cannot save its record, and must not make a new key
	// that the old records would never open with.
	if _, err := s2.Token(ctx, "p", TokenOptions{}); err == nil {
		t.Fatal("want the echo server's refusal")
	}
	if _, err := os.Stat(keyPath(path)); err == nil {
		t.Error("a new key file was made beside sealed records")
	}
}

func TestFlightRecorderGrowthIsBounded(t *testing.T) {
	ctx := t.Context()
	path := testDB(t)
	s := openStore(t, Options{Path: path})
	// 4,000 headers of 200 bytes: about 0.85 MB an answer, under the
	// transport's 1 MiB cap, so each answer is read and recorded.
	const answers, headers, size = 10, 4000, 200
	srv := echoServer(t, headers, size)
	must(t, s.PutProvider(ctx, providers.Provider{Name: "noisy", TokenURL: srv.URL, ClientID: "c",
		ClientSecret: "noisy-secret-0123456789", AuthStyle: providers.AuthPost}))
	must(t, s.Close())
	before := int64(len(fileBytes(t, path)))

	for range answers {
		if _, err := s.Token(ctx, "noisy", TokenOptions{ForceRefresh: true}); err == nil {
			t.Fatal("want a refusal")
		}
	}
	exs, err := s.History(ctx, "noisy")
	must(t, err)
	if len(exs) != answers {
		t.Fatalf("%d records, want %d", len(exs), answers)
	}
	for _, ex := range exs {
		if n := len(ex.ResponseHeaders); n > providers.MaxRecordHeaders || ex.ResponseHeaders.Get(providers.HeadersCutKey) == "" {
			t.Errorf("a record keeps %d header names, marker %q", n, ex.ResponseHeaders.Get(providers.HeadersCutKey))
			break
		}
	}
	must(t, s.Close())
	after := int64(len(fileBytes(t, path)))

	// A record holds at most MaxRecordHeaderBytes of response headers; the
	// rest of it (request, a short body, the error, the timings, JSON and
	// age framing) is under 8 KiB here. bbolt copies on write and grows
	// its file by doubling, so allow twice the data and 1 MiB besides.
	// Unbounded, these answers added over 8 MB.
	perRecord := int64(providers.MaxRecordHeaderBytes + 8<<10)
	bound := 2*answers*perRecord + 1<<20
	if grew := after - before; grew > bound {
		t.Errorf("the file grew by %d bytes for %d answers, over the bound %d", grew, answers, bound)
	} else {
		t.Logf("the file grew by %d bytes for %d answers of %d KB of headers (bound %d)", grew, answers, headers*size/1000, bound)
	}
}

func TestCallRecordIsBounded(t *testing.T) {
	ctx := t.Context()
	s := openStore(t, Options{})
	must(t, s.PutProvider(ctx, providers.Provider{Name: "p"}))
	figures := map[string]string{}
	for i := range 50 {
		figures[fmt.Sprintf("figure-%02d", i)] = strings.Repeat("r", 1<<20)
	}
	must(t, s.RecordCall(ctx, "p", CallRecord{At: time.Now(), Endpoint: strings.Repeat("e", 1<<20), Status: 200, RateLimit: figures}))
	sm, err := s.Summary(ctx, "p")
	must(t, err)
	c := sm.LastCall
	if c == nil || len([]rune(c.Endpoint)) > maxCallText || len(c.RateLimit) > maxCallFigures {
		t.Fatalf("call record: %d runes of endpoint, %d figures", len(c.Endpoint), len(c.RateLimit))
	}
	for k, v := range c.RateLimit {
		if len([]rune(v)) > maxCallText {
			t.Errorf("figure %s keeps %d bytes", k, len(v))
		}
	}
}

// TestRecentHistoryReadsOnlyWhatIsAsked: the newest n records, newest
// first, and the count of all kept, so the dashboard's detail decrypts a
// few records and still says how many more there are.
func TestRecentHistoryReadsOnlyWhatIsAsked(t *testing.T) {
	ctx := context.Background()
	ts := newTokenServer(t)
	s := openStore(t, Options{Path: testDB(t)})
	must(t, s.PutProvider(ctx, ts.provider("svc")))
	for range 5 {
		if _, err := s.Token(ctx, "svc", TokenOptions{ForceRefresh: true}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.History(ctx, "svc")
	must(t, err)
	recent, total, err := s.RecentHistory(ctx, "svc", 2)
	must(t, err)
	if total != len(all) || total < 5 {
		t.Fatalf("total %d, History has %d, want at least 5", total, len(all))
	}
	if len(recent) != 2 || !recent[0].Started.Equal(all[0].Started) || !recent[1].Started.Equal(all[1].Started) {
		t.Fatalf("recent = %d records, want the 2 newest of History", len(recent))
	}
	if none, total0, err := s.RecentHistory(ctx, "svc", 0); err != nil || len(none) != 0 || total0 != total {
		t.Fatalf("n=0: %d records, total %d, err %v", len(none), total0, err)
	}
	if _, _, err := s.RecentHistory(ctx, "nobody", 3); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown provider: %v, want ErrNotFound", err)
	}
}
