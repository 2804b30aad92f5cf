package providers

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestExpiryByTheJWT(t *testing.T) {
	withExp := func(exp time.Time) string {
		return hs256JWT(t, jwt.MapClaims{"sub": "s", "exp": exp.Unix()}, "")
	}
	body := func(tok string) []byte {
		return []byte(`{"access_token":"` + tok + `","token_type":"Bearer","expires_in":3600}`)
	}
	for _, tt := range []struct {
		name       string
		exp        time.Time
		serverDate time.Time
		expiresAt  time.Time
		source     string
		warning    string
	}{
		{"exp agrees", parseNow.Add(time.Hour), parseNow, parseNow.Add(time.Hour), "expires_in", ""},
		{"exp a second early (resolution)", parseNow.Add(time.Hour - time.Second), parseNow, parseNow.Add(time.Hour), "expires_in", ""},
		{"exp later", parseNow.Add(2 * time.Hour), parseNow, parseNow.Add(time.Hour), "expires_in", ""},
		{"exp earlier", parseNow.Add(10 * time.Minute), parseNow, parseNow.Add(10 * time.Minute), "jwt exp", "50m0s before what expires_in says"},
		// The issuer's clock is two hours behind ours: its exp, read on
		// our clock, is an hour away, as expires_in says.
		{"the issuer's clock behind", parseNow.Add(-time.Hour), parseNow.Add(-2 * time.Hour), parseNow.Add(time.Hour), "expires_in", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := ParseResponse(body(withExp(tt.exp)), ParseOptions{Now: parseNow, ServerDate: tt.serverDate})
			if err != nil {
				t.Fatal(err)
			}
			warned := strings.Join(tok.Warnings, "; ")
			if !tok.ExpiresAt.Equal(tt.expiresAt) || tok.ExpirySource != tt.source || tok.ExpiryAssumed ||
				(tt.warning == "") == strings.Contains(warned, "before what") || !strings.Contains(warned, tt.warning) {
				t.Fatalf("expires %s from %s (assumed %v), warnings %q", tok.ExpiresAt, tok.ExpirySource, tok.ExpiryAssumed, warned)
			}
		})
	}
}

func TestDeadOnArrival(t *testing.T) {
	dead := hs256JWT(t, jwt.MapClaims{"sub": "s", "exp": parseNow.Add(-time.Minute).Unix()}, "")
	body := []byte(`{"access_token":"` + dead + `","expires_in":3600}`)
	for _, tt := range []struct {
		name       string
		serverDate time.Time
		hint       string
	}{
		{"the clocks agree", parseNow.Add(-time.Second), "the issuer mints tokens that are already expired"},
		{"no Date", time.Time{}, "check this machine's clock against a time server"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseResponse(body, ParseOptions{Now: parseNow, ServerDate: tt.serverDate})
			e := mustError(t, err)
			if !strings.Contains(e.Description, "expired on arrival") || !strings.Contains(e.Hint, tt.hint) {
				t.Fatalf("%q hint %q", e.Description, e.Hint)
			}
		})
	}
	// An expires_at already past by our clock, from a server whose Date is
	// an hour behind: one Date cannot say whose clock is off, and the hint
	// does not pretend to (the doctor's clock step, with the API's Date,
	// gives the verdict by the same rule, clockskew.Check).
	_, err := ParseResponse([]byte(`{"access_token":"opaque-token-value","expires_at":"`+parseNow.Add(-time.Minute).Format(time.RFC3339)+`"}`),
		ParseOptions{Now: parseNow, ServerDate: parseNow.Add(-time.Hour)})
	if e := mustError(t, err); !strings.Contains(e.Hint, "by the issuer's clock the token is good, by this machine's it is dead: this machine's clock is 1h0m0s ahead of the issuer's") ||
		!strings.Contains(e.Hint, "this machine's clock or the issuer's is off") || strings.Contains(e.Hint, "sync it") {
		t.Fatalf("hint %q", e.Hint)
	}
}

