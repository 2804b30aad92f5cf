package safetext

import (
	"reflect"
	"testing"
	"time"
)

type inner struct {
	Text  string
	Lines []string
}

type outer struct {
	Name    string
	Notes   string
	Ptr     *inner
	List    []inner
	Map     map[string]string
	Any     map[string]any
	Arr     [2]string
	When    time.Time
	Count   int
	Bytes   []byte
	private string
}

func TestValueSanitisesEveryString(t *testing.T) {
	const bad = "a\x1b]52;c;QUFB\x07b\u009b31mc\u202e"
	in := outer{
		Name: bad, Notes: "line\n\tnext" + bad,
		Ptr:   &inner{Text: bad, Lines: []string{bad, "ok"}},
		List:  []inner{{Text: bad}},
		Map:   map[string]string{bad: bad},
		Any:   map[string]any{"k": []any{bad, 1.5, map[string]any{"n": bad}}},
		Arr:   [2]string{bad, bad},
		When:  time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Count: 7, Bytes: []byte("\x1b raw"), private: bad,
	}
	got := Value(in)
	want := outer{
		Name: "abc", Notes: "line\n\tnextabc",
		Ptr:   &inner{Text: "abc", Lines: []string{"abc", "ok"}},
		List:  []inner{{Text: "abc"}},
		Map:   map[string]string{"abc": "abc"},
		Any:   map[string]any{"k": []any{"abc", 1.5, map[string]any{"n": "abc"}}},
		Arr:   [2]string{"abc", "abc"},
		When:  in.When,
		Count: 7, Bytes: []byte("\x1b raw"), private: bad,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Value:\n got %#v\nwant %#v", got, want)
	}
	if in.Ptr.Text != bad || in.Map[bad] != bad || in.List[0].Text != bad {
		t.Fatal("Value changed its input")
	}
	var nilPtr *inner
	if Value(nilPtr) != nil {
		t.Fatal("nil pointer")
	}
}

// TestValueLeavesCleanDataAsIs: data with nothing to clean comes back as
// it went in, without a copy (the dashboard's reload of every summary);
// data with one unsafe string deep down is still copied and cleaned, the
// original untouched.
func TestValueLeavesCleanDataAsIs(t *testing.T) {
	type inner struct{ Text string }
	type outer struct {
		Name  string
		Items []inner
		Ptr   *inner
	}
	clean := outer{Name: "ok", Items: []inner{{"a"}, {"b"}}, Ptr: &inner{"c"}}
	if n := testing.AllocsPerRun(100, func() { _ = Value(clean) }); n > 1 {
		t.Fatalf("Value allocated %v times for clean data, want at most 1 (v itself)", n)
	}
	if got := Value(clean); &got.Items[0] != &clean.Items[0] || got.Ptr != clean.Ptr {
		t.Fatal("clean data was copied")
	}
	dirty := outer{Name: "ok", Items: []inner{{"a"}, {"b\x1b]52;c;eA==\x07"}}, Ptr: &inner{"c"}}
	got := Value(dirty)
	if got.Items[1].Text != "b" || dirty.Items[1].Text != "b\x1b]52;c;eA==\x07" {
		t.Fatalf("dirty data: got %q, original now %q", got.Items[1].Text, dirty.Items[1].Text)
	}
	if &got.Items[0] == &dirty.Items[0] {
		t.Fatal("dirty data was not copied")
	}
}
