package safetext

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// hostile holds every kind of sequence the filter knows, and some cut short.
var hostile = []string{
	"plain",
	"a\x1b]52;c;ZXZpbA==\x07b",
	"a\x1b]52;c;ZXZpbA==\x1b\\b",
	"x\x1b[2J\x1b[Hy\x1b[?25l",
	"a\u009b31mb\u009d0;t\u009cc\u0090q\x07d\u0098sos\u009ce",
	"one\r\ntwo\tthree\n",
	"bidi \u202eexe.txt\u202c \u2066x\u2069",
	"invisible http://127.0.0.1:9/\u200fevil\u200b\u061c\u2060\ufeff",
	"Zürich – 東京 ✓",
	"bad \xff\xc3( utf8 \xe2\x82",
	"esc at end \x1b",
	"osc never closed \x1b]0;pwned",
	"\x1b(B\x1bc\x1b7 two-byte",
	"ESC inside a string \x1b]0;a\x1bb\x07 after",
	"C2 inside a string \x1b]0;a\xc2\xa0b\x07 after",
}

// TestWriterMatchesSanitizeAtEverySplit writes each input in two pieces,
// cut at every byte, and in one-byte pieces: the output is Sanitize's.
func TestWriterMatchesSanitizeAtEverySplit(t *testing.T) {
	for _, in := range hostile {
		want := Sanitize(in)
		for cut := 0; cut <= len(in); cut++ {
			var out bytes.Buffer
			w := NewWriter(&out)
			mustWrite(t, w, in[:cut])
			mustWrite(t, w, in[cut:])
			if out.String() != want {
				t.Errorf("%q cut at %d: got %q, want %q", in, cut, out.String(), want)
			}
		}
		var out bytes.Buffer
		w := NewWriter(&out)
		for i := range len(in) {
			mustWrite(t, w, in[i:i+1])
		}
		if out.String() != want {
			t.Errorf("%q byte by byte: got %q, want %q", in, out.String(), want)
		}
	}
}

func mustWrite(t *testing.T, w *Writer, s string) {
	t.Helper()
	n, err := w.WriteString(s)
	if err != nil || n != len(s) {
		t.Fatalf("WriteString(%q) = %d, %v; want %d, nil", s, n, err, len(s))
	}
}

func TestWriterKeepsAnOpenSequenceAcrossWrites(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	mustWrite(t, w, "before \x1b]52;c;")
	mustWrite(t, w, strings.Repeat("QUFB", 100)) // still inside the OSC: dropped
	mustWrite(t, w, "\x07 after\n")
	if got := out.String(); got != "before  after\n" {
		t.Errorf("got %q", got)
	}
}

func TestWriterPassesCleanTextAsItIs(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	in := "NAME\tENV\n" + strings.Repeat("x", 1000) + "\n"
	mustWrite(t, w, in)
	if out.String() != in {
		t.Errorf("clean text changed")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterReportsTheUnderlyingError(t *testing.T) {
	w := NewWriter(failingWriter{})
	for _, s := range []string{"clean", "dirty \x1b[31m"} {
		if n, err := w.WriteString(s); err == nil || n != 0 {
			t.Errorf("WriteString(%q) = %d, %v; want 0 and the error", s, n, err)
		}
	}
}

func FuzzWriterMatchesSanitize(f *testing.F) {
	for _, s := range hostile {
		f.Add(s, uint8(len(s)/2))
	}
	f.Fuzz(func(t *testing.T, in string, cut uint8) {
		c := min(int(cut), len(in))
		var out bytes.Buffer
		w := NewWriter(&out)
		mustWrite(t, w, in[:c])
		mustWrite(t, w, in[c:])
		got := out.String()
		if want := Sanitize(in); got != want {
			t.Fatalf("%q cut at %d: writer %q, Sanitize %q", in, c, got, want)
		}
		if _, _, bad := FirstUnsafe(got, true); bad {
			t.Fatalf("Sanitize(%q) = %q still holds something unsafe", in, got)
		}
	})
}

func BenchmarkWriter(b *testing.B) {
	clean := []byte(strings.Repeat("provider-name  sandbox  valid  12:34\n", 100))
	dirty := []byte(strings.Repeat("provider\x1b]52;c;QUFB\x07 \u009b31m sandbox\n", 100))
	for _, bc := range []struct {
		name string
		p    []byte
	}{{"clean", clean}, {"dirty", dirty}} {
		b.Run(bc.name, func(b *testing.B) {
			w := NewWriter(discard{})
			b.SetBytes(int64(len(bc.p)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := w.Write(bc.p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
