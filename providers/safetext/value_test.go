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
