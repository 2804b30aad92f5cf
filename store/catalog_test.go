package store

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tokentop/tokentop/providers"
)

// TestCatalogMissingFile: a database that does not exist is an empty
// catalog, and Catalog does not create it.
func TestCatalogMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none", "tokentop.db")
	got, err := Catalog(t.Context(), path)
	if err != nil || got != nil {
		t.Fatalf("Catalog of a missing file = %v, %v; want nothing, no error", got, err)
	}
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Fatalf("Catalog created %s: %v", filepath.Dir(path), err)
	}
}

// TestCatalogNamesAndEndpoints: names in order with their endpoints' names,
// read without the key file (nothing is decrypted).
func TestCatalogNamesAndEndpoints(t *testing.T) {
	ctx := t.Context()
	ts := newTokenServer(t)
	path := testDB(t)
	s := openStore(t, Options{Path: path})
	b := ts.provider("beta")
	b.Env = "prod"
	b.Endpoints = []providers.Endpoint{{Name: "items", URL: ts.URL + "/items"}, {Name: "me", URL: ts.URL + "/me"}}
	must(t, s.PutProviders(ctx, []providers.Provider{ts.provider("alpha"), b}))
	if _, err := s.Token(ctx, "alpha", TokenOptions{}); err != nil {
		t.Fatal(err)
	}
	must(t, os.Remove(keyPath(path)))

	got, err := Catalog(ctx, path)
	must(t, err)
	want := []CatalogEntry{{Name: "alpha"}, {Name: "beta", Env: "prod", Endpoints: []string{"items", "me"}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Catalog = %+v, want %+v", got, want)
	}
}

// TestCatalogForeignFile: a file that is not a database is an error, and
// is left as it was.
func TestCatalogForeignFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokentop.db")
	junk := []byte("not a database, just text\n")
	must(t, os.WriteFile(path, junk, 0o600))
	if _, err := Catalog(t.Context(), path); err == nil {
		t.Fatal("Catalog of a text file gave no error")
	}
	if b, _ := os.ReadFile(path); string(b) != string(junk) {
		t.Fatalf("the file changed: %q", b)
	}
}

func BenchmarkCatalog(b *testing.B) {
	ts := newTokenServer(b)
	path := testDB(b)
	s := openStore(b, Options{Path: path})
	ps := make([]providers.Provider, 100)
	for i := range ps {
		ps[i] = ts.provider("p" + string(rune('a'+i%26)) + string(rune('a'+i/26)))
	}
	must(b, s.PutProviders(b.Context(), ps))
	for b.Loop() {
		if _, err := Catalog(b.Context(), path); err != nil {
			b.Fatal(err)
		}
	}
}
