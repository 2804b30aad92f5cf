package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store/kv"
)

func TestBusy(t *testing.T) {
	ctx := t.Context()
	path := testDB(t)
	s := openStore(t, Options{Path: path, LockTimeout: 300 * time.Millisecond})
	must(t, s.PutProvider(ctx, providers.Provider{Name: "p"}))

	// Another process holding the file: an exclusive bbolt open on its own
	// file descriptor conflicts with ours just as another process's would.
	held, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	must(t, err)
	defer held.Close()

	want := "database " + path + " is busy: another process holds it (waited 300ms)"
	for name, err := range map[string]error{
		"read":  second(s.Providers(ctx)),
		"write": s.PutProvider(ctx, providers.Provider{Name: "q"}),
		"open":  second(Open(ctx, Options{Path: path, LockTimeout: 300 * time.Millisecond})),
	} {
		if !errors.Is(err, ErrBusy) || err.Error() != want {
			t.Errorf("%s: %v\nwant %s", name, err, want)
		}
	}

	// A cancelled context ends the wait early.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Provider(cctx, "p"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}

	must(t, held.Close())
	if _, err := s.Provider(ctx, "p"); err != nil {
		t.Errorf("after the lock was released: %v", err)
	}
}

func TestReadersShareTheLock(t *testing.T) {
	ctx := t.Context()
	path := testDB(t)
	s := openStore(t, Options{Path: path, LockTimeout: 300 * time.Millisecond})
	must(t, s.PutProvider(ctx, providers.Provider{Name: "p"}))
	reader, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	must(t, err)
	defer reader.Close()
	if _, err := s.Provider(ctx, "p"); err != nil {
		t.Errorf("a read beside another reader: %v", err)
	}
	if err := s.PutProvider(ctx, providers.Provider{Name: "q"}); !errors.Is(err, ErrBusy) {
		t.Errorf("a write beside a reader: %v", err)
	}
}

// checkCorrupt opens path and expects ErrCorrupt naming it, with the file
// left byte for byte as it was.
func checkCorrupt(t *testing.T, path, wantDetail string) {
	t.Helper()
	before, err := os.ReadFile(path)
	must(t, err)
	s, err := Open(t.Context(), Options{Path: path, LockTimeout: time.Second})
	if err == nil {
		// Some damage only shows when the damaged page is read.
		_, err = s.Summaries(t.Context())
		if err == nil {
			_, err = s.Providers(t.Context())
		}
	}
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), wantDetail) {
		t.Errorf("error = %v\nwant ErrCorrupt naming %s and saying %q", err, path, wantDetail)
	}
	after, err := os.ReadFile(path)
	must(t, err)
	if !bytes.Equal(before, after) {
		t.Error("the file was changed")
	}
}

func TestCorruptGarbage(t *testing.T) {
	path := testDB(t)
	garbage := make([]byte, 64<<10)
	_, _ = rand.Read(garbage)
	must(t, os.WriteFile(path, garbage, 0o600))
	checkCorrupt(t, path, "not a tokentop database")

	must(t, os.WriteFile(path, []byte("name: not a database\n"), 0o600))
	checkCorrupt(t, path, "not a tokentop database")
}

// filledDB makes a real database with some content and returns its path.
func filledDB(t *testing.T) string {
	t.Helper()
	path := testDB(t)
	s := openStore(t, Options{Path: path})
	var ps []providers.Provider
	for i := range 200 {
		ps = append(ps, providers.Provider{Name: "p" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + time.Duration(i).String(),
			TokenURL: "https://example.com/" + strings.Repeat("t", 100), ClientID: "id", Notes: strings.Repeat("n", 200)})
	}
	must(t, s.PutProviders(t.Context(), ps))
	return path
}

func TestCorruptTruncated(t *testing.T) {
	for _, keep := range []int64{100, 4096 + 100, 3 * 4096} {
		path := filledDB(t)
		must(t, os.Truncate(path, keep))
		checkCorrupt(t, path, "truncated")
	}
}

func TestTruncatedWhileInUse(t *testing.T) {
	// Damage after Open skips the header check: bbolt then reads pages past
	// the end of the file through its memory map, a fault that must become
	// an error.
	path := filledDB(t)
	s := openStore(t, Options{Path: path})
	must(t, os.Truncate(path, 3*4096))
	if _, err := s.Summaries(t.Context()); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Summaries of a truncated file: %v", err)
	}
}

func TestCorruptPages(t *testing.T) {
	// Intact header, garbage pages: bbolt trusts the pages it maps, so this
	// must be caught (a recovered panic or fault), not crash the process.
	path := filledDB(t)
	data, err := os.ReadFile(path)
	must(t, err)
	for i := 2 * 4096; i < len(data); i++ {
		data[i] = 0xA5
	}
	must(t, os.WriteFile(path, data, 0o600))
	checkCorrupt(t, path, "")
}