// expiryFormCase builds a token response that says the token expires at
// at, in one form of expiry.
type expiryFormCase struct {
	name   string
	source string // the Token.ExpirySource it gives
	build  func(t *testing.T, at time.Time) (string, ParseOptions)
	// epochSeconds: the year 9999 in epoch seconds has 12 digits, which
	// reads as milliseconds (1978): refused as expired on arrival, saying
	// how it was read.
	epochSeconds bool
}

// secsUntil is the whole seconds from parseNow to at, without the
// saturation of time.Time.Sub (year 9999 is further than a Duration).
func secsUntil(at time.Time) int64 { return at.Unix() - parseNow.Unix() }

func expiryForms() []expiryFormCase {
	body := func(format string, args ...any) string { return fmt.Sprintf(format, args...) }
	return []expiryFormCase{
		{"expires_in number", "expires_in", func(_ *testing.T, at time.Time) (string, ParseOptions) {
			return body(`{"access_token":"a","expires_in":%d}`, secsUntil(at)), ParseOptions{}
		}, false},
		{"expires_in string", "expires_in", func(_ *testing.T, at time.Time) (string, ParseOptions) {
			return body(`{"access_token":"a","expires_in":"%d"}`, secsUntil(at)), ParseOptions{}
		}, false},
		{"expires_in float", "expires_in", func(_ *testing.T, at time.Time) (string, ParseOptions) {
			return body(`{"access_token":"a","expires_in":%d.0}`, secsUntil(at)), ParseOptions{}
		}, false},
		{"expiresIn camelCase", "expires_in", func(_ *testing.T, at time.Time) (string, ParseOptions) {
			return body(`{"accessToken":"a","expiresIn":%d}`, secsUntil(at)), ParseOptions{}
		}, false},
		{"expires_at epoch seconds", "expires_at", func(_ *testing.T, at time.Time) (string, ParseOptions) {
			return body(`{"access_token":"a","expires_at":%d}`, at.Unix()), ParseOptions{}
		}, true},
		{"expires_at epoch milliseconds", "expires_at", func(_ *testing.T, at time.Time) (string, ParseOptions) {
			return body(`{"access_token":"a","expires_at":%d}`, at.UnixMilli()), ParseOptions{}
		}, false},
		{"expires_at RFC 3339", "expires_at", func(_ *testing.T, at time.Time) (string, ParseOptions) {
			return body(`{"access_token":"a","expires_at":%q}`, at.Format(time.RFC3339)), ParseOptions{}
		}, false},
		{"expires_on epoch string", "expires_at", func(_ *testing.T, at time.Time) (string, ParseOptions) {
			return body(`{"access_token":"a","expires_on":"%d"}`, at.Unix()), ParseOptions{}
		}, true},
		{"accessTokenExpiresAt camelCase", "expires_at", func(_ *testing.T, at time.Time) (string, ParseOptions) {
			return body(`{"accessToken":"a","accessTokenExpiresAt":%q}`, at.Format("2006-01-02T15:04:05.000Z07:00")), ParseOptions{}
		}, false},
		{"mapped expires_in", "expires_in", func(_ *testing.T, at time.Time) (string, ParseOptions) {
			return body(`{"access_token":"a","data":{"ttl":%d}}`, secsUntil(at)), ParseOptions{Mapping: &ResponseMapping{ExpiresIn: "data.ttl"}}
		}, false},
		{"mapped expires_at", "expires_at", func(_ *testing.T, at time.Time) (string, ParseOptions) {
			return body(`{"access_token":"a","expires_in":60,"validUntil":%d}`, at.Unix()), ParseOptions{Mapping: &ResponseMapping{ExpiresAt: "validUntil"}}
		}, true},
		{"JWT exp, assumed", "jwt exp", func(t *testing.T, at time.Time) (string, ParseOptions) {
			return body(`{"access_token":%q}`, hs256JWT(t, jwt.MapClaims{"sub": "s", "exp": at.Unix()}, "")), ParseOptions{}
		}, false},
		{"default lifetime", "default", func(_ *testing.T, at time.Time) (string, ParseOptions) {
			life := time.Duration(secsUntil(at)) * time.Second
			if secsUntil(at) > int64(time.Duration(1<<63-1)/time.Second) {
				life = time.Duration(1<<63 - 1) // as far as a Duration goes
			}
			return `{"access_token":"opaque"}`, ParseOptions{DefaultLifetime: life}
		}, false},
	}
}

