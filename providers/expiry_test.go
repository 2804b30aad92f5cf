package providers

import (
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
	// an hour behind: our clock is the one off.
	_, err := ParseResponse([]byte(`{"access_token":"opaque-token-value","expires_at":"`+parseNow.Add(-time.Minute).Format(time.RFC3339)+`"}`),
		ParseOptions{Now: parseNow, ServerDate: parseNow.Add(-time.Hour)})
	if e := mustError(t, err); !strings.Contains(e.Hint, "this machine's clock is 1h0m0s ahead of the server's Date: sync it") {
		t.Fatalf("hint %q", e.Hint)
	}
}