func TestForeignBoltFile(t *testing.T) {
	path := testDB(t)
	db, err := bolt.Open(path, 0o600, nil)
	must(t, err)
	must(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("someone-else"))
		if err == nil {
			err = b.Put([]byte("k"), []byte("v"))
		}
		return err
	}))
	must(t, db.Close())
	checkCorrupt(t, path, "another program")
}

func TestUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads any file")
	}
	path := filledDB(t)
	must(t, os.Chmod(path, 0))
	defer os.Chmod(path, 0o600)
	_, err := Open(t.Context(), Options{Path: path})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("Open: %v", err)
	}
}

func TestDirectoryIsNotADatabase(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(t.Context(), Options{Path: dir})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Open(directory): %v", err)
	}
}

func TestNewerSchemaOpensReadOnly(t *testing.T) {
	ctx := t.Context()
	ts := newTokenServer(t)
	path := testDB(t)
	s := openStore(t, Options{Path: path})
	p := ts.provider("svc")
	must(t, s.PutProvider(ctx, p))
	must(t, s.PutProvider(ctx, providers.Provider{Name: "other", TokenURL: ts.URL, ClientID: "x"}))
	if _, err := s.Token(ctx, "svc", TokenOptions{}); err != nil {
		t.Fatal(err)
	}

	must(t, rawBolt(t, path).Update(ctx, func(tx kv.Tx) error { return tx.Put(kv.P(bMeta), []byte(kSchema), []byte("2")) }))
	before, err := os.ReadFile(path)
	must(t, err)

	ro := openStore(t, Options{Path: path})
	if !ro.ReadOnly() {
		t.Fatal("a newer schema did not open read-only")
	}
	// Reads work, the cached token included.
	if _, err := ro.Providers(ctx); err != nil {
		t.Errorf("Providers: %v", err)
	}
	if _, err := ro.Token(ctx, "svc", TokenOptions{}); err != nil {
		t.Errorf("cached Token: %v", err)
	}
	want := "database " + path + " has schema v2, newer than this tokentop understands (v1); opened read-only"
	for name, err := range map[string]error{
		"PutProvider":    ro.PutProvider(ctx, p),
		"PutProviders":   ro.PutProviders(ctx, []providers.Provider{p}),
		"DeleteProvider": ro.DeleteProvider(ctx, "svc"),
		"RecordCall":     ro.RecordCall(ctx, "svc", CallRecord{}),
		"AddQuota":       ro.AddQuota(ctx, "svc", 1, time.Now()),
		"Token(fetch)":   second(ro.Token(ctx, "other", TokenOptions{})),
		"Token(force)":   second(ro.Token(ctx, "svc", TokenOptions{ForceRefresh: true})),
	} {
		if !errors.Is(err, ErrReadOnly) || err.Error() != want {
			t.Errorf("%s: %v\nwant %s", name, err, want)
		}
	}
	after, err := os.ReadFile(path)
	must(t, err)
	if !bytes.Equal(before, after) {
		t.Error("a read-only store changed the file")
	}
}

func TestPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "tokentop")
	path := filepath.Join(dir, "tokentop.db")
	s := openStore(t, Options{Path: path})
	must(t, s.PutProvider(t.Context(), providers.Provider{Name: "p", ClientSecret: "x"}))
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600, path + ".key": 0o600} {
		st, err := os.Stat(p)
		must(t, err)
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s: mode %o, want %o", p, got, want)
		}
	}
	entries, err := os.ReadDir(dir)
	must(t, err)
	if len(entries) != 2 {
		t.Errorf("stray files beside the database: %v", entries)
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/xdg/data")
	got, err := DefaultPath()
	must(t, err)
	if got != filepath.Join("/xdg/data", "tokentop", "tokentop.db") {
		t.Errorf("with XDG_DATA_HOME: %s", got)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/someone")
	got, err = DefaultPath()
	must(t, err)
	if runtimeUsesXDG() && got != "/home/someone/.local/share/tokentop/tokentop.db" {
		t.Errorf("without XDG_DATA_HOME: %s", got)
	}
}

func TestChangeCounter(t *testing.T) {
	ctx := t.Context()
	path := testDB(t)
	a := openStore(t, Options{Path: path})
	b := openStore(t, Options{Path: path})
	n0, err := b.ChangeCounter(ctx)
	must(t, err)
	must(t, a.PutProvider(ctx, providers.Provider{Name: "p"}))
	n1, err := b.ChangeCounter(ctx)
	must(t, err)
	if n1 <= n0 {
		t.Fatalf("a write in another Store did not bump the counter: %d → %d", n0, n1)
	}
	if _, err := a.Summaries(ctx); err != nil {
		t.Fatal(err)
	}
	if n2, _ := b.ChangeCounter(ctx); n2 != n1 {
		t.Errorf("a read bumped the counter: %d → %d", n1, n2)
	}
}
