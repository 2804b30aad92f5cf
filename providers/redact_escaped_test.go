package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tokentop/tokentop/internal/testsupport"
)

// hostileSecret has a character of each kind servers escape differently:
// + / = & ! " ' < > a space, a non-ASCII letter and a non-Latin-1 one.
const hostileSecret = `S3cr3t+V@lue/with=chars&more!"'‹ä x>`

func TestSecretIsRedactedInEverySpelling(t *testing.T) {
	for _, secret := range []string{hostileSecret, echoSecret, "plain-alnum-secret-0123456789", "emoji🔑secret  two spaces"} {
		var s secrets
		s.add(secret)
		for name, form := range testsupport.Spellings(secret) {
			in := "before " + form + " after"
			if got, want := s.text(in), "before "+Redacted+" after"; got != want {
				t.Errorf("%q as %s:\n got %q\nwant %q", secret, name, got, want)
			}
			if got := string(s.byValue([]byte(in))); strings.Contains(got, form) {
				t.Errorf("byValue of %q as %s: %q", secret, name, got)
			}
		}
		for name, form := range testsupport.EmbeddedBase64(secret) {
			if got := s.text("x " + form + " y"); strings.Contains(got, form) || !strings.Contains(got, Redacted) {
				t.Errorf("%q %s: %q", secret, name, got)
			}
		}
	}
}

// TestSecretIsRedactedInAnyMix writes each character of the secret in an
// escape picked at random (seeded): servers mix them, and the matcher
// must not care.
func TestSecretIsRedactedInAnyMix(t *testing.T) {
	var s secrets
	s.add(hostileSecret)
	rng := rand.New(rand.NewPCG(9, 2))
	encoders := []func(r rune) string{
		func(r rune) string { return string(r) },
		func(r rune) string { return fmt.Sprintf("&#%d;", r) },
		func(r rune) string { return fmt.Sprintf("&#x%X;", r) },
		testsupport.JSONEscape,
		func(r rune) string { return testsupport.PercentEvery(string(r)) },
		func(r rune) string { return url.QueryEscape(string(r)) },
	}
	for range 200 {
		var b strings.Builder
		for _, r := range hostileSecret {
			b.WriteString(encoders[rng.IntN(len(encoders))](r))
		}
		form := b.String()
		if got := s.text("<" + form + ">"); got != "<"+Redacted+">" {
			t.Fatalf("%q became %q", form, got)
		}
	}
}

func TestEscapedMatchLeavesOtherTextAlone(t *testing.T) {
	var s secrets
	s.add(hostileSecret)
	for _, text := range []string{
		"S3cr3t+V@lue/with=chars&more!",         // a prefix
		`S3cr3t+V@lue/with=chars&more!"'‹ä y>`,  // one byte off
		"S3cr3t V@lue/with=chars&more!\"'‹ä x>", // a space is not a +
		"&amp;quot; &#x; &#; &nosuchentity; %zz \\u12 \\x",
		"%" + strings.Repeat("%25", 1000) + strings.Repeat("&", 1000),
	} {
		if got := s.text(text); got != text {
			t.Errorf("%q changed to %q", text, got)
		}
	}
}

// TestEscapedMatchIsBoundedOnAmbiguousText: a secret made of escape
// starts against text that could spell it two ways at every byte must not
// take exponential time (the test would not finish).
func TestEscapedMatchIsBoundedOnAmbiguousText(t *testing.T) {
	secret := strings.Repeat("%25", 40)
	var s secrets
	s.add(secret)
	text := strings.Repeat("%25", 200) + "x"
	if got := s.text(text); !strings.Contains(got, Redacted) {
		t.Errorf("not found in %q", got)
	}
}

// TestRepetitiveTextIsCutNotSearchedForever: a hostile server's token
// made of one letter, echoed in a long run of that letter, would take
// len(token) steps at every byte; the search stops at its budget and
// replaces the rest of the text rather than let it through unsearched.
func TestRepetitiveTextIsCutNotSearchedForever(t *testing.T) {
	var s secrets
	s.add(strings.Repeat("a", 8000) + "b")
	text := "kept " + strings.Repeat("a", 400000)
	got := s.text(text)
	if !strings.HasPrefix(got, "kept ") || !strings.HasSuffix(got, tooRepetitive) || len(got) >= len(text) {
		t.Errorf("got %d bytes: %.40q…%q", len(got), got, got[max(0, len(got)-80):])
	}
	// A long secret spelled out once is found whole.
	s.add("x" + strings.Repeat("%41", 3000))
	if got := s.text("<x" + strings.Repeat("%2541", 3000) + ">"); got != "<"+Redacted+">" {
		t.Errorf("got %.80q", got)
	}
}

func BenchmarkRedactEscaped(b *testing.B) {
	var s secrets
	s.add(hostileSecret)
	s.add(strings.Repeat("eyJhbGciOiJSUzI1NiJ9", 40))
	body := strings.Repeat(`{"error":"invalid_request","error_description":"bad &amp; worse %20 \u00e4 value"}`, 800)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		s.text(body)
	}
}

// spellingServer is a token endpoint that refuses the request and echoes
// the secret it was sent in every spelling of spellings: in the
// error_description of a JSON answer (or an HTML page), and one spelling
// per response header.
func spellingServer(t *testing.T, asHTML bool) *tokenServer {
	return newTokenServer(t, func(w http.ResponseWriter, r sentRequest) {
		secret := r.Form.Get("client_secret")
		if _, s, ok := r.basicCreds(); ok {
			secret = s
		}
		var desc strings.Builder
		for i, name := range slices.Sorted(maps.Keys(testsupport.Spellings(secret))) {
			form := testsupport.Spellings(secret)[name]
			fmt.Fprintf(&desc, "%s=%s\n", name, form)
			w.Header().Set(fmt.Sprintf("X-Echo-%02d", i), form)
		}
		if asHTML {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(400)
			fmt.Fprintf(w, "<html><body><p>bad secret</p><pre>%s</pre></body></html>", desc.String())
			return
		}
		writeJSON(w, 400, map[string]string{"error": "invalid_client", "error_description": desc.String()})
	})
}

func TestServerEncodedSecretsAreRedacted(t *testing.T) {
	for _, style := range []AuthStyle{AuthBasic, AuthPost} {
		for _, asHTML := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s html=%v", style, asHTML), func(t *testing.T) {
				srv := spellingServer(t, asHTML)
				p := testProvider(srv.URL, style)
				p.ClientSecret = hostileSecret
				res, err := fetchClient().Fetch(context.Background(), p, FetchOptions{})
				e := mustError(t, err)
				raw, _ := json.Marshal(res.Exchanges)
				texts := map[string]string{"the error": e.Error(), "the hint": e.Hint, "the record": string(raw),
					"the record's body": res.Exchanges[0].ResponseBody, "the record's headers": fmt.Sprint(res.Exchanges[0].ResponseHeaders)}
				for where, text := range texts {
					for name, form := range testsupport.Spellings(hostileSecret) {
						if strings.Contains(text, form) {
							t.Errorf("%s holds the secret as %s (%q)", where, name, form)
						}
					}
				}
				if n := strings.Count(texts["the record's body"], Redacted); n < len(testsupport.Spellings(hostileSecret)) {
					t.Errorf("the body shows %d redactions, want one per spelling:\n%s", n, texts["the record's body"])
				}
				if got := res.Exchanges[0].ResponseHeaders.Get("X-Echo-00"); got != Redacted {
					t.Errorf("X-Echo-00 = %q", got)
				}
			})
		}
	}
}
