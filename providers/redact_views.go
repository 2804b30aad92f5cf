package providers

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// searchBudget is how many steps a search of redactEscaped may take per
// byte of text and per byte of the longest secret. Text takes one to
// three steps a byte; only text that spells a long part of a secret over
// and over (a hostile server's "aaaa…" token echoed in "aaaa…") needs
// more.
const searchBudget = 64

// tooRepetitive replaces the rest of a text redactEscaped gave up on.
const tooRepetitive = Redacted + " (the rest: too repetitive to search for secrets)"

// view is a text decoded one layer (every JSON escape, HTML character
// reference or percent escape in it), with, for each of its bytes, the
// offset in the text it came from; offs[len(text)] is the text's length.
type view struct {
	text string
	offs []int32
}

// views are the decoders of an outer layer: a secret escaped by a server
// and then put in a JSON string, an HTML page or a URL.
var views = [...]struct {
	meta   byte
	decode func(t string, i int) (end int, r rune, d string)
}{
	{'\\', func(t string, i int) (int, rune, string) { end, r := jsonEscapeAt(t, i); return end, r, "" }},
	{'&', entityAt},
	{'%', func(t string, i int) (int, rune, string) {
		if i+2 < len(t) {
			hi, ok1 := unhex(t[i+1])
			lo, ok2 := unhex(t[i+2])
			if ok1 && ok2 {
				return i + 3, 0, string([]byte{hi<<4 | lo})
			}
		}
		return 0, 0, ""
	}},
}

// decodeView decodes t at every meta byte where decode finds an escape;
// the offsets only withOffs (they take four bytes a byte, and are needed
// only where a secret was found). Texts are bounded far below 2 GiB (a
// body is read up to MaxBodyBytes), so an offset fits an int32.
func decodeView(t string, meta byte, decode func(t string, i int) (int, rune, string), withOffs bool) view {
	var b strings.Builder
	b.Grow(len(t))
	var offs []int32
	if withOffs {
		offs = make([]int32, 0, len(t)+1)
	}
	for i := 0; i < len(t); {
		if t[i] == meta {
			if end, r, d := decode(t, i); end > 0 {
				if d == "" {
					d = string(utf8.AppendRune(nil, r))
				}
				b.WriteString(d)
				for range len(d) {
					offs = append(offs, int32(i))
				}
				i = end
				continue
			}
		}
		b.WriteByte(t[i])
		if withOffs {
			offs = append(offs, int32(i))
		}
		i++
	}
	if withOffs {
		offs = append(offs, int32(len(t)))
	}
	return view{b.String(), offs}
}

// redactEscaped replaces every spelling of each of secrets (longest
// first) in t, raw or escaped (see escapedMatch), with Redacted: as t
// reads, and as it reads decoded once by each of views. The work is
// bounded (searchBudget per search); text a search would take longer on
// is cut where its budget ran out, the rest replaced by tooRepetitive:
// closed, not open.
func redactEscaped(t string, secrets []string) string {
	spans, cut := findSpans(t, secrets)
	for _, v := range views {
		if strings.IndexByte(t, v.meta) < 0 {
			continue
		}
		d := decodeView(t, v.meta, v.decode, false)
		found, vcut := findSpans(d.text, secrets)
		if len(found) == 0 && vcut < 0 {
			continue
		}
		d = decodeView(t, v.meta, v.decode, true)
		for _, sp := range found {
			spans = append(spans, [2]int{int(d.offs[sp[0]]), int(d.offs[sp[1]])})
		}
		if vcut >= 0 {
			cut = minCut(cut, int(d.offs[vcut]))
		}
	}
	if len(spans) == 0 && cut < 0 {
		return t
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	var b strings.Builder
	b.Grow(len(t))
	at := 0
	for _, sp := range spans {
		if cut >= 0 && sp[0] >= cut {
			break
		}
		if sp[1] <= at {
			continue // inside a span written already
		}
		if sp[0] >= at {
			b.WriteString(t[at:sp[0]])
			b.WriteString(Redacted)
		} // else it overlaps the span written last, which grows
		at = sp[1]
	}
	if cut >= 0 && at < len(t) {
		b.WriteString(t[at:max(at, cut)])
		b.WriteString(tooRepetitive)
		return b.String()
	}
	b.WriteString(t[at:])
	return b.String()
}

func minCut(a, b int) int {
	if a < 0 {
		return b
	}
	return min(a, b)
}

// findSpans finds the spans of t that spell one of secrets (longest
// first). At each byte the secrets whose first byte the text there may
// spell are tried; the first to match wins and the search goes on after
// it. cut is where the search's budget ran out, or -1.
func findSpans(t string, secrets []string) (spans [][2]int, cut int) {
	var first [256]bool
	longest := 0
	for _, v := range secrets {
		first[v[0]] = true
		longest = max(longest, len(v))
	}
	budget := searchBudget * (len(t) + longest)
	for i := 0; i < len(t); {
		c := t[i]
		e, escaped := escapeFirst(t, i)
		if !first[c] && !(escaped && first[e]) {
			i++
			continue
		}
		end := -1
		for _, v := range secrets {
			if v[0] == c || escaped && v[0] == e {
				if end = escapedMatch(t, i, v, &budget); end > 0 {
					break
				}
			}
		}
		if budget <= 0 {
			return spans, i
		}
		if end < 0 {
			i++
			continue
		}
		spans = append(spans, [2]int{i, end})
		i = end
	}
	return spans, -1
}