// TestExpiryLimitEveryForm: every form of expiry obeys the same bounds. An
// hour and just under ten years are taken; just over ten years, and the
// year 9999 (expires_at: 9999-12-31… was once cached), are refused with
// the same words.
func TestExpiryLimitEveryForm(t *testing.T) {
	values := []struct {
		name string
		at   time.Time
		ok   bool
	}{
		{"an hour", parseNow.Add(time.Hour), true},
		{"a day under ten years", parseNow.Add(MaxLifetime - 24*time.Hour), true},
		{"a day over ten years", parseNow.Add(MaxLifetime + 24*time.Hour), false},
		{"the year 2500", time.Date(2500, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"the year 9999", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), false},
	}
	for _, f := range expiryForms() {
		for _, v := range values {
			t.Run(f.name+"/"+v.name, func(t *testing.T) {
				body, o := f.build(t, v.at)
				o.Now = parseNow
				tok, err := ParseResponse([]byte(body), o)
				if v.ok {
					if err != nil {
						t.Fatalf("ParseResponse(%s): %v", body, err)
					}
					if tok.ExpirySource != f.source || !tok.ExpiresAt.Equal(v.at) {
						t.Fatalf("expiry %v from %q, want %v from %q", tok.ExpiresAt, tok.ExpirySource, v.at, f.source)
					}
					return
				}
				if err == nil {
					t.Fatalf("ParseResponse(%s) = expiry %v from %s, want the 10-year limit", body, tok.ExpiresAt, tok.ExpirySource)
				}
				want := "more than tokentop's limit of 10 years"
				if f.epochSeconds && v.at.Year() == 9999 {
					want = "expired on arrival (expires_at 1978-01-11T21:31:40Z, read as epoch milliseconds"
				}
				e, ok := AsError(err)
				if !ok || !strings.Contains(e.Description, want) || e.Hint == "" {
					t.Fatalf("error %#v does not say %q with a hint", err, want)
				}
			})
		}
	}
}

