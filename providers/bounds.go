package providers

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// The byte budget of a record (a flight record, a test-call's result),
// whatever a server sends.
const (
	// MaxRecordHeaders is how many header lines one side of a record keeps,
	// the line saying how many were cut included.
	MaxRecordHeaders = 100
	// MaxRecordHeaderBytes caps the names and values of one side's
	// headers.
	MaxRecordHeaderBytes = 64 << 10
	// MaxRecordHeaderValue caps one header name or value.
	MaxRecordHeaderValue = 4 << 10
	// MaxRecordBody caps a body kept in a record.
	MaxRecordBody = 64 << 10
	// MaxRecordText caps any other text of a record: the URL, the error,
	// the hint, the credential line.
	MaxRecordText = 4 << 10
	// MaxResponseHeaderBytes is how much of an answer's headers the
	// transport reads; past it the answer is an error, never read whole.
	MaxResponseHeaderBytes = 1 << 20
)

// HeadersCutKey is the header name under which a record says how many
// headers it left out.
const HeadersCutKey = "…"

// bodyCutMark ends a body cut for the record.
const bodyCutMark = "\n… (cut at 64 KiB for the record)"

// keptFirst are the headers triage needs, kept before any other when a
// server sends more than a record holds.
var keptFirst = []string{"Content-Type", "Date", "Www-Authenticate", "Retry-After", "Location", "Content-Length"}

// boundHeaders keeps at most MaxRecordHeaders lines and
// MaxRecordHeaderBytes of h, each name and value cut to
// MaxRecordHeaderValue, and says under HeadersCutKey how many lines it
// left out. The headers of keptFirst go first, then the rest by name. h
// within the limits is returned as it is, so bounding twice changes
// nothing.
func boundHeaders(h http.Header) http.Header {
	lines, size, long := 0, 0, false
	for k, vs := range h {
		long = long || len(k) > MaxRecordHeaderValue
		for _, v := range vs {
			lines++
			size += len(k) + len(v)
			long = long || len(v) > MaxRecordHeaderValue
		}
	}
	if lines <= MaxRecordHeaders && size <= MaxRecordHeaderBytes && !long {
		return h
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		ia, ib := slices.Index(keptFirst, a), slices.Index(keptFirst, b)
		switch {
		case ia >= 0 && ib >= 0:
			return ia - ib
		case ia >= 0:
			return -1
		case ib >= 0:
			return 1
		}
		return strings.Compare(a, b)
	})
	// Room for the line that says what was cut.
	const reserve = 128
	out := make(http.Header, min(len(h), MaxRecordHeaders))
	used, kept, cut, cutBytes := 0, 0, 0, 0
	for _, k := range keys {
		name := cutValue(k)
		for _, v := range h[k] {
			v2 := cutValue(v)
			if k == HeadersCutKey || kept >= MaxRecordHeaders-1 || used+len(name)+len(v2) > MaxRecordHeaderBytes-reserve {
				cut++
				cutBytes += len(k) + len(v)
				continue
			}
			out[name] = append(out[name], v2)
			used += len(name) + len(v2)
			kept++
		}
	}
	if cut > 0 {
		out[HeadersCutKey] = []string{fmt.Sprintf("(%d more headers, %s, cut for the record)", cut, byteSize(cutBytes))}
	}
	return out
}

// cutValue cuts a header name or value to MaxRecordHeaderValue bytes,
// saying how much was left out.
func cutValue(v string) string {
	if len(v) <= MaxRecordHeaderValue {
		return v
	}
	n := cutAt(v, MaxRecordHeaderValue-64)
	return v[:n] + fmt.Sprintf("… (%s cut)", byteSize(len(v)-n))
}

// cutBody cuts a body to MaxRecordBody bytes, marked. A body cut before
// (up to MaxRecordBody and the mark) is left as it is.
func cutBody(s string) string {
	if len(s) <= MaxRecordBody+len(bodyCutMark) {
		return s
	}
	return s[:cutAt(s, MaxRecordBody)] + bodyCutMark
}

// cutText cuts a line of a record to MaxRecordText bytes, marked with "…".
func cutText(s string) string {
	if len(s) <= MaxRecordText {
		return s
	}
	return s[:cutAt(s, MaxRecordText-len("…"))] + "…"
}

// cutAt is the largest rune boundary of s at or before n.
func cutAt(s string, n int) int {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}

// byteSize words a size: 512 bytes, 12 KiB, 1 MiB, 3.5 MiB.
func byteSize(n int) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
