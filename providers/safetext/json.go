package safetext

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"
)

// EncodeJSON writes v as indented JSON (two spaces, a newline at the end),
// escaped by [EscapeJSON]: every --json output goes through it.
func EncodeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	b = append(EscapeJSON(b), '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

// EscapeJSON rewrites JSON text that encoding/json made so that no byte a
// terminal acts on is left: DEL, the C1 controls U+0080–U+009F (which
// encoding/json writes raw), U+2028, U+2029 and the bidi controls become
// \u escapes, and so do the invisible characters (zero-width spaces and
// joiners, bidi marks, U+FEFF). Outside strings JSON holds only ASCII, so every such rune is
// inside a string and the result decodes to the same value. Input with
// nothing to escape is returned as it is.
func EscapeJSON(b []byte) []byte {
	i := bytes.IndexFunc(b, jsonUnsafe)
	if i < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	out = append(out, b[:i]...)
	for i < len(b) {
		r, size := utf8.DecodeRune(b[i:])
		if jsonUnsafe(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

// jsonUnsafe reports whether r must be escaped in JSON text; C0 controls
// are escaped by encoding/json already.
func jsonUnsafe(r rune) bool {
	return r == 0x7f || r >= 0x80 && r <= 0x9f || r == '\u2028' || r == '\u2029' || bidiControl(r) || invisible(r)
}
