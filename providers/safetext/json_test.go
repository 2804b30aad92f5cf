package safetext

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestEscapeJSON(t *testing.T) {
	in := map[string]any{
		"c1":        "a\u0090b\u009bc\u009dd\u0085e",
		"seps":      "x\u2028y\u2029z",
		"bidi":      "user\u202etxt.exe\u2066",
		"invisible": "a\u200fb\u200bc\ufeffd\u061ce\u2060",
		"c0":        "esc\x1b[31m bel\a del\x7f",
		"utf8":      "Zürich – 東京 ✓",
		"key\u009d": []any{"\u009c", 1.5, true, nil},
	}
	var buf bytes.Buffer
	if err := EncodeJSON(&buf, in); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`\u0090`, `\u009b`, `\u009d`, `\u0085`, `\u2028`, `\u2029`, `\u202e`, `\u2066`, `\u200f`, `\u200b`, `\ufeff`, `\u061c`, `\u2060`, `\u007f`, `\u001b`, `\u0007`, "Zürich – 東京 ✓"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	if r, at, bad := FirstUnsafe(out, true); bad {
		t.Errorf("output holds %s at %d:\n%q", Describe(r), at, out)
	}
	if !strings.HasSuffix(out, "}\n") || !strings.Contains(out, "\n  \"") {
		t.Errorf("want two-space indented JSON ending in a newline:\n%s", out)
	}
	var back map[string]any
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("escaped output is not JSON: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(back, in) {
		t.Errorf("round trip changed the data:\n got %#v\nwant %#v", back, in)
	}
}

func TestEscapeJSONLeavesCleanJSONAlone(t *testing.T) {
	in := []byte(`{"a": "Zürich \u001b", "b": [1, 2]}`)
	if got := EscapeJSON(in); &got[0] != &in[0] {
		t.Error("clean JSON was copied")
	}
}

func FuzzEscapeJSON(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		if err := EncodeJSON(&buf, []string{s}); err != nil {
			t.Fatal(err)
		}
		if r, at, bad := FirstUnsafe(buf.String(), true); bad {
			t.Fatalf("EncodeJSON(%q) holds %s at %d", s, Describe(r), at)
		}
		var back []string
		if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
			t.Fatalf("EncodeJSON(%q) is not JSON: %v", s, err)
		}
		// The same value encoding/json alone gives (it replaces invalid UTF-8).
		plain, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var want string
		if err := json.Unmarshal(plain, &want); err != nil {
			t.Fatal(err)
		}
		if len(back) != 1 || back[0] != want {
			t.Fatalf("EncodeJSON(%q) decodes to %q, want %q", s, back, want)
		}
	})
}
