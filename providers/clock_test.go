package providers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/sandbox"
)

// TestVerifyClockTolerance: an nbf or iat a second ahead is no failure,
// whether or not the issuer's clock is known; ten seconds is.
func TestVerifyClockTolerance(t *testing.T) {
	e := newVerifyEnv(t)
	ctx := context.Background()
	early := e.mint(t, sandbox.MintOptions{IssuedAt: e.now.Add(time.Second)})
	v := Verify(ctx, early, e.keys, e.opts())
	wantCheck(t, v, "nbf", check.Pass, "within the 5s tolerance")
	wantCheck(t, v, "iat", check.Pass, "")
	if !v.OK() {
		t.Fatalf("a second-ahead issuer failed: %+v", v.Checks)
	}
	later := Verify(ctx, e.mint(t, sandbox.MintOptions{IssuedAt: e.now.Add(10 * time.Second)}), e.keys, e.opts())
	wantCheck(t, later, "nbf", check.Fail, "not valid for another 10s")
	wantCheck(t, later, "iat", check.Warn, "10s in the future")
	if c, _ := later.Check("nbf"); !strings.Contains(c.Hint, "tokentop doctor NAME compares the clocks") && !strings.Contains(c.Hint, "`tokentop doctor NAME` compares the clocks") {
		t.Fatalf("nbf hint %q", c.Hint)
	}
	// By the issuer's own clock (its Date), an nbf ahead is its doing.
	o := e.opts()
	o.SkewKnown = true
	later = Verify(ctx, e.mint(t, sandbox.MintOptions{IssuedAt: e.now.Add(10 * time.Second)}), e.keys, o)
	if c, _ := later.Check("nbf"); !strings.Contains(c.Hint, "the issuer mints tokens valid only from later") {
		t.Fatalf("nbf hint with the issuer's clock known: %q", c.Hint)
	}
}