// TestExpiryNotUsable: values no form can take (negative, NaN, infinite,
// out of any epoch's range, in the past) are refused, each saying why.
func TestExpiryNotUsable(t *testing.T) {
	tests := []struct {
		name, body string
		want       string
	}{
		{"expires_in negative", `{"access_token":"a","expires_in":-5}`, "expires_in is not a usable number of seconds: -5"},
		{"expires_in zero", `{"access_token":"a","expires_in":"0"}`, "expires_in is not a usable number of seconds: 0"},
		{"expires_in a nanosecond's fraction", `{"access_token":"a","expires_in":1e-12}`, "not a usable number of seconds"},
		{"expires_in NaN", `{"access_token":"a","expires_in":"NaN"}`, "not a usable number of seconds: NaN"},
		{"expires_in Inf", `{"access_token":"a","expires_in":"+Inf"}`, "not a usable number of seconds: +Inf"},
		{"expires_in beyond float64", `{"access_token":"a","expires_in":1e400}`, "not a usable number of seconds"},
		{"expiresIn negative float", `{"accessToken":"a","expiresIn":-0.5}`, "expiresIn is not a usable number of seconds"},
		{"expires_at negative epoch", `{"access_token":"a","expires_at":-1}`, "expires_at is not a time"},
		{"expires_at epoch beyond milliseconds", `{"access_token":"a","expires_at":1e16}`, "expires_at is not a time"},
		{"expires_at NaN", `{"access_token":"a","expires_at":"NaN"}`, "expires_at is not a time"},
		{"expires_at Inf", `{"access_token":"a","expires_at":"Infinity"}`, "expires_at is not a time"},
		{"expires_at epoch 5 (1970)", `{"access_token":"a","expires_at":5}`, "expired on arrival (expires_at 1970-01-01T00:00:05Z"},
		{"expires_at year 1", `{"access_token":"a","expires_at":"0001-01-01T00:00:00Z"}`, "expired on arrival"},
		{"expires_at epoch seconds of year 2500", `{"access_token":"a","expires_at":16725225600}`, "more than tokentop's limit of 10 years"},
		{"JWT exp in the past", `{"access_token":"` + hs256JWT(t, jwt.MapClaims{"exp": parseNow.Add(-time.Hour).Unix()}, "") + `"}`, "expired on arrival (jwt exp"},
		{"JWT exp huge", `{"access_token":"` + hs256JWT(t, jwt.MapClaims{"exp": 1e300}, "") + `"}`, "the JWT's exp claim (1e+300) puts the expiry 3.17e+292 years away, past any date, more than tokentop's limit of 10 years"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := ParseResponse([]byte(tt.body), ParseOptions{Now: parseNow})
			if err == nil {
				t.Fatalf("ParseResponse = expiry %v from %s, want an error", tok.ExpiresAt, tok.ExpirySource)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

// rawJWT is an unsigned-looking JWS with payload as written (numbers such
// as 1e400 that no float64 holds), for the claims decoder.
func rawJWT(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(payload)) + "." + enc([]byte("sig"))
}

// TestExpiryJWTExpBeyondAnyDate: an exp too large (or too small) for a
// date was read through int64(f), which saturates, as a date 292 billion
// years ago, and the token refused as expired on arrival, blaming the
// issuer's clock. It is refused by the 10-year rule, alongside a good
// expires_in as much as alone, and never said to be expired.
func TestExpiryJWTExpBeyondAnyDate(t *testing.T) {
	for _, tt := range []struct {
		exp  string
		want string
	}{
		{"1e300", "the JWT's exp claim (1e300) puts the expiry 3.17e+292 years away, past any date, more than tokentop's limit of 10 years"},
		{"9.3e18", "(9.3e18) puts the expiry 2.95e+11 years away, past any date, more than tokentop's limit"},
		{"1e18", "(1e18) puts the expiry 3.17e+10 years away, past any date, more than tokentop's limit"},
		{"1e400", "the JWT's exp claim (1e400) is not a finite number"},
		{"-1e300", "the JWT's exp claim (-1e300) puts the expiry 3.17e+292 years ago, before any date"},
		{"-9.3e18", "puts the expiry 2.95e+11 years ago, before any date"},
		{"253402300799", "(253402300799) puts the expiry at 9999-12-31T23:59:59Z (7974 years away), more than tokentop's limit of 10 years"},
	} {
		for _, body := range []string{`{"access_token":%q,"expires_in":3600}`, `{"access_token":%q}`} {
			t.Run(tt.exp+"/"+body, func(t *testing.T) {
				raw := fmt.Sprintf(body, rawJWT(`{"sub":"s","exp":`+tt.exp+`}`))
				_, err := ParseResponse([]byte(raw), ParseOptions{Now: parseNow, ServerDate: parseNow})
				e := mustError(t, err)
				if !strings.Contains(e.Description, tt.want) || strings.Contains(e.Description, "expired on arrival") ||
					strings.Contains(e.Description, "292277026596") || e.Hint == "" {
					t.Fatalf("%q (hint %q), want %q", e.Description, e.Hint, tt.want)
				}
			})
		}
	}
}

// TestExpiryLimitWording: the figure is right past 292 years (a Duration's
// end), and ten years and a second is never said to be "10 years away,
// more than 10 years".
func TestExpiryLimitWording(t *testing.T) {
	for _, tt := range []struct{ body, want string }{
		{`{"access_token":"a","expires_in":315360001}`, "expires_in (315360001) puts the expiry at 2035-03-12T15:09:27Z, more than tokentop's limit of 10 years"},
		{`{"access_token":"a","expires_at":"9999-12-31T23:59:59Z"}`, "puts the expiry at 9999-12-31T23:59:59Z (7974 years away), more than"},
		{`{"access_token":"a","expires_at":"2500-01-01T00:00:00Z"}`, "puts the expiry at 2500-01-01T00:00:00Z (474 years away), more than"},
		{`{"access_token":"a","expires_in":1e18}`, "puts the expiry 3.17e+10 years away, past any date, more than"},
	} {
		_, err := ParseResponse([]byte(tt.body), ParseOptions{Now: parseNow})
		if e := mustError(t, err); !strings.Contains(e.Description, tt.want) {
			t.Errorf("%s: %q, want %q", tt.body, e.Description, tt.want)
		}
	}
}
