package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeAt(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestStateFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "tokentop", "state.yaml")
	sf := NewStateFile(path)
	if _, found, err := sf.Load(); found || err != nil {
		t.Fatalf("no file yet: found %v, %v", found, err)
	}
	want := State{Filter: "prod", Sort: Sort{Column: "quota", Reverse: true}}
	if err := sf.Save(1, want); err != nil {
		t.Fatal(err)
	}
	got, found, err := NewStateFile(path).Load()
	if err != nil || !found || got != want {
		t.Fatalf("read back %+v (found %v, %v), want %+v", got, found, err, want)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the state file should be its owner's only: %v %v", fi.Mode(), err)
	}
	// An older save arriving late does not overwrite a newer one.
	if err := sf.Save(3, State{Filter: "new"}); err != nil {
		t.Fatal(err)
	}
	if err := sf.Save(2, State{Filter: "old"}); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := sf.Load(); got.Filter != "new" {
		t.Fatalf("a stale save won: %+v", got)
	}
}

func TestStateFileIsSanitisedAndBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.yaml")
	writeAt(t, path, "filter: \"a\\e]52;c;eA==\\ab"+strings.Repeat("x", 200)+"\"\n")
	st, _, err := NewStateFile(path).Load()
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(st.Filter, "\x1b\x07") || len([]rune(st.Filter)) > MaxFilter {
		t.Fatalf("filter %q: escape codes or over %d runes", st.Filter, MaxFilter)
	}
	writeAt(t, path, "filter: [\n")
	if _, _, err := NewStateFile(path).Load(); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("a broken state file is an error naming it, got %v", err)
	}
}
