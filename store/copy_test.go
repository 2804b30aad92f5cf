package store_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/store/storetest"
)

// openAt opens a bbolt Store at path for the test.
func openAt(t *testing.T, path string) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestCopyBoltToBolt: everything moves from one database to another with
// its own key, and checks out.
func TestCopyBoltToBolt(t *testing.T) {
	from := openAt(t, filepath.Join(t.TempDir(), "from.db"))
	to := openAt(t, filepath.Join(t.TempDir(), "to.db"))
	f := storetest.Fill(t, from, storetest.NewTokenServer(t))
	storetest.CopyEverything(t, from, to, f)
}

// TestVerifyCopyFindsDifferences: a target changed after the copy (a
// provider removed, a token forgotten) is reported by provider and kind.
func TestVerifyCopyFindsDifferences(t *testing.T) {
	ctx := t.Context()
	from := openAt(t, filepath.Join(t.TempDir(), "from.db"))
	to := openAt(t, filepath.Join(t.TempDir(), "to.db"))
	storetest.Fill(t, from, storetest.NewTokenServer(t))
	if _, err := store.Copy(ctx, from, to, store.CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := to.DeleteProvider(ctx, "gamma"); err != nil {
		t.Fatal(err)
	}
	if _, err := to.ForgetToken(ctx, "beta", store.ForgetOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := store.VerifyCopy(ctx, from, to)
	var me *store.CopyMismatchError
	if !errors.As(err, &me) {
		t.Fatalf("VerifyCopy: %v, want a *CopyMismatchError", err)
	}
	want := map[string]bool{"gamma: missing": true, "beta: token": true}
	for _, d := range me.Differences {
		delete(want, d)
	}
	if len(want) > 0 {
		t.Fatalf("differences %q miss %v", me.Differences, want)
	}
}
