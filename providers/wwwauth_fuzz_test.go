package providers

import (
	"testing"

	"github.com/tokentop/tokentop/providers/headers"
)

// FuzzWWWAuthenticate: any header parses without panic into sanitised
// challenges.
func FuzzWWWAuthenticate(f *testing.F) {
	for _, s := range []string{`Bearer realm="a\"b", error=invalid_token`, `Negotiate abc==, Basic realm=x`, `"`, `=`, `a=b=c`, "Bearer x=\"\x1b]52;c;x\x07\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		for _, c := range headers.ParseWWWAuthenticate(h) {
			fuzzTerminalSafe(t, "scheme", c.Scheme)
			fuzzTerminalSafe(t, "token68", c.Token68)
			for k, v := range c.Params {
				fuzzTerminalSafe(t, "param name", k)
				fuzzTerminalSafe(t, "param value", v)
			}
		}
		r := headers.ExplainRefusal(401, "a b", h)
		fuzzTerminalSafe(t, "summary", r.Summary)
		fuzzTerminalSafe(t, "hint", r.Hint)
		x := ExplainCall(&CallResult{Status: 401, WWWAuthenticate: h, Body: h}, CallContext{Provider: Provider{Env: h}})
		fuzzTerminalSafe(t, "call summary", x.Summary)
		fuzzTerminalSafe(t, "call hint", x.Hint)
	})
}
